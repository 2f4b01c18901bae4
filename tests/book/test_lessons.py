"""Every lesson in the table of contents runs top to bottom, quickly, on the default dataset."""

from __future__ import annotations

import pytest
from book_support import REPO, LessonFailed, lesson_paths, run_lesson

LESSONS = lesson_paths()


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=[str(p.relative_to(REPO)) for p in LESSONS])
def test_lesson_executes(path):
    run = run_lesson(path)
    assert run.seconds < 60, f"{path.name} took {run.seconds:.0f} s: keep lessons under a minute"


def test_a_broken_lesson_is_reported_by_notebook_and_cell(tmp_path):
    lesson = tmp_path / "broken.md"
    lesson.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# Broken\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\nraise ValueError('precinct 12 is missing')\n```\n"
    )
    with pytest.raises(LessonFailed) as failure:
        run_lesson(lesson)
    message = str(failure.value)
    assert "broken.md" in message
    assert "code cell 2, line 18" in message
    assert "ValueError: precinct 12 is missing" in message


def test_there_are_lessons():
    assert len(LESSONS) >= 2
