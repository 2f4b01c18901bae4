"""Chapter 6's ipywidgets explorer: live in a notebook, a meaningful static view on the web page.

The lesson's choice (see its "The live explorer" section): the view is an ordinary function; the
static page shows its default view and a small multiple of the choices, drawn by that function, and
the widget cell is shown for live use but not run when the book is built (``skip-execution``):
on a page without a kernel a widget is an empty box, and a widget made at build time would also put
its saved state and the widget JavaScript from a CDN on the page. These tests check both halves:
the built page shows the figures (counted, with their alt text) and nothing of a widget, and in a
live kernel the same cell makes a real dropdown.
"""

from __future__ import annotations

import html
import re

import jupytext
import nbclient
import nbformat
import pytest
from book_support import REPO, figures

LESSON = REPO / "chapters" / "06-exploring-and-visualizing" / "04-explorer-and-the-story.md"
PAGE = LESSON.relative_to(REPO).with_suffix("")
#: The figures the static page must show instead of the widget, by name.
STATIC_VIEWS = ("fig-ch6-explorer-default", "fig-ch6-explorer-multiples")
#: What a page shows when it carries a widget it cannot draw (myst-nb writes the widget's view as a
#: script of this type; the widget's text fallback starts with "interactive(").
WIDGET_TRACES = (
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
    "Loading widget",
    "interactive(children",
    "jupyter-widgets",
    "embed-amd",
    "require.min.js",
)


def _code_cells():
    return [cell for cell in jupytext.read(LESSON).cells if cell.cell_type == "code"]


def _widget_cells():
    return [cell for cell in _code_cells() if "widgets.interact(" in cell.source]


def test_the_widget_cell_is_shown_but_not_run_by_the_build():
    widget_cells = _widget_cells()
    assert len(widget_cells) == 1, "lesson 6.4 should have exactly one live explorer cell"
    tags = set(widget_cells[0].metadata.get("tags", []))
    assert {"skip-execution", "remove-output"} <= tags, (
        "the build must not make the widget (its state and scripts would land on the page)"
    )
    assert not tags & {"remove-cell", "remove-input", "hide-input"}, (
        "learners must see the widget code, to run it live"
    )


def test_the_static_views_are_drawn_by_the_function_the_widget_calls():
    widget = _widget_cells()[0].source
    called = re.search(r"widgets\.interact\(\s*(\w+)", widget)[1]
    declared = {figure.name: figure for figure in figures(LESSON)}
    assert set(STATIC_VIEWS) <= set(declared), f"missing static views: {STATIC_VIEWS}"
    sources = _code_cells()
    default = sources[declared["fig-ch6-explorer-default"].cell - 1].source
    assert f"def {called}(" in default, "the default view's cell must define the widget's function"
    assert re.search(rf"^{called}\(", default, re.M), "and draw its default view with it"
    for name in STATIC_VIEWS:
        assert len(declared[name].alt) > 100, f"{name}: alt text should describe the view"
        assert declared[name].caption


@pytest.mark.slow
def test_the_built_page_shows_the_static_views_and_no_widget_placeholder(built_book):
    page = (built_book.html / f"{PAGE}.html").read_text(encoding="utf-8")
    article = page.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]
    images = re.findall(r"<img\b[^>]*>", article)
    alts = [html.unescape(m[1]) for img in images if (m := re.search(r'\balt="([^"]*)"', img))]
    declared = {figure.name: figure for figure in figures(LESSON)}
    assert len(images) == len(declared) >= len(STATIC_VIEWS)
    for name in STATIC_VIEWS:
        assert declared[name].alt in alts, f"the page lacks the image of {name}"
        assert f'id="{name}"' in article, f"the page lacks the figure {name}"
    for trace in WIDGET_TRACES:
        assert trace not in page, f"the page carries a widget it cannot draw: {trace!r}"
    text = html.unescape(re.sub(r"<[^>]+>", "", article))
    assert "widgets.interact(draw_profile" in text, "the widget code is not shown for live use"


@pytest.mark.slow
def test_the_widget_cell_makes_a_dropdown_in_a_live_kernel(monkeypatch):
    """Run the lesson as a learner does (no cell skipped): the cell displays a real widget."""
    from bootcamp.plotting import kernel_environment

    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = jupytext.read(LESSON)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        skip_cells_with_tag="no-cell-is-skipped",
        resources={"metadata": {"path": str(LESSON.parent)}},
    )
    client.execute(env=kernel_environment())
    cells = [c for c in notebook.cells if c.cell_type == "code" and "widgets.interact(" in c.source]
    assert len(cells) == 1
    outputs = cells[0].get("outputs", [])
    assert not [out for out in outputs if out.get("output_type") == "error"]
    views = [out for out in outputs if WIDGET_TRACES[0] in out.get("data", {})]
    assert len(views) == 1, "the explorer cell did not display a widget in a live kernel"
    state = notebook.metadata["widgets"][WIDGET_TRACES[1]]["state"]
    dropdowns = [m for m in state.values() if m["model_name"] == "DropdownModel"]
    assert len(dropdowns) == 1, "the explorer has no dropdown"
    from bootcamp import data

    precincts = data.load("precincts")["precinct_abbrv"]
    assert sorted(dropdowns[0]["state"]["_options_labels"]) == sorted(precincts), (
        "the dropdown should offer every precinct"
    )


def test_the_runnable_notebook_keeps_the_explorer():
    """Colab, Binder and the download button open notebooks/...: the dropdown must be there."""
    runnable = REPO / "notebooks" / PAGE.with_suffix(".ipynb")
    cells = nbformat.read(runnable, as_version=4).cells
    sources = [c.source for c in cells if c.cell_type == "code"]
    assert sum("widgets.interact(draw_profile" in s for s in sources) == 1
    assert sum("def draw_profile(" in s for s in sources) == 1
