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


def make_course(root: Path, assignment: str = ASSIGNMENT) -> Path:
    """An nbgrader course with the real config and the fixture notebook as its one assignment."""
    from bootcamp.grading import release
    from bootcamp.paths import AUTOGRADER_DIR

    course_dir = root / "course"
    course_dir.mkdir(parents=True)
    shutil.copyfile(AUTOGRADER_DIR / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    release.sync_source(FIXTURES / "exercises.ipynb", course_dir, assignment)
    release.generate(assignment, course_dir)
    return course_dir


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
