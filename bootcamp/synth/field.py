"""Stage 6, field programs: the randomized GOTV experiment and the 2026 ID / persuasion canvass.

Runs before the election history because the experiment changes turnout in 11/04/2025: this
stage decides assignment and who was reached; the history stage turns that into votes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy.special import ndtr

from bootcamp.synth import reference as ref
from bootcamp.synth.columns import choice, choice_rows, day, logit, sigmoid
from bootcamp.synth.config import Config
from bootcamp.synth.history import eligible_for, linear_predictor
from bootcamp.synth.households import _expected_registrants_per_household

SUPPORT_CUTS = (-1.0, -0.3, 0.3, 1.0)  # latent support -> 5 .. 1


def _election(date: dt.date) -> ref.Election:
    return next(e for e in ref.ELECTIONS if e.date == date)


class _Log:
    """Accumulates contact rows."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = {
            k: []
            for k in (
                "person",
                "channel",
                "contact_dt",
                "attempt_num",
                "volunteer_id",
                "turf_id",
                "list_id",
                "result_code",
            )
        }

    def add(self, person, channel, date, attempt, volunteer, turf, list_id, result) -> None:
        m = len(person)
        self.cols["person"].append(np.asarray(person))
        self.cols["channel"].append(np.full(m, ref.CHANNELS.index(channel), dtype=np.int8))
        self.cols["contact_dt"].append(np.asarray(date))
        self.cols["attempt_num"].append(np.full(m, attempt, dtype=np.int8))
        self.cols["volunteer_id"].append(np.asarray(volunteer))
        self.cols["turf_id"].append(np.asarray(turf, dtype=object))
        self.cols["list_id"].append(np.full(m, list_id, dtype=object))
        self.cols["result_code"].append(np.asarray(result))

    def arrays(self) -> dict:
        return {k: np.concatenate(v) if v else np.zeros(0) for k, v in self.cols.items()}


def _universe(rng, hh_ok: np.ndarray, share: float) -> np.ndarray:
    return np.flatnonzero(hh_ok & (rng.random(len(hh_ok)) < share))


def _assign(rng, households: np.ndarray, shares) -> np.ndarray:
    """Complete randomization: exact arm sizes, random order."""
    counts = np.floor(np.array(shares) * len(households)).astype(int)
    counts[0] += len(households) - counts.sum()
    arms = np.repeat(np.arange(len(shares)), counts)
    return rng.permutation(arms)


def make_field(
    rng: np.random.Generator,
    config: Config,
    geo: dict,
    hh: dict,
    people: dict,
    reg: dict,
    volunteers: dict,
) -> dict:
    n, n_hh = len(people["age"]), len(hh["household_id"])
    hh_idx = people["hh_idx"]
    county = geo["county_id"][people["precinct_idx"]]
    vols = volunteers["volunteer_id"]
    log = _Log()
    out: dict = {
        "gotv_arm": np.full(n, -1, dtype=np.int8),
        "contacted": np.zeros(n, bool),
        "spill": np.zeros(n, bool),
        "experiment": [],
    }

    def volunteer(m):
        return vols[rng.integers(0, len(vols), m)] if len(vols) else np.full(m, -1, np.int32)

    def turf(person):
        return np.array(
            [
                f"{p}-T{t}"
                for p, t in zip(
                    geo["precinct_abbrv"][people["precinct_idx"][person]],
                    hh_idx[person] % 7 + 1,
                    strict=True,
                )
            ],
            dtype=object,
        )

    # individual treatment effects, largest for mid-propensity voters
    exp_election = _election(ref.EXPERIMENT_ELECTION)
    age_e = (day(exp_election.date) - people["birth_date"]) / 365.25
    q = sigmoid(
        exp_election.intercept
        + ref.HABIT_COEF * 0.3
        + linear_predictor(people, reg, geo, exp_election, age_e)
    )
    bell = 4 * q * (1 - q)
    tau = np.empty((n, 3), dtype=np.float64)
    for j, arm in enumerate(ref.GOTV_ARMS[1:]):
        raw = bell * np.exp(rng.normal(0, 0.3, n))
        tau[:, j] = np.clip(raw * ref.EFFECT_AMONG_CONTACTED[arm] / max(raw.mean(), 1e-9), 0, 0.5)
    out["tau"] = tau

    # ---- GOTV experiment (HARBOR county, municipal precincts, eligible in 2025)
    ok = eligible_for(exp_election, people, reg, geo) & (county == ref.EXPERIMENT_COUNTY)
    hh_ok = (np.bincount(hh_idx[ok], minlength=n_hh) > 0) & (hh["group_quarters"] == 0)
    expected = (
        config.n_registrants
        * ref.COUNTIES[ref.EXPERIMENT_COUNTY - 1].share
        / _expected_registrants_per_household()
    )
    households = _universe(rng, hh_ok, min(1.0, ref.GOTV_MAX_HOUSEHOLDS / expected))
    arm_of_hh = np.full(n_hh, -1, dtype=np.int8)
    arm_of_hh[households] = _assign(rng, households, ref.GOTV_ARM_SHARES)
    member = ok & (arm_of_hh[hh_idx] >= 0)
    out["gotv_arm"][member] = arm_of_hh[hh_idx[member]]
    out["experiment"].append(
        ("GOTV-2025", np.flatnonzero(member), out["gotv_arm"][member].astype(int))
    )
    old = np.bincount(hh_idx, weights=people["age"] >= 60, minlength=n_hh) > 0
    door_p = sigmoid(logit(ref.P_DOOR_ANSWER) + 0.45 * old - 0.35 * hh["apartment"])
    code = {c: i for i, c in enumerate(ref.RESULT_CODES)}
    start = day(dt.date(2025, 10, 18))

    # door arm: up to two knocks; whoever opens is canvassed, housemates logged not home
    door_hh = households[arm_of_hh[households] == 1]
    answered = np.zeros(n_hh, bool)
    pending = door_hh
    for attempt in (1, 2):
        if attempt == 2:
            pending = pending[rng.random(len(pending)) < 0.7]
        opened = pending[rng.random(len(pending)) < door_p[pending]]
        answered[opened] = True
        who = member & np.isin(hh_idx, pending)
        persons = np.flatnonzero(who)
        # the person answering: one random eligible member of each opened household
        opened_mask = np.isin(hh_idx[persons], opened)
        pick = np.zeros(len(persons), bool)
        key = np.where(opened_mask, rng.random(len(persons)), 2.0)
        order = np.lexsort((key, hh_idx[persons]))
        sorted_hh = hh_idx[persons][order]
        first = np.r_[True, sorted_hh[1:] != sorted_hh[:-1]][: len(order)]
        pick[order[first]] = opened_mask[order[first]]
        u = rng.random(len(persons))
        result = np.where(
            pick,
            np.where(
                u < 0.85,
                code["Canvassed"],
                np.where(u < 0.95, code["Refused"], code["Language Barrier"]),
            ),
            code["Not Home"],
        )
        out["contacted"][persons[result == code["Canvassed"]]] = True
        date = start + 7 * (attempt - 1) + rng.integers(0, 7, len(persons))
        log.add(
            persons,
            "door",
            date,
            attempt,
            volunteer(len(persons)),
            turf(persons),
            "GOTV-2025-DOOR",
            result,
        )
        pending = pending[~np.isin(pending, opened)]
    canvassed_hh = np.bincount(hh_idx[out["contacted"]], minlength=n_hh) > 0
    out["spill"] = member & (out["gotv_arm"] == 1) & canvassed_hh[hh_idx] & ~out["contacted"]

    # phone arm: voters with a phone number, up to two calls
    has_phone = np.asarray(people["full_phone_number"].is_valid())
    pending = np.flatnonzero(member & (out["gotv_arm"] == 2) & has_phone)
    phone_p = sigmoid(logit(ref.P_PHONE_ANSWER) + 0.02 * (people["age"] - 50))
    for attempt in (1, 2):
        if attempt == 2:
            pending = pending[rng.random(len(pending)) < 0.6]
        m = len(pending)
        picked = rng.random(m) < phone_p[pending]
        u = rng.random(m)
        result = np.where(
            picked,
            np.where(
                u < 0.8,
                code["Canvassed"],
                np.where(u < 0.95, code["Refused"], code["Language Barrier"]),
            ),
            np.array(
                [code[c] for c in ("Not Home", "Left Message", "Wrong Number", "Disconnected")]
            )[choice(rng, m, [0.55, 0.3, 0.08, 0.07])],
        )
        out["contacted"][pending[result == code["Canvassed"]]] = True
        log.add(
            pending,
            "phone",
            start + 3 + 7 * (attempt - 1) + rng.integers(0, 5, m),
            attempt,
            volunteer(m),
            np.full(m, None),
            "GOTV-2025-PHONE",
            result,
        )
        stop = np.isin(
            result, [code["Canvassed"], code["Refused"], code["Wrong Number"], code["Disconnected"]]
        )
        pending = pending[~stop]

    # mail arm: one social-pressure mailer per voter
    mailed = np.flatnonzero(member & (out["gotv_arm"] == 3))
    delivered = rng.random(len(mailed)) < ref.P_MAIL_DELIVERED
    out["contacted"][mailed[delivered]] = True
    log.add(
        mailed,
        "mail",
        np.full(len(mailed), start - 4),
        1,
        np.full(len(mailed), -1),
        np.full(len(mailed), None),
        "GOTV-2025-MAIL",
        np.where(delivered, code["Mailed"], code["Returned Mail"]),
    )

    # ---- 2026 ID canvass with a randomized persuasion script
    general = _election(dt.date(2026, 11, 3))
    start26 = day(dt.date(2026, 9, 14))
    # the walk list is cut when the canvass starts: registered by then
    ok26 = (
        eligible_for(general, people, reg, geo)
        & np.isin(county, ref.CANVASS_COUNTIES)
        & (reg["status"] <= 1)
        & (reg["registr_dt"] < start26)
    )
    hh_ok = (np.bincount(hh_idx[ok26], minlength=n_hh) > 0) & (hh["group_quarters"] == 0)
    in_counties = sum(ref.COUNTIES[c - 1].share for c in ref.CANVASS_COUNTIES)
    expected = config.n_registrants * in_counties / _expected_registrants_per_household()
    share = min(ref.CANVASS_SHARE, ref.CANVASS_MAX_HOUSEHOLDS / expected)
    households = _universe(rng, hh_ok, share)
    arm_of_hh = np.full(n_hh, -1, dtype=np.int8)
    arm_of_hh[households] = _assign(rng, households, (0.5, 0.5))
    target = ok26 & (arm_of_hh[hh_idx] >= 0)
    persons = np.flatnonzero(target)
    out["experiment"].append(("PERSUADE-2026", persons, 4 + arm_of_hh[hh_idx[persons]]))
    treated = np.zeros(n, bool)
    treated[persons] = arm_of_hh[hh_idx[persons]] == 1

    # hidden persuadable segment and the latent support for "our" candidate
    party = reg["party"]
    persuadable = rng.random(n) < sigmoid(
        -2.3
        + 1.2 * (party == 2)
        + 1.0 * (np.abs(people["ideology"]) < 0.6)
        + 0.5 * (people["age"] < 40)
    )
    mu = (
        -0.75 * people["ideology"]
        + 0.7 * (party == 0)
        - 0.7 * (party == 1)
        + 0.25 * (people["race"] == ref.RACES.index("B"))
    )
    noise = rng.normal(0, ref.SUPPORT_NOISE, n)
    latent = mu + noise
    support0 = 5 - np.searchsorted(np.array(SUPPORT_CUTS), latent)
    sd = ref.SUPPORT_NOISE
    p3 = ndtr((SUPPORT_CUTS[2] - mu) / sd) - ndtr((SUPPORT_CUTS[1] - mu) / sd)
    tau_persuasion = np.where(persuadable, np.minimum(ref.PERSUASION_EFFECT, p3), 0.0)
    move = (support0 == 3) & (rng.random(n) < tau_persuasion / np.maximum(p3, 1e-9))
    support = np.where(treated & persuadable & move, 2, support0)
    out["persuadable"] = persuadable
    out["tau_persuasion"] = tau_persuasion

    canv_hh = households
    opened = canv_hh[rng.random(len(canv_hh)) < door_p[canv_hh]]
    door_persons = persons
    opened_mask = np.isin(hh_idx[door_persons], opened)
    talk = opened_mask & (rng.random(len(door_persons)) < 0.75)
    u = rng.random(len(door_persons))
    result = np.where(
        talk,
        np.where(u < 0.88, code["Canvassed"], code["Refused"]),
        np.where(u < 0.97, code["Not Home"], code["Do Not Contact"]),
    )
    dates = start26 + rng.integers(0, 40, len(door_persons))
    log.add(
        door_persons,
        "door",
        dates,
        1,
        volunteer(len(door_persons)),
        turf(door_persons),
        "ID-2026",
        result,
    )
    canvassed = [(door_persons[result == code["Canvassed"]], dates[result == code["Canvassed"]])]
    follow = door_persons[(result == code["Not Home"]) & has_phone[door_persons]]
    m = len(follow)
    picked = rng.random(m) < phone_p[follow]
    result2 = np.where(picked, code["Canvassed"], code["Not Home"])
    dates2 = start26 + 42 + rng.integers(0, 7, m)
    log.add(follow, "phone", dates2, 2, volunteer(m), np.full(m, None), "ID-2026", result2)
    canvassed.append((follow[picked], dates2[picked]))
    out["contacts"] = log.arrays()

    # survey answers of canvassed voters (mapped to contact ids by the pipeline)
    gen_age = (day(general.date) - people["birth_date"]) / 365.25
    q26 = sigmoid(general.intercept + 0.6 + linear_predictor(people, reg, geo, general, gen_age))
    answered = np.concatenate([c[0] for c in canvassed])
    out["survey"] = {
        "person": answered,
        "support": support[answered],
        "plan": choice_rows(
            rng, np.c_[q26[answered], 0.4 * np.ones(len(answered)), 1.1 - q26[answered]]
        ),
        "issue": choice(rng, len(answered), [0.26, 0.18, 0.13, 0.11, 0.1, 0.09, 0.08, 0.05]),
        "has_plan": rng.random(len(answered)) < 0.9,
        "has_issue": rng.random(len(answered)) < 0.75,
    }
    return out
