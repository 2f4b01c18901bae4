"""The concept ledger: no lesson or exercise uses an idea that no earlier lesson introduced.

Each chapter's ``chapter.yml`` lists, per lesson, the ideas that lesson teaches first::

    lessons:
      - file: 02-filter-count-sort
        introduces:
          python: ["==", "&", keyword-argument]
          pandas: [isin, isna, sort_values, groupby, size]
          sql: []

:func:`check` reads every code cell a learner sees, in reading order (chapter by chapter, lesson
by lesson, then the chapter's exercise notebook), finds the ideas each one uses and reports any
idea that is used before it was introduced, and any idea a lesson lists but never uses (then the
ledger is wrong). The exercise notebook (``chapters/NN-slug/exercises.ipynb``, generated from
``exercises.yml``) may use everything its chapter's lessons introduce; it introduces nothing.

What counts as an idea (write the names exactly as here)
--------------------------------------------------------
**python** (found with :mod:`ast`):

* statements and constructs, by keyword: ``import``, ``def``, ``return``, ``if``, ``for``,
  ``while``, ``with``, ``try``, ``raise``, ``assert``, ``class``, ``lambda``, ``del``,
  ``global``, ``yield``; and ``comprehension`` (list, set, dict or generator),
  ``f-string``, ``list`` and ``dict`` (written with brackets or braces), ``=`` (storing a value in
  a variable), ``keyword-argument`` (``name=value`` in a call), ``slice`` (``a[1:3]``);
* operators, by symbol: ``+ - * / // % **``, comparisons ``== != < <= > >=``, ``in``,
  ``not in``, ``is``, ``is not``, ``and``, ``or``, ``not``, and the element-wise ``& | ~``;
* builtin functions called by name: ``len``, ``round``, ``print``, ``int``, ``sorted``, ...

**pandas** (found by name, since code is not run to learn types): a method called or an attribute
read, ``x.NAME`` or ``x.NAME(...)``, where NAME is a public attribute of ``DataFrame``, ``Series``,
``Index``, a ``groupby`` result or the ``.str``/``.dt`` accessors (``head``, ``shape``,
``value_counts``, ``groupby``, ``size``, ``iloc``, ``str``, ...), and the functions of the pandas
module itself (``pd.read_sql_query`` is ``read_sql_query``). Calls on a string literal
(``", ".join``) and on other imported modules (``data.load``, ``plt.subplots``) are not pandas.

**sql** (found with sqlglot, SQLite dialect, in every string literal that starts with a SQL
statement keyword): clauses and keywords in upper case: ``SELECT``, ``FROM``, ``WHERE``,
``ORDER BY``, ``DESC``, ``LIMIT``, ``DISTINCT``, ``AS``, ``AND``, ``OR``, ``NOT``, ``IN``,
``BETWEEN``, ``LIKE``, ``IS NULL``, ``GROUP BY``, ``HAVING``, ``JOIN`` (``LEFT JOIN``, ...),
``WITH``, ``UNION``, ``CASE``, ``subquery``, ``OVER``, ``INSERT``, ``UPDATE``, ``DELETE``,
``CREATE``, ``PRAGMA``; and functions by sqlglot's name for them: ``COUNT``, ``SUM``, ``AVG``,
``MIN``, ``MAX``, ``ROUND``, ... (``SUBSTR`` is ``SUBSTRING``, ``IIF`` is ``IF``: when in doubt, run
``python -c "from bootcamp import ledger; print(ledger.sql_ideas('SELECT ...'))"``).

To see what a lesson uses, run ``python -m bootcamp.ledger``: it prints every problem, or nothing.

Lessons' ``python`` and ``sql`` code blocks in the text (the "try it" solutions) are checked
like code cells, except a block that does not parse (it shows a mistake on purpose).

Not checked: cells tagged ``remove-cell``, ``remove-input`` or ``hide-input`` (the book's own
machinery, and charts whose code the prose says is not taught yet), nbgrader test cells, and an
exercise notebook's install cell (the one that runs ``%pip install``), and the bodies of helper
functions its set-up cell defines (learners call them; only the ``def`` line counts). IPython
magics (``%xmode``) are ignored.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jupytext
import nbformat

from bootcamp import chapter_meta
from bootcamp.chapter_meta import KINDS, Chapter
from bootcamp.paths import CHAPTERS_DIR

SKIPPED_TAGS = {"remove-cell", "remove-input", "hide-input"}
#: The exercise notebooks' first cell installs the course where it is missing (Colab): machinery.
SETUP_CELL = re.compile(r"^\s*[%!]pip install", re.M)
EXERCISES = "exercises.ipynb"

PY_STATEMENTS = {
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.FunctionDef: "def",
    ast.Return: "return",
    ast.If: "if",
    ast.IfExp: "if",
    ast.For: "for",
    ast.While: "while",
    ast.With: "with",
    ast.Try: "try",
    ast.Raise: "raise",
    ast.Assert: "assert",
    ast.ClassDef: "class",
    ast.Lambda: "lambda",
    ast.Delete: "del",
    ast.Global: "global",
    ast.Yield: "yield",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.JoinedStr: "f-string",
    ast.List: "list",
    ast.Dict: "dict",
    ast.Slice: "slice",
}
PY_OPERATORS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.Invert: "~",
    ast.Not: "not",
    ast.And: "and",
    ast.Or: "or",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
BUILTINS = {name for name in dir(builtins) if not name.startswith("_")}
# Upper case only: the course writes SQL keywords in capitals, and a lower-case word such as
# "delete" in cleanup_mode="delete" is not a statement.
SQL_START = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|EXPLAIN)\b")
#: A ``{name}`` field of an f-string or a str.format template, read as a plain identifier.
TEMPLATE_FIELD = re.compile(r"\{[^{}]*\}")


@cache
def pandas_names() -> frozenset[str]:
    """The public attribute names of pandas' user-facing types, and pandas' own functions."""
    import pandas as pd
    from pandas.core.groupby import DataFrameGroupBy, SeriesGroupBy

    names: set[str] = set()
    for kind in (pd.DataFrame, pd.Series, pd.Index, DataFrameGroupBy, SeriesGroupBy):
        names |= {n for n in dir(kind) if not n.startswith("_")}
    names |= {n for n in dir(pd.Series.str) if not n.startswith("_")}
    names |= {n for n in dir(pd.Series.dt) if not n.startswith("_")}
    names |= {n for n in dir(pd) if not n.startswith("_")}
    return frozenset(names)


# ---------------------------------------------------------------------------------------------
# Finding the ideas in one piece of code


def _strip_magics(source: str) -> str:
    """IPython magics (``%xmode``, ``!ls``) become ``pass``, keeping the indentation."""
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass"
        if line.lstrip().startswith(("%", "!"))
        else line
        for line in source.splitlines()
    )


def _imported_modules(tree: ast.AST) -> dict[str, str]:
    """Names bound by imports: ``pd`` -> ``pandas``, ``data`` -> ``bootcamp.data``."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def python_ideas(source: str, modules: dict[str, str] | None = None) -> dict[str, set[str]]:
    """The python, pandas and sql ideas used in one cell's code (raises SyntaxError).

    ``modules`` maps names imported in earlier cells to their modules; it is updated in place."""
    tree = ast.parse(_strip_magics(source))
    modules = {} if modules is None else modules
    modules.update(_imported_modules(tree))
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    pandas = pandas_names()
    # An f-string is read as one string (its {...} parts as identifiers), not as its pieces.
    f_strings = [node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)]
    f_string_parts = {id(part) for node in f_strings for part in node.values}
    # A string glued to code with + ("INSERT ... FROM (" + query + ")") is a fragment: read its
    # SQL when it parses on its own, and skip it when it does not.
    fragments = {
        id(side)
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
        for side in (node.left, node.right)
        if isinstance(side, ast.Constant)
    }
    for node in ast.walk(tree):
        kind = PY_STATEMENTS.get(type(node))
        if kind:
            found["python"].add(kind)
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.BoolOp):
            op = PY_OPERATORS.get(type(node.op))
            if op:
                found["python"].add(op)
        elif isinstance(node, ast.Compare):
            found["python"] |= {PY_OPERATORS[type(op)] for op in node.ops}
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            found["python"].add("=")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in BUILTINS:
                if node.func.id not in modules:
                    found["python"].add(node.func.id)
            if node.keywords:
                found["python"].add("keyword-argument")
        elif isinstance(node, ast.Attribute) and node.attr in pandas:
            receiver = node.value
            if isinstance(receiver, ast.Constant):
                continue  # ", ".join(...): a Python string method
            if isinstance(receiver, ast.Name) and receiver.id in modules:
                if modules[receiver.id].split(".")[0] != "pandas":
                    continue  # data.load, plt.subplots: not pandas
            found["pandas"].add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in f_string_parts and SQL_START.match(node.value):
                try:
                    found["sql"] |= sql_ideas(TEMPLATE_FIELD.sub("template_field", node.value))
                except ValueError:
                    if id(node) not in fragments:
                        raise
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "template_field"
                for part in node.values
            )
            if SQL_START.match(text):
                found["sql"] |= sql_ideas(TEMPLATE_FIELD.sub("template_field", text))
    return found


def sql_ideas(sql: str) -> set[str]:
    """The SQL ideas in one string of SQL (raises ValueError naming the parse error)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        statements = sqlglot.parse(sql, read="sqlite")
    except (ParseError, sqlglot.errors.TokenError) as exc:  # a string that only looks like SQL
        raise ValueError(f"SQL that sqlglot cannot parse: {str(exc).splitlines()[0]}") from None
    found: set[str] = set()
    simple = {
        exp.Select: "SELECT",
        exp.From: "FROM",
        exp.Where: "WHERE",
        exp.Group: "GROUP BY",
        exp.Having: "HAVING",
        exp.Order: "ORDER BY",
        exp.Limit: "LIMIT",
        exp.Distinct: "DISTINCT",
        exp.Alias: "AS",
        exp.And: "AND",
        exp.Or: "OR",
        exp.Not: "NOT",
        exp.In: "IN",
        exp.Between: "BETWEEN",
        exp.Like: "LIKE",
        exp.With: "WITH",
        exp.Union: "UNION",
        exp.Case: "CASE",
        exp.Subquery: "subquery",
        exp.Window: "OVER",
        exp.Insert: "INSERT",
        exp.Update: "UPDATE",
        exp.Delete: "DELETE",
        exp.Create: "CREATE",
        exp.Pragma: "PRAGMA",
    }
    for statement in statements:
        if statement is None:
            continue
        for node in statement.walk():
            name = simple.get(type(node))
            if name:
                found.add(name)
            if isinstance(node, exp.Ordered) and node.args.get("desc"):
                found.add("DESC")
            elif isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
                found.add("IS NULL")
            elif isinstance(node, exp.Join):
                side = " ".join(
                    part.upper() for part in (node.side, node.kind) if part and part != "INNER"
                )
                found.add(f"{side} JOIN".strip())
            elif isinstance(node, exp.Anonymous):
                found.add(str(node.name).upper())
            elif isinstance(node, exp.If) and isinstance(node.parent, exp.Case):
                continue  # sqlglot's parts of a CASE: CASE is the idea
            elif isinstance(node, exp.Func) and not isinstance(node, exp.Anonymous):
                found.add(node.sql_name().upper())
    return found


# ---------------------------------------------------------------------------------------------
# Walking the book in reading order


@dataclass(frozen=True)
class Cell:
    path: Path  # the lesson or exercise notebook
    number: int  # code cell number, 1-based, counting every code cell of the file; 0: a block
    line: int | None  # where it starts in a .md lesson
    source: str
    language: str = "python"  # or "sql" (a ```sql block in a lesson's text)

    def where(self) -> str:
        first = next((s.strip() for s in self.source.splitlines() if s.strip()), "")
        if not self.number:
            return f"{self.language} block at line {self.line} ({first[:50]!r})"
        at = f", line {self.line}" if self.line else ""
        return f"code cell {self.number}{at} ({first[:50]!r})"


#: Code shown in a lesson's text (a "try it" solution): ```python or ```sql blocks.
CODE_BLOCK = re.compile(r"^```(python|ipython3?|sql)[ \t]*\n(.*?)^```", re.M | re.S)


def _lesson_cells(path: Path) -> Iterator[Cell]:
    notebook = jupytext.read(path)
    text = path.read_text(encoding="utf-8").splitlines() if path.suffix == ".md" else []
    starts = [i for i, line in enumerate(text, start=1) if line.startswith("```{code-cell}")]
    number = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        if SKIPPED_TAGS & set(cell.metadata.get("tags", [])):
            continue
        line = starts[number - 1] if number <= len(starts) else None
        yield Cell(path, number, line, cell.source)
    for block in CODE_BLOCK.finditer("\n".join(text)):
        language = "sql" if block[1] == "sql" else "python"
        line = "\n".join(text).count("\n", 0, block.start()) + 1
        cell = Cell(path, 0, line, block[2], language)
        try:  # a block that does not parse shows a mistake on purpose: nothing to check
            sql_ideas(cell.source) if language == "sql" else ast.parse(_strip_magics(cell.source))
        except (SyntaxError, ValueError):
            continue
        yield cell


def _exercise_cells(path: Path) -> Iterator[Cell]:
    notebook = nbformat.read(path, as_version=4)
    number = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue  # a check cell: the course's machinery, not the learner's code
        if SKIPPED_TAGS & set(cell.metadata.get("tags", [])) or SETUP_CELL.search(cell.source):
            continue
        source = re.sub(r"(?m)^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS).*$", "", cell.source)
        if meta.get("grade_id") == "setup":
            source = _signatures_only(source)
        yield Cell(path, number, None, source)


def _signatures_only(source: str) -> str:
    """The set-up cell's helper functions are given, not written: learners call them, so only
    their ``def`` lines count, not their bodies."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            node.body = [ast.Expr(ast.Constant(...))]
    return ast.unparse(tree)


@dataclass(frozen=True)
class Problem:
    chapter: str
    where: str  # "01-what-is-a-voter-file.md code cell 3, line 40 ('...')"
    message: str

    def __str__(self) -> str:
        return f"{self.chapter}/{self.where}: {self.message}"


def _ideas_of(cells: Iterator[Cell], chapter: Chapter, problems: list[Problem]):
    modules: dict[str, str] = {}
    for cell in cells:
        where = f"{cell.path.name} {cell.where()}"
        try:
            if cell.language == "sql":
                ideas = {kind: set() for kind in KINDS} | {"sql": sql_ideas(cell.source)}
            else:
                ideas = python_ideas(cell.source, modules)
            yield cell, where, ideas
        except (SyntaxError, ValueError) as exc:
            message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
            problems.append(Problem(chapter.slug, where, f"cannot read this code: {message}"))


def check(chapters_dir: Path = CHAPTERS_DIR) -> list[Problem]:
    """Every ledger problem of the book, in reading order (empty: the ledger holds)."""
    problems: list[Problem] = []
    known: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}  # idea -> where introduced
    for folder in chapter_meta.chapter_folders(chapters_dir):
        if not (folder / chapter_meta.FILE_NAME).exists():
            problems.append(
                Problem(folder.name, chapter_meta.FILE_NAME, "missing: list its lessons' ideas")
            )
            continue
        chapter = chapter_meta.load(folder)
        yml = f"{chapter.slug}/{chapter_meta.FILE_NAME}"
        for lesson in chapter.lessons:
            here = f"{chapter.slug}/{lesson.file}"
            for kind in KINDS:
                for idea in lesson.introduces[kind]:
                    if idea in known[kind]:
                        problems.append(
                            Problem(
                                chapter.slug,
                                chapter_meta.FILE_NAME,
                                f"lesson {lesson.file} introduces {kind} `{idea}`, but "
                                f"{known[kind][idea]} already did: remove it from this lesson",
                            )
                        )
                    else:
                        known[kind][idea] = here
            used: dict[str, set[str]] = {kind: set() for kind in KINDS}
            path = chapter_meta.lesson_path(folder, lesson.file)
            for _cell, where, ideas in _ideas_of(_lesson_cells(path), chapter, problems):
                for kind in KINDS:
                    used[kind] |= ideas[kind]
                    for idea in sorted(ideas[kind] - known[kind].keys()):
                        problems.append(
                            Problem(
                                chapter.slug,
                                where,
                                f"uses {kind} `{idea}`, which no earlier lesson introduces: "
                                f"add `{idea}` to `introduces: {kind}:` of lesson {lesson.file} "
                                f"in {yml} (or of the earlier lesson that teaches it)",
                            )
                        )
                        known[kind][idea] = f"{here} (unlisted)"  # report each idea once
            for kind in KINDS:
                for idea in lesson.introduces[kind]:
                    if idea not in used[kind]:
                        problems.append(
                            Problem(
                                chapter.slug,
                                chapter_meta.FILE_NAME,
                                f"lesson {lesson.file} lists {kind} `{idea}` under introduces, "
                                f"but none of its code uses it: move it to the lesson that does",
                            )
                        )
        exercises = folder / EXERCISES
        if exercises.exists():
            for _cell, where, ideas in _ideas_of(_exercise_cells(exercises), chapter, problems):
                for kind in KINDS:
                    for idea in sorted(ideas[kind] - known[kind].keys()):
                        problems.append(
                            Problem(
                                chapter.slug,
                                where,
                                f"the exercises use {kind} `{idea}`, which none of the "
                                f"chapter's lessons introduces: teach it in a lesson and add "
                                f"`{idea}` to that lesson's `introduces: {kind}:` in {yml}, or "
                                f"change the exercise (edit exercises.yml, then bootcamp author)",
                            )
                        )
                        known[kind][idea] = f"{chapter.slug} exercises (unlisted)"
    return problems


def main() -> int:
    """``python -m bootcamp.ledger``: print the ledger's problems; exit 1 if there are any."""
    problems = check()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
