"""Every lesson in the table of contents runs top to bottom, quickly, on the default dataset."""

from __future__ import annotations

import pytest
from book_support import REPO, LessonFailed, figures, lesson_paths, run_lesson

LESSONS = lesson_paths()
IDS = [str(p.relative_to(REPO)) for p in LESSONS]


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_executes(path, monkeypatch):
    # Tests and scripts draw with Agg; the lesson's kernel must still show its charts inline.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run = run_lesson(path)
    assert run.seconds < 60, f"{path.name} took {run.seconds:.0f} s: keep lessons under a minute"
    code_cells = [cell for cell in run.notebook.cells if cell.cell_type == "code"]
    for figure in figures(path):
        if not figure.cell:
            continue  # a {glue:figure}: the built page is checked in test_build.py
        outputs = code_cells[figure.cell - 1].get("outputs", [])
        images = [out for out in outputs if "image/png" in out.get("data", {})]
        assert len(images) == 1, (
            f"{path.name} code cell {figure.cell} ({figure.name or 'a chart'}) shows "
            f"{len(images)} images: a figure cell must display exactly one chart"
        )


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_figure_declares_alt_text_and_a_caption(path):
    for figure in figures(path):
        where = f"{figure.page} code cell {figure.cell}"
        assert len(figure.alt) > 30, (
            f"{where} draws a chart without real alt text (mystnb.image.alt)"
        )
        assert figure.caption and figure.name, f"{where}: give the figure a caption and a name"


def test_the_lessons_have_their_figures():
    """Lessons 1.1, 1.2, 2.3, 2.4, 3.1, 3.3 and 3.4 each draw one chart; the detection must find
    them."""
    found = {(figure.page, figure.name) for path in LESSONS for figure in figures(path)}
    expected = {
        ("chapters/01-voter-file/01-what-is-a-voter-file", "fig-ch1-party"),
        ("chapters/01-voter-file/02-filter-count-sort", "fig-ch1-age"),
        ("chapters/02-sql-basics/03-count-and-group", "fig-ch2-county"),
        ("chapters/02-sql-basics/04-null-and-pandas", "fig-ch2-party-share"),
        ("chapters/03-joins/01-keys-and-joins", "fig-ch3-schema"),
        ("chapters/03-joins/03-turnout-rates", "fig-ch3-turnout-age"),
        ("chapters/03-joins/04-window-functions", "fig-ch3-frequency"),
    }
    assert expected <= found, f"figures not found: {sorted(expected - found)}"


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
