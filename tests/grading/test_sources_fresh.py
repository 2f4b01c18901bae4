"""Each chapter's exercises.ipynb is generated from its exercises.yml by `bootcamp author`: the
committed notebook must be exactly what the description produces today."""

from __future__ import annotations

import json
import re

import pytest

from bootcamp.grading import authoring
from bootcamp.paths import CHAPTERS_DIR

SPECS = sorted(CHAPTERS_DIR.glob("*/exercises.yml"))


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.parent.name for p in SPECS])
def test_committed_notebook_matches_its_description(spec_path, tmp_path):
    fresh = authoring.build_file(spec_path, tmp_path / "exercises.ipynb")
    committed = spec_path.with_name("exercises.ipynb")
    assert json.loads(fresh.read_text()) == json.loads(committed.read_text()), (
        f"{spec_path.parent.name}/exercises.ipynb is stale: run make exercises"
    )
    fresh_map = fresh.with_name(authoring.MAP_NAME)
    committed_map = spec_path.with_name(authoring.MAP_NAME)
    assert committed_map.exists(), f"{spec_path.parent.name} has no {authoring.MAP_NAME}"
    assert fresh_map.read_text() == committed_map.read_text(), (
        f"{spec_path.parent.name}/{authoring.MAP_NAME} is stale: run make exercises"
    )


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.parent.name for p in SPECS])
def test_instructor_notes_include_the_generated_exercise_map(spec_path):
    notes = (spec_path.parent / "instructor-notes.md").read_text()
    assert f"```{{include}} {authoring.MAP_NAME}" in notes
    assert "| Question |" not in notes, "a hand-written exercise table is left in the notes"


def test_the_exercise_map_names_every_question_and_recorded_mistake():
    spec_path = SPECS[0]
    spec = authoring.load_spec(spec_path)
    wrong = authoring.load_wrong_answers(spec_path.with_name("wrong-answers.yml"))
    table = authoring.exercise_map(spec, wrong)
    rows = [line for line in table.splitlines() if re.match(r"\| Q\d+ ", line)]
    assert len(rows) == len(spec["questions"])
    for entry in wrong:
        assert authoring._cell_text(entry["mistake"]) in table


def test_every_exercise_notebook_has_a_description():
    notebooks = {p.parent for p in CHAPTERS_DIR.glob("*/exercises.ipynb")}
    assert notebooks == {p.parent for p in SPECS}
