"""Everything ``bootcamp grade`` writes to or reads from nbgrader's gradebook.

Only the grading process calls the writers, and only after a submission's sandbox is gone.
:func:`iter_scores` is the one way grades are read back (grading summary, export, report).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode


@dataclass(frozen=True)
class Score:
    """One graded cell of one submission."""

    student: str
    assignment: str
    notebook: str
    question: str  # the grade cell's grade_id
    position: int  # a stable order of the questions in their notebook (export columns)
    cell_type: str  # "code" (autograded test) or "markdown" (written answer)
    score: float | None
    max_score: float
    needs_manual_grade: bool


def iter_scores(db_url: str, assignment: str | None = None) -> Iterator[Score]:
    """Every graded cell of every submission (of one assignment, or all), students sorted."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        assignments = [gb.find_assignment(assignment)] if assignment else gb.assignments
        for a in assignments:
            order = {
                (nb.name, cell.name): i
                for nb in a.notebooks
                for i, cell in enumerate(sorted(nb.grade_cells, key=lambda c: c.id))
            }
            for submission in sorted(a.submissions, key=lambda s: s.student.id):
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        yield Score(
                            student=submission.student.id,
                            assignment=a.name,
                            notebook=nb.name,
                            question=grade.name,
                            position=order.get((nb.name, grade.name), 0),
                            cell_type=grade.cell.cell_type,
                            score=grade.score,
                            max_score=grade.max_score,
                            needs_manual_grade=bool(grade.needs_manual_grade),
                        )


def autograded_totals(db_url: str, assignment: str) -> dict[str, tuple[float, float]]:
    """student -> (autograded score, autograded maximum): code cells only."""
    out: dict[str, tuple[float, float]] = {}
    for s in iter_scores(db_url, assignment):
        if s.cell_type != "code":
            continue
        score, max_score = out.get(s.student, (0.0, 0.0))
        out[s.student] = (score + (s.score or 0), max_score + s.max_score)
    return out


def zero_notebook(db_url: str, assignment: str, student: str, name: str) -> None:
    """Give a notebook that cannot be run zero autograded points and flag it for a person."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            gb.update_or_create_submission(assignment, student)
        submission = gb.find_submission_notebook(name, assignment, student)
        for grade in submission.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = True
        gb.db.commit()


def flag_notebook(db_url: str, assignment: str, student: str, name: str) -> None:
    """Mark every grade of a notebook as needing a person (nbgrader's formgrader shows it)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        for grade in gb.find_submission_notebook(name, assignment, student).grades:
            grade.needs_manual_grade = True
        gb.db.commit()


def save_grades(
    config, preprocessors: list[type], nb: NotebookNode, assignment: str, student: str, name: str
) -> NotebookNode:
    """Run nbgrader's saving preprocessors (SaveAutoGrades and what follows it) on ``nb``."""
    resources = {
        "nbgrader": {
            "notebook": name,
            "assignment": assignment,
            "student": student,
            "db_url": config.CourseDirectory.db_url,
        }
    }
    for step in preprocessors:
        nb, resources = step(config=config)(nb, resources)  # __call__ honors .enabled
    return nb


def db_path(db_url: str) -> Path | None:
    """The SQLite file behind a gradebook URL (None for other databases)."""
    prefix = "sqlite:///"
    return Path(db_url[len(prefix) :]) if db_url.startswith(prefix) else None
