"""Issue 9: the sandbox, the trusted-steps hook and the gradebook's integrity.

Each attack here earned marks, or changed files outside its submission, when kernels ran
unsandboxed (``BOOTCAMP_SANDBOX=none`` reproduces that); now each scores zero and leaves
everything outside its sandbox untouched.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time
import uuid
from pathlib import Path

import nbformat
import pytest
import submissions as S
from conftest import ASSIGNMENT

from bootcamp.errors import BootcampError
from bootcamp.grading import grade, sandbox
from bootcamp.paths import datasets_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sandbox.detect() == "none", reason="no sandbox on this machine"),
]


def _outputs_text(nb, grade_id: str) -> str:
    cell = S.find(nb, grade_id)
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def _digest(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    course = S.make_course(tmp_path_factory.mktemp("attacks"))
    rel = nbformat.read(course / "release" / ASSIGNMENT / "exercises.ipynb", 4)
    src = nbformat.read(course / "source" / ASSIGNMENT / "exercises.ipynb", 4)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    token = f"bootcamp-detached-{uuid.uuid4().hex}"
    probes = [S.REPO / "bootcamp" / ".sandbox-probe", datasets_dir() / ".sandbox-probe"]
    for probe in probes:
        probe.write_text("untouched")
    victim = S.write_submission(course, ASSIGNMENT, "victim", S.KINDS["correct"](rel, src))
    S.write_submission(course, ASSIGNMENT, "blank", S.KINDS["blank"](rel, src))
    outside = Path("/tmp") / f"{token}.marker"
    targets = [
        victim,
        course / "gradebook.db",
        course / "source" / ASSIGNMENT / "exercises.ipynb",
        *probes,
        outside,
    ]
    builders = S.attacks(
        course, ASSIGNMENT, token=token, targets=targets, port=listener.getsockname()[1]
    )
    for student, build in builders.items():
        S.write_submission(course, ASSIGNMENT, student, build(rel, src))
    before = {t: _digest(t) for t in targets if t != course / "gradebook.db"}
    outcomes = grade.grade(
        ASSIGNMENT,
        course_dir=course,
        jobs=2,
        cell_timeout=10,
        notebook_timeout=120,
        progress=False,
    )
    yield {
        "course": course,
        "outcomes": {o.student: o for o in outcomes},
        "attackers": sorted(builders),
        "listener": listener,
        "token": token,
        "before": before,
        "outside": outside,
        "scores": grade.scores(course, ASSIGNMENT),
    }
    listener.close()
    for probe in probes:
        probe.unlink(missing_ok=True)


def _autograded(course: Path, student: str):
    return nbformat.read(course / "autograded" / student / ASSIGNMENT / "exercises.ipynb", 4)


def test_attackers_score_zero_and_victims_keep_their_grades(attacked):
    """The attacks sit in Q1's answer cell (Q2 and Q3 are answered right): Q1 scores zero."""
    scores = attacked["scores"]
    for student in attacked["attackers"]:
        assert scores[student] == (3, 5), student
        assert not attacked["outcomes"][student].flags, student
    assert scores["victim"] == (5, 5) and scores["blank"] == (0, 5)


@pytest.mark.parametrize("student", ["steal_source", "steal_yaml"])
def test_solutions_are_not_visible(attacked, student):
    text = _outputs_text(_autograded(attacked["course"], student), "count_active")
    assert "blocked:" in text and ("No such file" in text or "Errno 2" in text), text


def test_kernel_cannot_write_outside_its_sandbox(attacked):
    nb = _autograded(attacked["course"], "escape")
    line = next(x for x in _outputs_text(nb, "count_active").splitlines() if x.startswith("ESCAPE"))
    results = json.loads(line.split(" ", 1)[1])
    assert len(results) == 6 + 1  # six files and the network
    outside = str(attacked["outside"])  # /tmp inside the sandbox is its own: writing is fine
    assert "written" not in [v for k, v in results.items() if k != outside], results
    assert results["network"] != "connected"
    for path, digest in attacked["before"].items():
        assert _digest(path) == digest, path
    assert not attacked["outside"].exists()
    with pytest.raises(BlockingIOError):
        attacked["listener"].accept()  # nobody ever connected


def test_nothing_outlives_the_notebook(attacked):
    """The detached process died with its sandbox: no process carries its token, and the
    gradebook still holds the same grades after the time it would have struck."""
    time.sleep(6)
    token = attacked["token"].encode()
    alive = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if token in (proc / "cmdline").read_bytes():
                    alive.append(proc.name)
            except OSError:
                pass
    assert not alive
    assert grade.scores(attacked["course"], ASSIGNMENT) == attacked["scores"]
    with sqlite3.connect(attacked["course"] / "gradebook.db") as con:
        assert con.execute("SELECT count(*) FROM grade WHERE manual_score = 100").fetchone() == (0,)


# --------------------------------------------------------------------------- integrity


@pytest.fixture
def fresh_course(tmp_path):
    course = S.make_course(tmp_path)
    rel = nbformat.read(course / "release" / ASSIGNMENT / "exercises.ipynb", 4)
    S.write_submission(course, ASSIGNMENT, "blank", rel)
    return course


def test_changed_source_is_refused(fresh_course):
    path = fresh_course / "source" / ASSIGNMENT / "exercises.ipynb"
    nb = nbformat.read(path, 4)
    S.find(nb, "test_count_active").source = "pass"
    nbformat.write(nb, path)
    with pytest.raises(BootcampError, match="refusing to grade") as info:
        grade.grade(ASSIGNMENT, course_dir=fresh_course, jobs=1, progress=False)
    assert "\n" not in str(info.value) and "checksum" in str(info.value)


def test_changed_gradebook_test_cell_is_refused(fresh_course):
    with sqlite3.connect(fresh_course / "gradebook.db") as con:
        changed = con.execute(
            "UPDATE source_cell SET source = 'pass' WHERE name = 'test_count_active'"
        ).rowcount
    assert changed == 1
    with pytest.raises(BootcampError, match="gradebook's copy of 1 test") as info:
        grade.grade(ASSIGNMENT, course_dir=fresh_course, jobs=1, progress=False)
    assert "\n" not in str(info.value)


def test_release_again_accepts_an_intended_change(fresh_course):
    from bootcamp.grading import release

    path = fresh_course / "source" / ASSIGNMENT / "exercises.ipynb"
    path.write_text(path.read_text().replace("Active voters", "ACTIVE voters"))
    release.generate(ASSIGNMENT, fresh_course)
    outcomes = grade.grade(ASSIGNMENT, course_dir=fresh_course, jobs=1, progress=False)
    assert [o.student for o in outcomes] == ["blank"]


# --------------------------------------------------------------------------- trusted steps


def test_trusted_steps_judge_outside_the_kernel(tmp_path):
    from trusted_step import InboxOutboxStep

    course = S.make_course(tmp_path)
    config = course / "nbgrader_config.py"
    config.write_text(
        config.read_text() + '\nc.BootcampGrade.trusted_steps = ["trusted_step.InboxOutboxStep"]\n'
    )
    rel = nbformat.read(course / "release" / ASSIGNMENT / "exercises.ipynb", 4)
    src = nbformat.read(course / "source" / ASSIGNMENT / "exercises.ipynb", 4)
    for kind in ("correct", "wrong", "blank"):
        S.write_submission(course, ASSIGNMENT, kind, S.KINDS[kind](rel, src))
    InboxOutboxStep.seen.clear()
    grade.grade(ASSIGNMENT, course_dir=course, jobs=2, cell_timeout=10, progress=False)
    seen = dict(InboxOutboxStep.seen)
    assert seen["correct"] == {"answer": 4, "inbox_writable": False}
    assert seen["wrong"]["answer"] == 7
    assert "NotImplementedError" in seen["blank"]["answer"]
    scores = grade.scores(course, ASSIGNMENT)
    # Q1 (2) judged by the step, Q2 (2) by its own hidden test, Q3 (1) failed by the step
    assert scores == {"correct": (4, 5), "wrong": (0, 5), "blank": (0, 5)}
    executed = _autograded(course, "correct")
    assert "reference" not in S.find(executed, "test_count_active").source
    assert _outputs_text(executed, "test_count_active") == "Q1 passed.\n"
