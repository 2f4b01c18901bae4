"""Chapter 7's turf question is graded on invariants, not on one exact cut: `turf_problems` (in the
exercise notebook's set-up cell) must accept every right cut and name the rule each wrong one
breaks. These tests run the set-up and the reference solution from exercises.yml itself."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from bootcamp import data
from bootcamp.grading.authoring import strip_solution

SPEC = Path(__file__).parents[2] / "chapters" / "07-field-and-targeting" / "exercises.yml"


@pytest.fixture(scope="module")
def env() -> dict:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    question = next(q for q in spec["questions"] if q["id"] == "cut_turfs")
    namespace: dict = {"__name__": "__main__"}
    exec(compile(spec["setup"], "<setup>", "exec"), namespace)
    exec(compile(strip_solution(question["solution"]), "<solution>", "exec"), namespace)
    namespace["alternatives"] = question["alternatives"]
    namespace["tiny"] = namespace["walk_universe"](data.connect(preset="tiny", seed=5))
    return namespace


def problems(env, turfs, universe=None, max_doors=20):
    universe = env["tiny"] if universe is None else universe
    return env["turf_problems"](turfs, universe, max_doors)


@pytest.mark.parametrize("max_doors", [10, 20, 50])
def test_the_reference_cut_keeps_every_rule(env, max_doors):
    for universe in (env["tiny"], env["walk_voters"]):
        cut = env["cut_turfs"](universe.copy(), max_doors)
        assert env["turf_problems"](cut, universe, max_doors) == []
        assert len(cut) == universe["household_id"].nunique()


def test_other_right_cuts_pass_too(env):
    for code in env["alternatives"]:
        scratch = dict(env)
        exec(compile(code, "<alternative>", "exec"), scratch)
        for max_doors in (10, 20):
            assert (
                problems(env, scratch["cut_turfs"](env["tiny"].copy(), max_doors), None, max_doors)
                == []
            )
    # relabeling the turfs changes nothing: a turf is any label inside its precinct
    cut = env["cut_turfs"](env["tiny"].copy(), 20)
    assert problems(env, cut.assign(turf="T" + (100 - cut["turf"]).astype(str))) == []


def test_each_broken_rule_is_named(env):
    universe = env["tiny"]
    cut = env["cut_turfs"](universe.copy(), 20).reset_index(drop=True)
    big = cut.groupby(["precinct_abbrv", "turf"]).size().idxmax()
    in_big = (cut["precinct_abbrv"] == big[0]) & (cut["turf"] == big[1])
    first_of_big = cut[in_big].index[0]
    position = cut.groupby(["precinct_abbrv", "turf"]).cumcount()
    first_to_last = position.where(position > 0, 10**6)  # each turf's first door moved to its end
    cases = {
        "DataFrame": [1, 2, 3],
        "columns": cut.drop(columns="turf"),
        "more than once": pd.concat([cut, cut.iloc[[0]]]),
        "every household": cut.iloc[1:],
        "another precinct": cut.assign(
            precinct_abbrv=cut["precinct_abbrv"].where(cut.index != 0, "ZZZ999")
        ),
        "more than 20": cut.assign(turf=1),
        "fewer than 10": cut.assign(turf=cut["turf"].where(cut.index != first_of_big, 99)),
        "comes back": cut.assign(key=first_to_last)
        .sort_values(["precinct_abbrv", "turf", "key"])
        .drop(columns="key"),
        "go down": cut.iloc[::-1].sort_values(["precinct_abbrv", "turf"], kind="stable"),
    }
    for words, turfs in cases.items():
        found = problems(env, turfs)
        assert len(found) == 1 and words in found[0], (words, found)
