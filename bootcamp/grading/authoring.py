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
import os
import re
import shutil
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


def build_notebook(
    spec: Mapping, *, workdir: Path, wrong_answers: list[dict] | None = None, verify: bool = True
) -> nbformat.NotebookNode:
    """Turn a description into an nbgrader source notebook (solutions and hidden tests inside).

    ``workdir`` is where the solutions run (the chapter folder). With ``verify`` the reference
    solutions are executed and every test cell must pass.
    """
    wrong_answers = wrong_answers or []
    cells = []
    if spec.get("title") or spec.get("intro"):
        text = (f"# {spec['title']}\n\n" if spec.get("title") else "") + spec.get("intro", "")
        cells.append(_markdown(text, "intro"))
    if spec.get("setup"):
        install_meta = _meta("install", grade=False, solution=False, locked=True)
        cells.append(_code(install_source(), "install", install_meta))
        setup_meta = _meta("setup", grade=False, solution=False, locked=True)
        cells.append(_code(spec["setup"], "setup", setup_meta))

    seen: set[str] = set()
    namespace: dict = {"__name__": "__main__"}
    if verify:
        with _cwd(workdir):
            _run(spec.get("setup", ""), namespace, "setup")
        if namespace.get("checks") is not checks:
            raise BootcampError("setup must import the checks: from bootcamp import checks")
    for index, q in enumerate(spec["questions"]):
        qid = q.get("id", "")
        if not _ID_RE.match(qid) or qid in seen or qid in ("setup", "install"):
            raise BootcampError(f"question {index + 1}: id {qid!r} must be a unique identifier")
        seen.add(qid)
        label = q.get("label", f"Q{index + 1}")
        kind = q.get("kind", "code")
        points = q.get("points", 1)
        cells.append(_markdown(q.get("prompt", f"## {label}"), f"prompt_{qid}"))
        if kind == "written":
            meta = _meta(qid, grade=True, solution=True, locked=False, points=points)
            cells.append(_markdown(q.get("solution", "YOUR ANSWER HERE"), qid, meta))
            continue
        if kind != "code":
            raise BootcampError(f"question {qid}: kind must be 'code' or 'written'")
        if "### BEGIN SOLUTION" not in q.get("solution", ""):
            raise BootcampError(f"question {qid}: the solution needs ### BEGIN/END SOLUTION")
        cells.append(
            _code(q["solution"], qid, _meta(qid, grade=False, solution=True, locked=False))
        )

        fp = None
        mistakes: dict[str, str] = {}
        if verify:
            with _cwd(workdir):
                _run(q["solution"], namespace, f"solution {qid}")
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

    if spec.get("outro"):
        cells.append(_markdown(spec["outro"], "outro"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def build_file(spec_path: Path, out: Path | None = None, *, verify: bool = True) -> Path:
    """Build ``exercises.ipynb`` beside ``spec_path`` (``exercises.yml``) and return its path."""
    spec_path = Path(spec_path).resolve()
    spec = load_spec(spec_path)
    wrong = load_wrong_answers(spec_path.parent / "wrong-answers.yml")
    nb = build_notebook(spec, workdir=spec_path.parent, wrong_answers=wrong, verify=verify)
    out = Path(out) if out else spec_path.with_suffix(".ipynb")
    out.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
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
