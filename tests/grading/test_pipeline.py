"""End to end: a batch of good, wrong and hostile submissions through `bootcamp grade`."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import submissions as S
from conftest import ASSIGNMENT, CELL_TIMEOUT, JOBS

from bootcamp.grading import feedback, grade, release, results, selfcheck

pytestmark = pytest.mark.slow

# autograded points out of 5 (Q1: 2, Q2: 2, Q3: 1) and whether a person must look at it
EXPECTED = {
    "correct": (5, False),
    "blank": (0, False),
    "wrong": (0, False),
    "visible_only": (3, False),  # hidden tests on other seeds catch it
    "hard_coded": (3, False),
    "always_equal": (3, False),
    "test_edited_to_pass": (3, False),  # locked cell restored from the gradebook
    "tests_deleted": (3, False),  # test cell put back
    "metadata_stripped": (3, False),  # tests put back at the end
    "added_and_reordered": (5, False),
    "infinite_loop": (3, True),
    "sys_exit": (3, False),  # SystemExit is an ordinary error in a kernel
    "os_exit": (2, True),
    "kernel_crash": (2, True),
    "memory_hog": (3, False),  # MemoryError under the kernel's memory limit
    "flood": (5, False),
    "duplicated_solution": (5, False),  # was 0: KeyError 'grade_id' ("see the above traceback")
    "duplicated_test": (5, False),
    "prints_history": (5, False),
    "quotes_caller": (3, False),
    "prints_marker": (5, False),
    "invalid_json": (0, True),
    "not_utf8": (0, True),
    "wrong_name": (0, True),
    "resubmitter": (0, False),
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_score_and_flag(course, graded, student):
    points = grade.scores(course, ASSIGNMENT)
    want_points, want_flag = EXPECTED[student]
    assert points[student] == (want_points, 5)
    assert bool(graded[student].flags) == want_flag, graded[student].flags


def test_reasons_are_clear(graded):
    reasons = {s: " ".join(r for _, r in o.flags) for s, o in graded.items()}
    assert "longer than" in reasons["infinite_loop"]
    assert "kernel died" in reasons["os_exit"]
    assert "kernel died" in reasons["kernel_crash"]
    assert "JSON" in reasons["invalid_json"]
    assert "UTF-8" in reasons["not_utf8"]
    assert "Exercises.ipynb" in reasons["wrong_name"]
    notes = {s: " ".join(r for _, r in o.notes) for s, o in graded.items()}
    assert "test_count_active" in notes["test_edited_to_pass"]
    assert "test_count_active" in notes["tests_deleted"]
    assert "truncated" in notes["flood"]
    assert "count_active appears 2 times" in notes["duplicated_solution"]
    assert "test_count_active appears 2 times" in notes["duplicated_test"]


def test_flagged_rows_need_manual_grade(course, graded):
    columns, rows = results.question_scores(course, ASSIGNMENT)
    manual = {r["student"] for r in rows if r["needs_manual_grade"]}
    assert {"infinite_loop", "os_exit", "invalid_json", "wrong_name"} <= manual
    assert "correct" not in manual
    flags = grade.read_flags(course, ASSIGNMENT)
    assert {f["student"] for f in flags if f["kind"] == "manual"} == {
        s for s, (_, flag) in EXPECTED.items() if flag
    }


def test_output_is_capped(course, graded):
    path = course / "autograded" / "flood" / ASSIGNMENT / "exercises.ipynb"
    assert path.stat().st_size < 1_000_000


def test_resubmission_and_idempotent_regrade(course, graded, notebooks):
    rel, src = notebooks
    before = grade.scores(course, ASSIGNMENT)
    time.sleep(1.1)  # a later timestamp, as a real resubmission would have
    folder = S.write_submission(course, ASSIGNMENT, "resubmitter", S.KINDS["correct"](rel, src))
    (folder.parent / "timestamp.txt").write_text("2030-01-01 12:00:00")
    grade.grade(
        ASSIGNMENT,
        course_dir=course,
        jobs=JOBS,
        students=["resubmitter", "wrong", "correct"],
        cell_timeout=CELL_TIMEOUT,
        progress=False,
    )
    after = grade.scores(course, ASSIGNMENT)
    assert after["resubmitter"] == (5, 5)
    assert {s: v for s, v in after.items() if s != "resubmitter"} == {
        s: v for s, v in before.items() if s != "resubmitter"
    }


def test_feedback_hides_hidden_tests(course, graded, notebooks):
    _, src = notebooks
    students = ["wrong", "visible_only", "correct", "prints_history", "quotes_caller"]
    students += ["prints_marker"]  # printing the marker used to make `bootcamp feedback` exit 2
    written = feedback.generate(ASSIGNMENT, course, students)
    assert len(written) == len(students)
    hidden_lines = []
    for cell in src.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            region = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN")[0]
            hidden_lines += [line.strip() for line in region.splitlines() if len(line.strip()) > 12]
    assert hidden_lines
    for html in written[:3]:
        text = html.read_text(encoding="utf-8")
        leaked = [
            line for line in hidden_lines if line in text or line.replace('"', "&quot;") in text
        ]
        assert not leaked, (html, leaked)
    # outputs of every cell, as feedback shows them (the learners' own code may hold the same
    # lines as the reference, so sources are not searched)
    from bootcamp.grading.preprocessors import HideHiddenTests

    def outputs(student: str, hide: bool) -> str:
        path = course / "autograded" / student / ASSIGNMENT / "exercises.ipynb"
        nb = nbformat.read(path, 4)
        if hide:
            nb, _ = HideHiddenTests().preprocess(nb, {})
        return json.dumps([c.get("outputs", []) for c in nb.cells])

    def leaks(text: str) -> list[str]:
        return [h for h in hidden_lines if json.dumps(h)[1:-1] in text]

    for student in students:
        assert not leaks(outputs(student, hide=True)), student
    for student in ("prints_history", "quotes_caller"):  # they did show hidden code
        assert leaks(outputs(student, hide=False)), student
    visible = (course / "feedback" / "visible_only" / ASSIGNMENT / "exercises.html").read_text()
    assert "on test data set 1" in visible  # the hidden test's message, not its code


def test_export_and_report(course, graded):
    out = results.export(course, assignment=ASSIGNMENT)
    rows = list(csv.DictReader(out.open()))
    assert {r["student"] for r in rows} >= set(EXPECTED) - {"resubmitter"}
    row = next(r for r in rows if r["student"] == "always_equal")
    assert float(row["test_count_active"]) == 0 and float(row["test_party_counts"]) == 2
    folder, table = results.report(course, ASSIGNMENT)
    assert (folder / "report.png").stat().st_size > 1000
    assert {r["question"] for r in table} == {
        "test_count_active",
        "test_party_counts",
        "test_sql_seniors",
    }


def test_self_check(course, graded, notebooks, tmp_path, capsys):
    rel, src = notebooks
    blank = tmp_path / "blank.ipynb"
    nbformat.write(rel, blank)
    questions = selfcheck.run(blank)
    assert [q.status for q in questions] == ["not attempted"] * 3 + ["written (blank)"]
    assert [q.label for q in questions] == ["Q1", "Q2", "Q3", "Q4"]  # the written one too
    wrong = tmp_path / "wrong.ipynb"
    nbformat.write(S.KINDS["wrong"](rel, src), wrong)
    assert selfcheck.main(wrong) == 1
    shown = capsys.readouterr().out
    assert "keep only ACTIVE voters" in shown and "failed" in shown
    right = tmp_path / "right.ipynb"
    nbformat.write(S.KINDS["correct"](rel, src), right)
    assert selfcheck.main(right) == 0
    assert "points so far: 5 / 5" in capsys.readouterr().out


def test_release_to_chapter(tmp_path):
    chapters = tmp_path / "chapters"
    (chapters / "01-example").mkdir(parents=True)
    (chapters / "01-example" / "exercises.ipynb").write_bytes(
        (S.FIXTURES / "exercises.ipynb").read_bytes()
    )
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    (course_dir / "nbgrader_config.py").write_text(
        (Path(release.__file__).parents[2] / "autograder" / "nbgrader_config.py").read_text()
    )
    written = release.release(course_dir=course_dir, chapters_dir=chapters, verbose=False)
    student = chapters / "01-example" / "exercises-student.ipynb"
    assert written == [student]
    nb = nbformat.read(student, 4)
    text = nbformat.writes(nb)
    assert "BEGIN HIDDEN TESTS" not in text and "def reference" not in text
    assert (
        "raise NotImplementedError()" in text
        and '(voters[\\"status\\"] == \\"A\\").sum()' not in text
    )
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def plain_nbgrader(course, *args: str) -> subprocess.CompletedProcess:
    """Run the nbgrader command from the course folder, as an instructor would."""
    bin_dir = Path(sys.executable).parent
    return subprocess.run(
        [str(bin_dir / "nbgrader"), *args],
        cwd=course,
        env=dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_plain_nbgrader_autograde_still_works(course, graded):
    done = plain_nbgrader(course, "autograde", ASSIGNMENT, "--student", "tests_deleted", "--force")
    assert done.returncode == 0, done.stderr[-2000:]
    assert grade.scores(course, ASSIGNMENT)["tests_deleted"] == (3, 5)


def test_plain_nbgrader_list_works_out_of_the_box(course):
    """A fresh clone has no exchange folder (git keeps no empty folders): `nbgrader list` must
    still work from the course directory."""
    shutil.rmtree(course / "exchange", ignore_errors=True)
    done = plain_nbgrader(course, "list")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Unwritable" not in done.stderr


def test_lms_zip_is_collected_into_submitted(tmp_path, notebooks):
    """`bootcamp grade --zip`: nbgrader's zip_collect files an LMS download per student."""
    import zipfile

    course_dir = S.make_course(tmp_path)
    rel, _ = notebooks
    archive = tmp_path / "downloads.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice_attempt_2026-11-26_exercises.ipynb", nbformat.writes(rel))
        zf.writestr("bob/exercises.ipynb", nbformat.writes(rel))
    grade._collect_zip(archive, ASSIGNMENT, course_dir)
    for student in ("alice", "bob"):
        assert (course_dir / "submitted" / student / ASSIGNMENT / "exercises.ipynb").exists()
