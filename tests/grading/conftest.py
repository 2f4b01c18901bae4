"""Fixtures for the grading tests: a throw-away nbgrader course holding the fixture exercise
notebook (tests/grading/fixtures/exercises.ipynb, built from exercises.yml), and a batch of
submissions graded once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import submissions as S  # noqa: E402

ASSIGNMENT = S.ASSIGNMENT
JOBS = 2
CELL_TIMEOUT = 5


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    return S.make_course(tmp_path_factory.mktemp("grading"))


@pytest.fixture(scope="session")
def notebooks(course):
    release_nb = nbformat.read(course / "release" / ASSIGNMENT / "exercises.ipynb", 4)
    source_nb = nbformat.read(course / "source" / ASSIGNMENT / "exercises.ipynb", 4)
    return release_nb, source_nb


@pytest.fixture(scope="session")
def graded(course, notebooks):
    """Every kind of submission, graded in one parallel batch: {student: Outcome}."""
    from bootcamp.grading import grade

    rel, src = notebooks
    for kind, build in S.KINDS.items():
        S.write_submission(course, ASSIGNMENT, kind, build(rel, src))
    S.write_raw(course, ASSIGNMENT, "invalid_json", S.invalid_json(rel))
    S.write_raw(course, ASSIGNMENT, "not_utf8", S.not_utf8(rel))
    S.write_submission(course, ASSIGNMENT, "wrong_name", S.KINDS["correct"](rel, src), "Exercises")
    S.write_submission(course, ASSIGNMENT, "resubmitter", rel)  # blank first, fixed later
    outcomes = grade.grade(
        ASSIGNMENT,
        course_dir=course,
        jobs=JOBS,
        cell_timeout=CELL_TIMEOUT,
        notebook_timeout=90,
        progress=False,
    )
    return {o.student: o for o in outcomes}
