"""Maintainers' tool: re-derive the tuned constants in ``reference.py`` from their targets.

Run ``python -m bootcamp.synth.calibrate`` after changing the turnout or party model and paste the
printed numbers into ``reference.py``. The generator itself never calibrates at run time, so the
data-generating process is the same fixed model at every preset and in every chunk.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from bootcamp.synth import reference as ref
from bootcamp.synth.chunk import Ids
from bootcamp.synth.config import Config
from bootcamp.synth.field import make_field
from bootcamp.synth.geography import make_geography
from bootcamp.synth.history import make_history
from bootcamp.synth.households import make_households
from bootcamp.synth.people import make_people
from bootcamp.synth.registration import make_registration, party_score
from bootcamp.synth.signups import make_volunteers


def main(size: int = 300_000, seed: int = 1, rounds: int = 4) -> None:
    """Solve, plug the solution back in (habit before the window depends on it), repeat."""
    for _ in range(rounds):
        cut, intercepts = solve(size, seed)
        ref.DEM_CUT = cut
        ref.ELECTIONS = tuple(
            dataclasses.replace(e, intercept=round(a, 2))
            for e, a in zip(ref.ELECTIONS, intercepts, strict=True)
        )
    print(f"DEM_CUT = {ref.DEM_CUT:.3f}")
    for e in ref.ELECTIONS:
        print(f"{e.date} {e.election_type:22s} target {e.target:.2f} intercept {e.intercept:.2f}")


def solve(size: int, seed: int) -> tuple[float, list[float]]:
    config = Config("county", seed=seed, size=size)
    geo = make_geography(np.random.default_rng([seed, 0]), config)
    geo["municipal"] = np.array([m is not None for m in geo["municipality_desc"]])
    rng = np.random.default_rng([seed, 1])
    hh = make_households(rng, config, geo, np.arange(len(geo["target"])), 1)
    people = make_people(rng, config, geo, hh)
    reg = make_registration(rng, config, geo, people, Ids.for_download())
    partisan = reg["party"] <= 1
    share_dem = ref.PARTY_SHARE_TARGET["DEM"] / (
        ref.PARTY_SHARE_TARGET["DEM"] + ref.PARTY_SHARE_TARGET["REP"]
    )
    cut = float(np.quantile(party_score(people)[partisan], share_dem))
    volunteers = make_volunteers(rng, people, reg, hh, Ids.for_download())
    field = make_field(rng, config, geo, hh, people, reg, volunteers)
    history = make_history(rng, people, reg, geo, field, solve=True)
    return cut, history["solved_intercepts"]


if __name__ == "__main__":
    main()
