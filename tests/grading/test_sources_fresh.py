"""Each chapter's exercises.ipynb is generated from its exercises.yml by `bootcamp author`: the
committed notebook must be exactly what the description produces today."""

from __future__ import annotations

import json

import pytest

from bootcamp.grading import authoring
from bootcamp.paths import CHAPTERS_DIR

SPECS = sorted(CHAPTERS_DIR.glob("*/exercises.yml"))


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.parent.name for p in SPECS])
def test_committed_notebook_matches_its_description(spec_path, tmp_path):
    fresh = authoring.build_file(spec_path, tmp_path / "exercises.ipynb")
    committed = spec_path.with_name("exercises.ipynb")
    assert json.loads(fresh.read_text()) == json.loads(committed.read_text()), (
        f"{spec_path.parent.name}/exercises.ipynb is stale: run bootcamp author on its yml"
    )


def test_every_exercise_notebook_has_a_description():
    notebooks = {p.parent for p in CHAPTERS_DIR.glob("*/exercises.ipynb")}
    assert notebooks == {p.parent for p in SPECS}
