"""Build a chapter's nbgrader source notebook from a short description, so authors never write
cell metadata by hand.

The description is a YAML file (``chapters/NN-slug/exercises.yml``) or the same structure as a
Python dict; see ``autograder/AUTHORING.md``. Building runs the reference solutions once, which
does three jobs: it computes the fingerprints the visible tests compare against (so the released
notebook can tell a learner "right" or "not yet" without containing the answer), it turns the
hints in ``wrong-answers.yml`` into targeted messages, and it refuses to write a notebook whose
reference solution fails its own tests.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import yaml

from bootcamp import checks
from bootcamp.errors import BootcampError
from bootcamp.paths import REPO_ROOT

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float = 0) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _code(source: str, cell_id: str, meta: dict | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"), metadata=meta or {})
    cell.id = cell_id.replace("_", "-")
    return cell


def _markdown(source: str, cell_id: str, meta: dict | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source.rstrip("\n"), metadata=meta or {})
    cell.id = cell_id.replace("_", "-")
    return cell


def _read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error becomes one line naming the file and line."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BootcampError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise BootcampError(f"{path} is not valid YAML{where}: {problem}") from None


def load_spec(path: Path) -> dict:
    spec = _read_yaml(path)
    if not isinstance(spec, dict) or not isinstance(spec.get("questions"), list):
        raise BootcampError(f"{path}: expected a mapping with a 'questions' list")
    return spec


def load_wrong_answers(path: Path) -> list[dict]:
    """Read ``wrong-answers.yml``: a list of {cell, mistake, code, hint?, message?} entries."""
    if not path.exists():
        return []
    entries = _read_yaml(path) or []
    if not isinstance(entries, list):
        raise BootcampError(f"{path}: expected a list of entries")
    for number, entry in enumerate(entries, start=1):
        missing = {"cell", "mistake", "code"} - set(entry or {})
        if missing:
            raise BootcampError(f"{path}: entry {number} lacks {', '.join(sorted(missing))}")
    return entries


@contextlib.contextmanager
def _cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _run(code: str, namespace: dict, label: str) -> None:
    try:
        exec(compile(code, f"<{label}>", "exec"), namespace)
    except checks.CheckFailed:
        raise
    except Exception as exc:
        raise BootcampError(f"{label} raised {type(exc).__name__}: {exc}") from None


def _answer_value(spec: Mapping, upto: int, replace: dict[str, str], workdir: Path) -> Any:
    """Run setup and solutions up to question ``upto`` (with replacements); evaluate its answer."""
    namespace: dict = {"__name__": "__main__"}
    with _cwd(workdir):
        _run(spec.get("setup", ""), namespace, "setup")
        for q in spec["questions"][: upto + 1]:
            if q.get("kind", "code") == "code":
                _run(replace.get(q["id"], q["solution"]), namespace, f"solution {q['id']}")
        q = spec["questions"][upto]
        return eval(compile(q["answer"], f"<answer {q['id']}>", "eval"), namespace)


def _literal(text: str, indent: int) -> str:
    """A string literal in ruff-format style, split into implicit concatenation if too long."""

    def quote(part: str) -> str:
        if '"' in part and "'" not in part:
            return repr(part) if repr(part).startswith("'") else "'" + part + "'"
        return '"' + repr(part)[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'

    width = 96 - indent
    if len(quote(text)) <= width - 1:
        return quote(text)
    chunks, current = [], ""
    for word in re.split(r"(?<= )", text):
        if current and len(quote(current + word)) > width - 4:
            chunks.append(current)
            current = ""
        current += word
    chunks.append(current)
    pad = " " * (indent + 4)
    return "(\n" + "".join(f"{pad}{quote(c)}\n" for c in chunks) + " " * indent + ")"


def _chunks(text: str, indent: int) -> str:
    """Lines of implicitly concatenated literals, each within the line length."""
    literal = _literal(text, indent - 4)
    if not literal.startswith("("):
        return " " * indent + literal + "\n"
    return "\n".join(line for line in literal.split("\n")[1:-1]) + "\n"


def _test_source(q: Mapping, label: str, fp: str | None, mistakes: dict[str, str]) -> str:
    lines = [f"# Checks for {label}. Run this cell after your answer."]
    if fp is not None:
        args = [q["answer"], _literal(fp, 4)]
        if q.get("hint"):
            args.append(f"hint={_literal(q['hint'], 4)}")
        if mistakes:
            items = ""
            for key, message in mistakes.items():
                line = f"        {_literal(key, 8)}: {_literal(message, 8)},\n"
                if len(line) > 100 or "\n" in line[:-1]:
                    head = f"        {_literal(key, 8)}: (\n"
                    line = head + _chunks(message, 12) + "        ),\n"
                items += line
            args.append("mistakes={\n" + items + "    }")
        args.append(f"question={_literal(label, 4)}")
        lines.append("checks.check_hashed(\n    " + ",\n    ".join(args) + ",\n)")
    if q.get("visible"):
        lines.append(q["visible"].rstrip("\n"))
    if q.get("hidden"):
        hidden = q["hidden"].strip("\n")
        if lines[1:] and re.match(r"(def|class|async def|@)\b", hidden):
            lines.append("\n")  # two blank lines before a definition, as ruff format wants
        lines += ["### BEGIN HIDDEN TESTS", hidden, "### END HIDDEN TESTS"]
    if fp is None and not q.get("visible") and not q.get("hidden"):
        raise BootcampError(f"question {q['id']}: give 'answer', 'visible' or 'hidden' tests")
    return "\n".join(lines)


def install_source() -> str:
    """The first code cell of every exercise notebook: installs the course package where it is
    missing (Google Colab, a fresh hub) and does nothing where the course is set up."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = config["repository"]["url"].rstrip("/")
    return (
        "# Where the course is not installed (Google Colab, for example) this installs it first.\n"
        "import importlib.util\n\n"
        'if importlib.util.find_spec("bootcamp") is None:\n'
        f'    %pip install --quiet "bootcamp @ git+{url}"'
    )


DECLARED_KINDS = ("function", "query", "value")


def _declared_kind(q: Mapping) -> str | None:
    found = [k for k in DECLARED_KINDS if q.get(k)]
    if len(found) > 1:
        raise BootcampError(f"question {q.get('id')}: give only one of function, query, value")
    return found[0] if found else None


def strip_solution(source: str) -> str:
    """The solution cell as reference code: marker lines and top-level display expressions
    (``top_precinct(voters, "DEM")`` at the end of the cell) removed."""
    import ast

    lines = [ln for ln in source.splitlines() if "### BEGIN SOLUTION" not in ln]
    lines = [ln for ln in lines if "### END SOLUTION" not in ln]
    text = "\n".join(lines)
    tree = ast.parse(text)
    keep = [n for n in tree.body if not isinstance(n, ast.Expr)]
    return "\n\n\n".join(ast.get_source_segment(text, n) for n in keep).strip("\n") + "\n"


def question_labels(spec: Mapping) -> dict[str, str]:
    """Question id -> label: Q1, Q2, ... in order (assigned by the tool)."""
    return {q.get("id", str(i)): f"Q{i + 1}" for i, q in enumerate(spec["questions"])}


def _heading(q: Mapping, label: str) -> str:
    points = q.get("points", 1)
    unit = "point" if points == 1 else "points"
    extra = ", graded by a person" if q.get("kind") == "written" else ""
    return f"## {label}. {q['title']} ({points:g} {unit}{extra})"


def hidden_spec(q: Mapping, label: str, defaults: Mapping, setup: str = "") -> dict:
    """The declarative hidden test of a question (written into its test cell)."""
    kind = _declared_kind(q)
    name = q[kind]
    reference = q.get("reference", defaults.get("reference", "solution"))
    if q.get("accept_any"):
        reference = q["accept_any"]
    elif reference == "solution":
        reference = strip_solution(q["solution"])
        if kind == "query":
            scratch: dict = {}
            exec(compile(reference, f"<solution {q['id']}>", "exec"), scratch)
            reference = scratch[name]
    if kind == "query":
        reference = "\n".join(line.strip() for line in reference.strip().splitlines()) + "\n"
    data = dict(q.get("data", defaults.get("data", {"kind": "table", "table": "voters"})))
    if kind == "query":
        data["kind"] = "database"
    extra = {"setup": setup} if kind == "value" else {}
    return extra | {
        "label": label,
        "kind": kind,
        "name": name,
        "ordered": bool(q.get("ordered", True)),
        "hint": " ".join(q.get("hint", "").split()),
        "data": data,
        "datasets": list(q.get("hidden_data", defaults.get("hidden", []))),
        "args": q.get("args"),
        "reference": reference,
        "accept_any": bool(q.get("accept_any")),
    }


def _visible_cases(hidden: Mapping, defaults: Mapping, q: Mapping) -> list[dict]:
    """Course data with the first arguments, then each visible data set with every argument."""
    specs = [checks.COURSE_DATA] + list(q.get("visible_data", defaults.get("visible", [])))
    reference = checks.reference_object(hidden)
    if hidden["kind"] == "value":
        specs = [None]
    cases = []
    for number, spec in enumerate(specs):
        dataset = checks.open_dataset(spec, hidden["data"])
        arguments = checks.case_arguments(hidden.get("args"), dataset)
        for args in arguments[:1] if number == 0 else arguments:
            args = tuple(checks.plain(a) for a in args)
            accepted = checks.expected_values(hidden, reference, dataset, args)
            ordered = hidden["ordered"]
            fps = list(dict.fromkeys(checks.fingerprint(a, ordered=ordered) for a in accepted))
            rounded = {
                checks.fingerprint(r, ordered=ordered)
                for a in accepted
                for r in checks.rounded_versions(a)
            }
            cases.append(
                {
                    "data": spec,
                    "args": list(args),
                    "accept": fps,
                    "rounded": sorted(rounded - set(fps)),
                }
            )
        if isinstance(dataset, sqlite3.Connection):
            dataset.close()
    return cases


def _fingerprints(visible: Mapping, namespace: Mapping) -> list[str | None] | None:
    """The fingerprints of a learner's results on the visible cases (None: it raised)."""
    try:
        target = checks._target(visible, namespace)
    except checks.CheckFailed:
        return None
    fps = []
    for case in visible["cases"]:
        dataset = checks.open_dataset(case["data"], visible["data"])
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                value = checks.call_target(visible, target, dataset, tuple(case["args"]))
            fps.append(checks.fingerprint(value, ordered=visible["ordered"]))
        except Exception:
            fps.append(None)
        finally:
            if isinstance(dataset, sqlite3.Connection):
                dataset.close()
    return fps


def _passes(visible: Mapping, fps: list | None) -> bool:
    return fps is not None and all(
        fp in case["accept"] for fp, case in zip(fps, visible["cases"], strict=True)
    )


def _run_checks(checker: Any, label: str, hidden: Mapping, namespace: Mapping, what: str) -> None:
    """The visible check and the hidden test must pass for ``what`` (a right answer)."""
    for name, run in (
        ("visible check", lambda: checker(label, namespace)),
        ("hidden test", lambda: checks.hidden_test(hidden, namespace)),
    ):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                run()
        except checks.CheckFailed as exc:
            raise BootcampError(f"{what} fails its {name}: {exc}") from None


def _declared_question(
    q: Mapping,
    label: str,
    defaults: Mapping,
    namespace: dict,
    before: dict,
    wrong_answers: list[dict],
    workdir: Path,
    setup: str = "",
) -> tuple[dict, dict]:
    """(hidden spec, visible checker data) of a declared question, proven on the spot: the
    solution and every listed alternative pass both, each recorded wrong answer fails the
    visible check (unless it says ``caught_by: hidden``), and its message becomes a hint."""
    qid = q["id"]
    hidden = hidden_spec(q, label, defaults, setup)
    with _cwd(workdir):
        cases = _visible_cases(hidden, defaults, q)
    visible = {k: hidden[k] for k in ("label", "kind", "name", "ordered", "hint", "data")}
    visible |= {"cases": cases, "mistakes": [], "outside": defaults.get("course", "voters")}
    checker = checks.Checker.__new__(checks.Checker)
    checker._questions = {label: visible}
    with _cwd(workdir):
        _run_checks(checker, label, hidden, namespace, f"the reference solution of {label}")
        for number, code in enumerate(q.get("alternatives", []), start=1):
            scratch = dict(before)
            _run(code, scratch, f"alternative {number} of {label}")
            _run_checks(checker, label, hidden, scratch, f"alternative {number} of {label}")
        seen: dict[tuple, int] = {}
        for number, entry in enumerate(wrong_answers, start=1):
            if entry["cell"] != qid:
                continue
            scratch = dict(before)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(entry["code"], f"<wrong answer {number}>", "exec"), scratch)
            except Exception:
                continue  # an answer cell that does not run fails every check
            fps = _fingerprints(visible, scratch)
            if _passes(visible, fps) and entry.get("caught_by") != "hidden":
                raise BootcampError(
                    f"wrong-answers.yml entry {number} ({label}: {entry['mistake']}) passes the "
                    "visible check: add a visible data set or arguments that tell it apart, or "
                    "mark it `caught_by: hidden`"
                )
            if entry.get("message") and fps and None not in fps:
                key = tuple(fps)
                if key in seen:
                    raise BootcampError(
                        f"wrong-answers.yml entries {seen[key]} and {number} ({label}) give the "
                        "same result: keep the message on one of them only"
                    )
                seen[key] = number
                message = " ".join(entry["message"].split())
                visible["mistakes"].append({"fps": fps, "message": message})
    return hidden, visible


def _py_literal(value: Any, indent: int = 0, lead: int = 0) -> str:
    """A Python literal for a hidden-test spec: multi-line text as a triple-quoted string.
    ``lead`` is how many characters precede the value on its first line (a dict key)."""
    pad = " " * indent
    if isinstance(value, str) and "\n" in value.strip("\n"):
        quote = "'''" if '"""' in value else '"""'
        return quote + "\n" + value.strip("\n") + "\n" + quote
    if isinstance(value, str):
        return _literal(value, indent + lead)
    if isinstance(value, dict):
        items = "".join(
            f"{pad}    {_literal(str(k), indent + 4)}: "
            f"{_py_literal(v, indent + 4, len(str(k)) + 4)},\n"
            for k, v in value.items()
        )
        return "{\n" + items + pad + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_py_literal(v, indent) for v in value) + "]"
    return repr(value)


def _declared_test_source(label: str, hidden: Mapping) -> str:
    return (
        f'check("{label}")\n'
        "### BEGIN HIDDEN TESTS\n"
        f"checks.hidden_test(\n    {_py_literal(dict(hidden), 4)}\n)\n"
        "### END HIDDEN TESTS"
    )


def checker_source(assignment: str, visible: Mapping) -> str:
    """The hidden helper cell: the visible checks' data (fingerprints, hints), compressed."""
    blob = checks.Checker.encode(visible)
    lines = "".join(f'        "{blob[i : i + 88]}"\n' for i in range(0, len(blob), 88))
    return (
        "# Loads the data of the check cells (fingerprints, never answers). Just run it.\n"
        f'check = checks.Checker(\n    "{assignment}",\n    (\n{lines}    ),\n)'
    )


def build_notebook(
    spec: Mapping,
    *,
    workdir: Path,
    wrong_answers: list[dict] | None = None,
    verify: bool = True,
    assignment: str | None = None,
) -> nbformat.NotebookNode:
    """Turn a description into an nbgrader source notebook (solutions and hidden tests inside).

    ``workdir`` is where the solutions run (the chapter folder). With ``verify`` the reference
    solutions are executed and every test cell must pass.
    """
    wrong_answers = wrong_answers or []
    assignment = assignment or Path(workdir).name
    defaults = spec.get("defaults", {})
    labels = question_labels(spec)
    cells = []
    if spec.get("title") or spec.get("intro"):
        text = (f"# {spec['title']}\n\n" if spec.get("title") else "") + spec.get("intro", "")
        cells.append(_markdown(text, "intro"))
    if spec.get("setup"):
        install_meta = _meta("install", grade=False, solution=False, locked=True)
        cells.append(_code(install_source(), "install", install_meta))
        setup_meta = _meta("setup", grade=False, solution=False, locked=True)
        cells.append(_code(spec["setup"], "setup", setup_meta))
    checker_at = len(cells)
    visible_data: dict[str, dict] = {}

    seen: set[str] = set()
    namespace: dict = {"__name__": "__main__"}
    if verify:
        with _cwd(workdir):
            _run(spec.get("setup", ""), namespace, "setup")
        if namespace.get("checks") is not checks:
            raise BootcampError("setup must import the checks: from bootcamp import checks")
    for index, q in enumerate(spec["questions"]):
        qid = q.get("id", "")
        if not _ID_RE.match(qid) or qid in seen or qid in ("setup", "install", "checker"):
            raise BootcampError(f"question {index + 1}: id {qid!r} must be a unique identifier")
        seen.add(qid)
        label = q.get("label", labels[qid])
        kind = q.get("kind", "code")
        points = q.get("points", 1)
        prompt = q.get("prompt", "")
        if q.get("title"):
            prompt = _heading(q, label) + "\n\n" + prompt
        cells.append(_markdown(prompt or f"## {label}", f"prompt_{qid}"))
        if kind == "written":
            meta = _meta(qid, grade=True, solution=True, locked=False, points=points)
            cells.append(_markdown(q.get("solution", "YOUR ANSWER HERE"), qid, meta))
            continue
        if kind != "code":
            raise BootcampError(f"question {qid}: kind must be 'code' or 'written'")
        if "### BEGIN SOLUTION" not in q.get("solution", ""):
            raise BootcampError(f"question {qid}: the solution needs ### BEGIN/END SOLUTION")
        solution_meta = _meta(qid, grade=False, solution=True, locked=False)
        if q.get("broken"):
            solution_meta["bootcamp"] = {"broken": q["broken"].rstrip("\n")}
        cells.append(_code(q["solution"], qid, solution_meta))

        before = dict(namespace)
        if verify:
            with _cwd(workdir):
                _run(q["solution"], namespace, f"solution {qid}")
        if _declared_kind(q):
            if not verify:
                raise BootcampError("declared questions need verify=True (the solutions must run)")
            hidden, visible = _declared_question(
                q, label, defaults, namespace, before, wrong_answers, workdir, spec.get("setup", "")
            )
            visible_data[label] = visible
            source = _declared_test_source(label, hidden)
            meta = _meta(f"test_{qid}", grade=True, solution=False, locked=True, points=points)
            cells.append(_code(source, f"test_{qid}", meta))
            continue

        fp = None
        mistakes: dict[str, str] = {}
        if q.get("answer"):
            if not verify:
                raise BootcampError("fingerprints need verify=True (the solutions must run)")
            with _cwd(workdir):
                value = eval(compile(q["answer"], f"<answer {qid}>", "eval"), namespace)
            fp = checks.fingerprint(value, ordered=q.get("ordered", True))
            for entry in wrong_answers:
                message = entry.get("message")
                if entry["cell"] == qid and message:
                    wrong = _answer_value(spec, index, {qid: entry["code"]}, workdir)
                    wrong_fp = checks.fingerprint(wrong, ordered=q.get("ordered", True))
                    if wrong_fp != fp and message not in mistakes.get(wrong_fp, ""):
                        # two mistakes can give the same wrong answer: show both hints
                        earlier = mistakes.get(wrong_fp)
                        mistakes[wrong_fp] = f"{earlier} Or: {message}" if earlier else message
        source = _test_source(q, label, fp, mistakes)
        if verify:
            with _cwd(workdir):
                try:
                    _run(source, namespace, f"tests of {qid}")
                except checks.CheckFailed as exc:
                    raise BootcampError(
                        f"reference solution of {qid} fails its test: {exc}"
                    ) from None
        meta = _meta(f"test_{qid}", grade=True, solution=False, locked=True, points=points)
        cells.append(_code(source, f"test_{qid}", meta))

    if visible_data:
        checker_meta = _meta("checker", grade=False, solution=False, locked=True)
        checker_meta["jupyter"] = {"source_hidden": True}
        checker_meta["tags"] = ["hide-input"]
        cells.insert(
            checker_at, _code(checker_source(assignment, visible_data), "checker", checker_meta)
        )
    if spec.get("outro"):
        cells.append(_markdown(spec["outro"], "outro"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


MAP_NAME = "exercise-map.generated.md"


def _cell_text(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def exercise_map(spec: Mapping, wrong_answers: list[dict]) -> str:
    """The instructor notes' exercise map: each question, its points, what it practices and the
    mistakes its hints name (from exercises.yml and wrong-answers.yml)."""
    labels = question_labels(spec)
    lines = [
        "<!-- Generated by `bootcamp author` from exercises.yml and wrong-answers.yml. "
        "Do not edit: edit those files and run `make exercises`. -->",
        "",
        "| Question | Points | Practices | Mistakes its hints name |",
        "|---|---|---|---|",
    ]
    for q in spec["questions"]:
        label = q.get("label", labels[q["id"]])
        title = q.get("title", q["id"])
        if q.get("kind") == "written":
            mistakes = "graded by a person: the model answer and rubric are in the source notebook"
        else:
            named = [e["mistake"] for e in wrong_answers if e["cell"] == q["id"]]
            mistakes = "; ".join(named) or "none recorded yet"
        lines.append(
            f"| {label} {_cell_text(title)} | {q.get('points', 1):g} | "
            f"{_cell_text(q.get('practices', ''))} | {_cell_text(mistakes)} |"
        )
    total = sum(q.get("points", 1) for q in spec["questions"])
    lines += ["", f"Total: {total:g} points.", ""]
    return "\n".join(lines)


def build_file(spec_path: Path, out: Path | None = None, *, verify: bool = True) -> Path:
    """Build ``exercises.ipynb`` beside ``spec_path`` (``exercises.yml``) and return its path;
    the exercise map (``exercise-map.generated.md``) is written beside the notebook."""
    spec_path = Path(spec_path).resolve()
    spec = load_spec(spec_path)
    wrong = load_wrong_answers(spec_path.parent / "wrong-answers.yml")
    nb = build_notebook(
        spec,
        workdir=spec_path.parent,
        wrong_answers=wrong,
        verify=verify,
        assignment=spec_path.parent.name,
    )
    out = Path(out) if out else spec_path.with_suffix(".ipynb")
    out.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    out.with_name(MAP_NAME).write_text(exercise_map(spec, wrong), encoding="utf-8")
    _format_code(out)
    return out


def _format_code(notebook: Path) -> None:
    """Lay the generated code out as ``ruff format`` does, so the notebook passes the lint tests
    however the description's snippets were typed (ruff is part of the pinned toolchain)."""
    ruff = Path(sys.executable).with_name("ruff")
    command = str(ruff) if ruff.exists() else shutil.which("ruff")
    if command:
        subprocess.run(
            [command, "format", "--quiet", "--config", str(REPO_ROOT / "pyproject.toml"), notebook],
            check=True,
        )
