"""Builders for student submissions, good and hostile, made from a released notebook.

Used by the grading tests and by benchmarks/bench_grading.py.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat

FIXTURES = Path(__file__).parent / "fixtures"
ASSIGNMENT = "fixture"
NB = "exercises.ipynb"


def make_course(
    root: Path, assignment: str = ASSIGNMENT, source: Path = FIXTURES / "exercises.ipynb"
) -> Path:
    """An nbgrader course with the real config and one assignment (the fixture notebook, or
    ``source``, e.g. a chapter's exercises.ipynb); add more with :func:`add_assignment`."""
    from bootcamp.paths import AUTOGRADER_DIR

    course_dir = root / "course"
    course_dir.mkdir(parents=True)
    shutil.copyfile(AUTOGRADER_DIR / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    add_assignment(course_dir, assignment, source)
    return course_dir


def add_assignment(course_dir: Path, assignment: str, source: Path) -> None:
    """Release ``source`` (a source notebook) as ``assignment`` of the course."""
    from bootcamp.grading import release

    release.sync_source(source, course_dir, assignment)
    release.generate(assignment, course_dir)


def blank_with(release_nb, replace: dict[str, str]):
    """The untouched release with only the answer cells in ``replace`` filled in."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in replace and cell.cell_type == "code":
            cell.source = replace[gid]
    return nb


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def find(nb, gid: str):
    return next(c for c in nb.cells if grade_id(c) == gid)


def with_answers(release_nb, source_nb, replace: dict[str, str] | None = None):
    """The release with every solution cell filled from the source (or from ``replace``)."""
    nb = copy.deepcopy(release_nb)
    replace = replace or {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            gid = meta["grade_id"]
            cell.source = replace.get(gid, find(source_nb, gid).source)
    return nb


def _correct(rel, src):
    return with_answers(rel, src)


def _blank(rel, src):
    return copy.deepcopy(rel)


def _wrong(rel, src):
    return with_answers(
        rel,
        src,
        {
            "count_active": "def count_active(voters):\n    return len(voters)",
            "party_counts": "def party_counts(voters):\n"
            "    return voters.groupby('party').size().reset_index(name='voters')",
            "sql_seniors": "seniors_sql = 'SELECT ncid FROM voters WHERE age > 65'",
        },
    )


def _visible_only(rel, src):
    """Right on the course data only: passes the visible test, fails the hidden ones."""
    code = (
        "def count_active(voters):\n"
        "    if voters.equals(make_voters()):\n"
        "        return int((voters['status'] == 'A').sum())\n"
        "    return int((voters['status'] != 'R').sum())"
    )
    return with_answers(rel, src, {"count_active": code})


def _hard_coded(rel, src):
    # the values a learner could read off the visible output
    import numpy as np

    rng = np.random.default_rng(0)
    status = rng.choice(["A", "I", "R"], 60, p=[0.7, 0.2, 0.1])
    n = int((status == "A").sum())
    return with_answers(rel, src, {"count_active": f"def count_active(voters):\n    return {n}"})


def _always_equal(rel, src):
    code = (
        "class Anything:\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __hash__ = object.__hash__\n\n"
        "def count_active(voters):\n"
        "    return Anything()"
    )
    return with_answers(rel, src, {"count_active": code})


def _test_edited_to_pass(rel, src):
    nb = with_answers(rel, src, {"count_active": "def count_active(voters):\n    return 0"})
    find(nb, "test_count_active").source = "pass"
    return nb


def _tests_deleted(rel, src):
    nb = with_answers(rel, src, {"count_active": "def count_active(voters):\n    return 0"})
    nb.cells = [c for c in nb.cells if grade_id(c) != "test_count_active"]
    return nb


def _metadata_stripped(rel, src):
    nb = with_answers(rel, src, {"count_active": "def count_active(voters):\n    return 0"})
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def _added_and_reordered(rel, src):
    nb = with_answers(rel, src)
    scratch = nbformat.v4.new_code_cell("scratch = voters.head()\nprint(len(scratch))")
    nb.cells.insert(3, scratch)
    # move the written answer and its prompt to the end
    written = [c for c in nb.cells if grade_id(c) == "why_active"]
    nb.cells = [c for c in nb.cells if grade_id(c) != "why_active"] + written
    nb.cells.append(nbformat.v4.new_markdown_cell("My notes"))
    return nb


def _infinite_loop(rel, src):
    code = "def count_active(voters):\n    return 0\n\nwhile True:\n    pass"
    return with_answers(rel, src, {"count_active": code})


def _sys_exit(rel, src):
    return with_answers(
        rel,
        src,
        {"count_active": "import sys\nsys.exit(0)\ndef count_active(voters):\n    return 0"},
    )


def _os_exit(rel, src):
    return with_answers(rel, src, {"party_counts": "import os\nos._exit(1)"})


def _kernel_crash(rel, src):
    return with_answers(rel, src, {"party_counts": "import ctypes\nctypes.string_at(0)"})


def _memory_hog(rel, src):
    return with_answers(
        rel,
        src,
        {"party_counts": "hog = bytearray(8 * 1024**3)\n" + find(src, "party_counts").source},
    )


def _flood(rel, src):
    code = "for _ in range(2000):\n    print('x' * 2000)\n" + find(src, "count_active").source
    return with_answers(rel, src, {"count_active": code})


def _duplicating(gid: str) -> Callable:
    """The learner copied a cell (metadata and all) just below itself."""

    def build(rel, src):
        nb = with_answers(rel, src)
        i = next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)
        nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
        return nb

    return build


def _prints_history(rel, src):
    """Prints IPython's input history, which holds the hidden tests that already ran."""
    code = "print(In)\nprint(_ih[-2])\n" + find(src, "party_counts").source
    nb = with_answers(rel, src, {"party_counts": code})
    nb.cells.append(nbformat.v4.new_code_cell("print(In)"))
    return nb


def _quotes_caller(rel, src):
    """Raises an error whose message quotes the calling test cell's code."""
    code = (
        "import inspect\n\n"
        "def count_active(voters):\n"
        "    caller = inspect.stack()[1].frame\n"
        "    raise ValueError(inspect.getsource(caller))"
    )
    return with_answers(rel, src, {"count_active": code})


def _prints_marker(rel, src):
    code = 'print("### BEGIN HIDDEN TESTS")\n' + find(src, "count_active").source
    return with_answers(rel, src, {"count_active": code})


def _resubmission_first(rel, src):
    return copy.deepcopy(rel)


KINDS: dict[str, Callable] = {
    "correct": _correct,
    "blank": _blank,
    "wrong": _wrong,
    "visible_only": _visible_only,
    "hard_coded": _hard_coded,
    "always_equal": _always_equal,
    "test_edited_to_pass": _test_edited_to_pass,
    "tests_deleted": _tests_deleted,
    "metadata_stripped": _metadata_stripped,
    "added_and_reordered": _added_and_reordered,
    "infinite_loop": _infinite_loop,
    "sys_exit": _sys_exit,
    "os_exit": _os_exit,
    "kernel_crash": _kernel_crash,
    "memory_hog": _memory_hog,
    "flood": _flood,
    "duplicated_solution": _duplicating("count_active"),
    "duplicated_test": _duplicating("test_count_active"),
    "prints_history": _prints_history,
    "quotes_caller": _quotes_caller,
    "prints_marker": _prints_marker,
}


def write_submission(course_dir: Path, assignment: str, student: str, nb, name="exercises"):
    folder = Path(course_dir) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder / f"{name}.ipynb"


def write_raw(course_dir: Path, assignment: str, student: str, data: bytes, name="exercises"):
    folder = Path(course_dir) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.ipynb").write_bytes(data)


def invalid_json(rel) -> bytes:
    return nbformat.writes(rel).encode()[:-200]


def not_utf8(rel) -> bytes:
    text = json.dumps(nbformat.writes(rel))
    return json.loads(text).replace("Fixture", "Fixtur\u00e9").encode("latin-1", "replace")


# --------------------------------------------------------------------------- attacks (issue 9)
# Each takes the release, the source and the course folder (an attacker who knows where
# everything is), and puts its attack in the learner's Q1 answer cell. Without a sandbox each of
# these earned marks or changed files outside the submission.

REPO = Path(__file__).resolve().parents[2]

_STEAL_SOURCE = """\
import json
try:
    _nb = json.load(open(r"{course}/source/{assignment}/exercises.ipynb"))
    for _c in _nb["cells"]:
        if _c["cell_type"] == "code" and _c["metadata"].get("nbgrader", {{}}).get("solution"):
            exec("".join(_c["source"]), globals())
except Exception as _exc:
    print("blocked:", _exc)
    def count_active(voters):
        return 0
"""

_STEAL_YAML = """\
import yaml
try:
    _spec = yaml.safe_load(open(r"{repo}/tests/grading/fixtures/exercises.yml"))
    exec(_spec["setup"], globals())
    for _q in _spec["questions"]:
        if "solution" in _q and _q.get("kind") != "written":
            exec(_q["solution"], globals())
except Exception as _exc:
    print("blocked:", _exc)
    def count_active(voters):
        return 0
"""

_WRITE_GRADEBOOK = """\
import sqlite3
try:
    _con = sqlite3.connect(r"{course}/gradebook.db")
    _con.execute("UPDATE grade SET manual_score = 100")
    _con.commit()
except Exception as _exc:
    print("blocked:", _exc)
def count_active(voters):
    return 0
"""

_DETACHED = '''\
import subprocess, sys
_code = """
import sqlite3, time
time.sleep(4)
for _ in range(30):
    try:
        _con = sqlite3.connect(r"{course}/gradebook.db")
        _con.execute("UPDATE grade SET manual_score = 100")
        _con.commit()
    except Exception:
        pass
    time.sleep(1)
# {token}
"""
subprocess.Popen([sys.executable, "-c", _code], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def count_active(voters):
    return 0
'''

_ESCAPE = """\
import json, os, socket
_results = {{}}
for _path in {targets!r}:
    try:
        with open(_path, "a") as _f:
            _f.write("tampered")
        _results[_path] = "written"
    except Exception as _exc:
        _results[_path] = type(_exc).__name__
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
    _results["network"] = "connected"
except Exception as _exc:
    _results["network"] = type(_exc).__name__
print("ESCAPE", json.dumps(_results))
def count_active(voters):
    return 0
"""


def attack(template: str, **values) -> Callable:
    """A submission builder whose Q1 answer cell holds ``template`` filled with ``values``."""

    def build(rel, src):
        return with_answers(rel, src, {"count_active": template.format(**values)})

    return build


def attacks(course_dir: Path, assignment: str, *, token: str, targets: list, port: int):
    """student -> builder for each attack of issue 9's table that the sandbox defeats."""
    course_dir = Path(course_dir)
    return {
        "steal_source": attack(_STEAL_SOURCE, course=course_dir, assignment=assignment),
        "steal_yaml": attack(_STEAL_YAML, repo=REPO),
        "write_gradebook": attack(_WRITE_GRADEBOOK, course=course_dir),
        "detached": attack(_DETACHED, course=course_dir, token=token),
        "escape": attack(_ESCAPE, targets=[str(t) for t in targets], port=port),
    }
