"""Fixtures for the generator's tests: tiny datasets on several seeds, one county dataset.

Each is generated once per test session into a temporary folder (never into datasets/).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bootcamp import data
from bootcamp.synth.build import build
from bootcamp.synth.config import FORMATS, Config

TINY_SEEDS = (1, 2, 3)


class Dataset:
    """A generated folder plus cached DataFrames of its tables."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = data.read(self.folder, name)
        return self._frames[name]


@pytest.fixture(scope="session")
def make_dataset(tmp_path_factory):
    made: dict = {}

    def make(
        preset: str = "tiny", seed: int = 1, formats=FORMATS, messy: bool = True, snapshot: int = 0
    ):
        key = (preset, seed, tuple(formats), messy, snapshot)
        if key not in made:
            folder = tmp_path_factory.mktemp(f"{preset}-{seed}-{snapshot}") / "data"
            config = Config(preset, seed=seed, messy=messy, snapshot=snapshot)
            build(config, folder, tuple(formats))
            made[key] = Dataset(folder)
        return made[key]

    return make


@pytest.fixture(scope="session", params=TINY_SEEDS, ids=[f"seed{s}" for s in TINY_SEEDS])
def tiny(request, make_dataset) -> Dataset:
    return make_dataset("tiny", request.param)


@pytest.fixture(scope="session")
def county(make_dataset) -> Dataset:
    return make_dataset("county", Config().seed, formats=("parquet",))
