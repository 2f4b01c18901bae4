"""Issue 9, end to end: the in-kernel attacks score zero through `bootcamp grade` with the trusted
judge (``c.BootcampGrade.trusted_steps = ["bootcamp.grading.judge.Judge"]`` in the course's
nbgrader_config.py), graded in one batch with a correct and an untouched blank submission.

test_judge.py proves the judge with a small harness; here the same attacks go through the real
pipeline: nbgrader's sanitize steps, Judge.before, the kernel in its sandbox (inbox read-only,
outbox writable), Judge.after and the gradebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import submissions as S
from test_judge import ATTACKS, _typed_in_answers

from bootcamp.grading import grade, results
from bootcamp.paths import AUTOGRADER_DIR, CHAPTERS_DIR

pytestmark = pytest.mark.slow

CH1, CH2 = "01-voter-file", "02-sql-basics"
JUDGE = "bootcamp.grading.judge.Judge"

VALUES = '''inactive_reasons_sql = """
SELECT column1 AS reason_cd, column2 AS voter_status_reason_desc
FROM (VALUES ('IN', 'CONFIRMATION NOT RETURNED'), ('IU', 'CONFIRMATION RETURNED UNDELIVERABLE'))
"""'''


def _answer_ids(nb) -> list[str]:
    return [
        S.grade_id(c)
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    ]


def _notebooks(course: Path, assignment: str):
    rel = nbformat.read(course / "release" / assignment / "exercises.ipynb", 4)
    src = nbformat.read(course / "source" / assignment / "exercises.ipynb", 4)
    return rel, src


def _ch1_submissions(rel, src) -> dict:
    first = _answer_ids(src)[0]
    out = {"correct": S.with_answers(rel, src), "blank": rel}
    for name, code in ATTACKS.items():  # in the first answer cell, the rest left blank
        out[re.sub(r"\W+", "_", name)] = S.blank_with(rel, {first: code})
    typed = {gid: "pass" for gid in _answer_ids(src)}
    typed[first] = _typed_in_answers(src)  # data.load / data.read patched, answers typed in
    out["patched_data_typed_in"] = S.blank_with(rel, typed)
    return out


def _ch2_submissions(rel, src) -> dict:
    first = _answer_ids(src)[0]
    return {
        "correct": S.with_answers(rel, src),
        "blank": rel,
        "sql_values": S.with_answers(rel, src, {"inactive_reasons_sql": VALUES}),
        "no_op_checks": S.blank_with(rel, {first: ATTACKS["no-op checks"]}),
        "input_transformer": S.blank_with(
            rel, {first: ATTACKS["input transformer turns check cells into pass"]}
        ),
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Both chapters graded once, judge on: {assignment: (course, {student: Outcome})}."""
    config = (AUTOGRADER_DIR / "nbgrader_config.py").read_text()
    assert re.search(r"^c\.BootcampGrade\.trusted_steps = \[.*Judge", config, re.M)
    course = S.make_course(tmp_path_factory.mktemp("judged"), CH1, CHAPTERS_DIR / CH1 / S.NB)
    S.add_assignment(course, CH2, CHAPTERS_DIR / CH2 / S.NB)
    graded = {}
    for assignment, build in ((CH1, _ch1_submissions), (CH2, _ch2_submissions)):
        for student, nb in build(*_notebooks(course, assignment)).items():
            S.write_submission(course, assignment, student, nb)
        outcomes = grade.grade(assignment, course_dir=course, jobs=2, progress=False)
        graded[assignment] = {o.student: o for o in outcomes}
    return course, graded


def _test_cells(nb) -> list:
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata.get("nbgrader", {}).get("solution")
    ]


def test_correct_full_marks_blank_zero_judged_outside(batch):
    course, graded = batch
    for assignment in (CH1, CH2):
        points = grade.scores(course, assignment)
        got, top = points["correct"]
        assert top > 0 and got == top, (assignment, points["correct"])
        assert points["blank"] == (0, top)
        assert not graded[assignment]["correct"].flags
        nb = nbformat.read(course / "autograded" / "correct" / assignment / S.NB, 4)
        cells = _test_cells(nb)
        assert len(cells) >= 8
        for cell in cells:  # the judge's verdict, not the kernel's own hidden test
            assert "_bootcamp_capture.record(" in cell.source and "hidden_test" not in cell.source
            label = re.search(r'record[(]"(Q\d+)"', cell.source).group(1)
            assert [o.get("text", "") for o in cell.outputs] == [f"{label} passed.\n"]


@pytest.mark.parametrize(
    "student",
    [re.sub(r"\W+", "_", name) for name in ATTACKS] + ["patched_data_typed_in"],
)
def test_chapter1_in_kernel_attacks_score_zero(batch, student):
    course, graded = batch
    got, top = grade.scores(course, CH1)[student]
    assert top > 0 and got == 0, f"{student} scored {got} / {top}"


@pytest.mark.parametrize("student", ["no_op_checks", "input_transformer"])
def test_chapter2_in_kernel_attacks_score_zero(batch, student):
    course, _ = batch
    got, top = grade.scores(course, CH2)[student]
    assert top > 0 and got == 0, f"{student} scored {got} / {top}"


def test_typed_in_sql_values_scores_zero_on_q4_only(batch):
    course, _ = batch
    _, rows = results.question_scores(course, CH2)
    row = next(r for r in rows if r["student"] == "sql_values")
    right = next(r for r in rows if r["student"] == "correct")
    assert right["test_inactive_reasons_sql"] > 0 and row["test_inactive_reasons_sql"] == 0
    others = [k for k in right if k.startswith("test_") and k != "test_inactive_reasons_sql"]
    assert len(others) >= 8 and all(row[k] == right[k] for k in others)
    nb = nbformat.read(course / "autograded" / "sql_values" / CH2 / S.NB, 4)
    cell = next(c for c in nb.cells if S.grade_id(c) == "test_inactive_reasons_sql")
    assert cell.outputs[0]["evalue"].startswith("Q4: on hidden test case")  # a 1% sample


def test_the_attack_scores_without_the_judge(tmp_path):
    """Control: the same pipeline with no trusted steps (in-kernel hidden tests) is fooled by
    the no-op attack, so the zeros above are the judge's doing."""
    course = S.make_course(tmp_path, CH1, CHAPTERS_DIR / CH1 / S.NB)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.BootcampGrade.trusted_steps = []\n")
    rel, src = _notebooks(course, CH1)
    first = _answer_ids(src)[0]
    S.write_submission(course, CH1, "no_op", S.blank_with(rel, {first: ATTACKS["no-op checks"]}))
    grade.grade(CH1, course_dir=course, jobs=1, progress=False)
    got, top = grade.scores(course, CH1)["no_op"]
    assert top > 0 and got == top
