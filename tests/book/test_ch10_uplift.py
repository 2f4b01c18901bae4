"""Chapter 10, lesson 3 on two other seeds: the uplift model finds more of the truly movable voters
than random targeting, and the persuasion test is too small to measure its effect.

The lesson asserts both on the course data; here its visible code cells run unchanged on two other
county-sized states generated with the project's generator (into a temporary folder), with
``data.load`` pointed at them.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from bootcamp import data
from bootcamp.synth.build import build
from bootcamp.synth.config import Config

LESSON = (
    Path(__file__).resolve().parents[2]
    / "chapters/10-support-and-persuasion/03-uplift-from-the-experiment.md"
)
SEEDS = (3, 4)
SKIPPED = {"remove-cell", "remove-input", "hide-input"}


def lesson_cells() -> list[str]:
    """The lesson's visible code cells, in order (what a learner runs)."""
    notebook = jupytext.read(LESSON)
    return [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and not SKIPPED & set(cell.metadata.get("tags", []))
    ]


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def lesson_on_seed(request, tmp_path_factory, monkeypatch_module):
    folder = tmp_path_factory.mktemp(f"county-{request.param}") / "data"
    build(Config("county", seed=request.param), folder, ("parquet",))
    monkeypatch_module.setattr(data, "load", lambda name, **_: data.read(folder, name))
    namespace: dict = {}
    cells = lesson_cells()
    assert len(cells) >= 8, "the lesson's visible code cells are missing"
    for source in cells:
        exec(compile(source, str(LESSON), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.mark.slow
def test_uplift_model_finds_more_truly_movable_than_random(lesson_on_seed):
    ns = lesson_on_seed
    found = ns["truly_movable"][ns["model_top"]].mean()
    # random targeting finds a quarter of the truly movable in any quarter of the list
    assert found > 0.25 * 1.2, found
    # and the model's quarter gains more true votes than a random quarter would
    test = ns["test"]
    gain_model = test.loc[ns["model_top"], "true_effect"].sum()
    gain_random = test["true_effect"].mean() * ns["model_top"].sum()
    assert gain_model > gain_random


@pytest.mark.slow
def test_persuasion_test_too_small_to_measure_its_effect(lesson_on_seed):
    ns = lesson_on_seed
    truth = data.load("truth_voters").set_index("ncid")
    experiment = ns["experiment"]
    universe = experiment.loc[experiment["experiment_id"] == "PERSUADE-2026", "ncid"]
    true_effect = truth.loc[universe, "tau_persuasion"].mean()
    assert len(ns["persuade"]) > 100 and true_effect > 0
    # the lesson's claim: the 95% interval is far wider than the true average effect
    assert ns["margin"] > 3 * true_effect, (ns["margin"], true_effect)
