"""Stage 7, election history: who voted in each election, how, and with which party ballot.

logit P(vote) = election intercept + age effect + civic propensity + party + race + precinct
effect + habit (voted in the last election of the same kind); the GOTV experiment adds its
effects in the 11/04/2025 municipal election. See ``reference.py`` for the numbers.
"""

from __future__ import annotations

import numpy as np

from bootcamp.synth import reference as ref
from bootcamp.synth.columns import choice_rows, day, sigmoid

KIND = {"presidential_general": 0, "midterm_general": 0, "primary": 1, "municipal": 2}


def linear_predictor(
    people: dict, reg: dict, geo: dict, election: ref.Election, age: np.ndarray
) -> np.ndarray:
    """Everything in the turnout model except the intercept and habit."""
    party = np.array(ref.PARTIES, dtype=object)[reg["party"]]
    party_term = np.zeros(len(age))
    for code, b in ref.PARTY_TURNOUT.items():
        party_term[party == code] = b
    if election.election_type == "primary":
        party_term[party == "UNA"] += ref.UNA_PRIMARY_PENALTY
    race = people["race"]
    race_term = (
        ref.RACE_TURNOUT["B"] * (race == ref.RACES.index("B"))
        + ref.RACE_TURNOUT["A"] * (race == ref.RACES.index("A"))
        + ref.RACE_TURNOUT["HL"] * people["hispanic"]
    )
    return (
        np.interp(age, ref.AGE_KNOTS, ref.AGE_EFFECT)
        + ref.CIVIC_COEF * people["civic"]
        + party_term
        + race_term
        + geo["turnout_effect"][people["precinct_idx"]]
    )


def eligible_for(election: ref.Election, people: dict, reg: dict, geo: dict) -> np.ndarray:
    d = day(election.date)
    ok = (
        (reg["status"] != 3)
        & (reg["registr_dt"] <= d - ref.REGISTRATION_DEADLINE_DAYS)
        & (reg["b18"] <= d)
        & ((reg["removal_dt"] < 0) | (reg["removal_dt"] > d))
    )
    if election.election_type == "municipal":
        ok &= geo["municipal"][people["precinct_idx"]]
    return ok


def _solve_intercept(rest: np.ndarray, target: float) -> float:
    """The intercept a with mean(sigmoid(a + rest)) == target (Newton steps)."""
    a = 0.0
    for _ in range(30):
        p = sigmoid(a + rest)
        a -= (p.mean() - target) / max((p * (1 - p)).mean(), 1e-9)
    return float(a)


def make_history(
    rng: np.random.Generator, people: dict, reg: dict, geo: dict, field: dict, solve: bool = False
) -> dict:
    """Votes election by election. ``solve=True`` (maintainers only, see ``calibrate.py``)
    replaces each intercept by the one hitting the election's target turnout."""
    n = len(people["age"])
    solved = []
    out_voter, out_election, out_method, out_ballot = [], [], [], []
    habit = np.zeros((3, n), dtype=bool)
    started = np.zeros(3, dtype=bool)
    exp_p_control = np.full(n, np.nan, dtype=np.float32)
    exp_p_assigned = np.full(n, np.nan, dtype=np.float32)
    party = reg["party"]
    for e, election in enumerate(ref.ELECTIONS):
        k = KIND[election.election_type]
        d = day(election.date)
        age = (d - people["birth_date"]) / 365.25
        lp = election.intercept + linear_predictor(people, reg, geo, election, age)
        if not started[k]:
            # habit before the window: a draw from the same model, for those old enough then
            prior = sigmoid(lp + ref.HABIT_COEF * 0.5)
            habit[k] = (rng.random(n) < prior) & (age >= 20)
            started[k] = True
        lp = lp + ref.HABIT_COEF * habit[k]
        ok = eligible_for(election, people, reg, geo)
        if solve:
            a = _solve_intercept(lp[ok] - election.intercept, election.target)
            lp += a - election.intercept
            solved.append(a)
        p = sigmoid(lp)
        if election.date == ref.EXPERIMENT_ELECTION and "gotv_arm" in field:
            arm = field["gotv_arm"]
            uni = arm >= 0
            lift = np.zeros(n)
            for a in range(1, len(ref.GOTV_ARMS)):
                mine = arm == a
                lift[mine] = field["tau"][mine, a - 1] * field["contacted"][mine]
            lift += ref.SPILLOVER * field["tau"][:, 0] * field["spill"]
            exp_p_control[uni] = p[uni]
            p = np.clip(p + lift, 0, 1)
            exp_p_assigned[uni] = p[uni]
        voted = ok & (rng.random(n) < p)
        habit[k] = np.where(ok, voted, habit[k])
        idx = np.flatnonzero(voted)
        # method: the election's mix, more mail for older voters, UOCAVA voters by mail
        probs = np.tile(np.array(election.methods), (len(idx), 1))
        probs[:, 2] *= np.where(age[idx] >= 65, 2.5, 1.0)
        method = choice_rows(rng, probs)
        method[reg["status"][idx] == 4] = 2
        ballot = np.full(len(idx), -1, dtype=np.int8)
        if election.election_type == "primary":
            ballot = party[idx].copy()
            una = ballot == 2
            dem = rng.random(len(idx)) < sigmoid(-1.5 * people["ideology"][idx])
            ballot[una] = np.where(dem[una], 0, 1)
        out_voter.append(idx.astype(np.int32))
        out_election.append(np.full(len(idx), e, dtype=np.int8))
        out_method.append(method.astype(np.int8))
        out_ballot.append(ballot.astype(np.int8))
    return {
        "voter": np.concatenate(out_voter),
        "election": np.concatenate(out_election),
        "method": np.concatenate(out_method),
        "ballot": np.concatenate(out_ballot),
        "exp_p_control": exp_p_control,
        "exp_p_assigned": exp_p_assigned,
        "solved_intercepts": solved,
    }


def apply_inactivity(rng: np.random.Generator, reg: dict, history: dict) -> None:
    """Registrants who missed the 2024 and 2026 generals become INACTIVE (confirmation not back)."""
    n = len(reg["status"])
    generals = [
        i
        for i, e in enumerate(ref.ELECTIONS)
        if e.date.year in (2024, 2026) and e.kind == "GENERAL"
    ]
    voted_recent = np.zeros(n, dtype=bool)
    recent = np.isin(history["election"], generals)
    voted_recent[history["voter"][recent]] = True
    first_general = ref.ELECTIONS[generals[0]].date
    registered_before = reg["registr_dt"] <= day(first_general) - ref.REGISTRATION_DEADLINE_DAYS
    candidate = (reg["status"] == 0) & registered_before & ~voted_recent
    inactive = candidate & (rng.random(n) < ref.P_INACTIVE_IF_MISSED)
    codes = list(ref.REASONS)
    reg["status"][inactive] = 1
    reg["reason"][inactive] = np.where(
        rng.random(int(inactive.sum())) < 0.7, codes.index("IN"), codes.index("IU")
    )
