"""Stage 4, registration: party, registration date, status and the ids of each record."""

from __future__ import annotations

import datetime as dt

import numpy as np

from bootcamp.synth import reference as ref
from bootcamp.synth.chunk import REG_NUM_BASE, Ids
from bootcamp.synth.columns import choice, day, digits, join, labels
from bootcamp.synth.config import Config

YEAR = 365.25


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` later (days since 1970); 29 February -> 1 March."""
    date = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = date.astype("datetime64[M]")
    offset = date - month.astype("datetime64[D]")  # day of the month - 1
    later = (month + 12 * years).astype("datetime64[D]") + offset
    return later.astype(np.int64)


def _una_probability(age: np.ndarray, race: np.ndarray) -> np.ndarray:
    ages = np.array([a for a, _ in ref.UNA_BY_AGE])
    p = np.array([q for _, q in ref.UNA_BY_AGE])[np.searchsorted(ages, age, side="right") - 1]
    factor = np.ones(len(age))
    for code, f in ref.UNA_RACE_FACTOR.items():
        factor[race == ref.RACES.index(code)] = f
    return np.clip(p * factor, 0.02, 0.9)


def fewer_weekends(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Move most Saturday registrations to Friday and Sunday ones to Monday (offices closed)."""
    weekday = (np.asarray(days) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    move = rng.random(len(weekday)) < ref.P_WEEKEND_MOVED
    shift = np.where(weekday == 5, -1, np.where(weekday == 6, 1, 0))
    return days + np.where(move, shift, 0)


def deadline_surges(rng: np.random.Generator, days: np.ndarray, low: np.ndarray) -> np.ndarray:
    """In presidential years, pull registrations into the weeks before the deadline.

    Some who would have registered after the deadline, and a few spring and summer ones, do it
    in the six weeks before it instead, so those weeks run at two to four times the spring rate.
    """
    days = np.asarray(days).copy()
    for e in ref.ELECTIONS:
        if e.election_type != "presidential_general":
            continue
        deadline = day(e.date) - ref.REGISTRATION_DEADLINE_DAYS
        start = deadline - ref.SURGE_DAYS
        jan1, dec31 = day(dt.date(e.date.year, 1, 1)), day(dt.date(e.date.year, 12, 31))
        u = rng.random(len(days))
        late = (days > deadline) & (days <= dec31) & (u < ref.P_SURGE_FROM_LATE)
        early = (days >= jan1) & (days < start) & (u < ref.P_SURGE_FROM_EARLY)
        target = start + 1 + rng.integers(0, ref.SURGE_DAYS, len(days))
        move = (late | early) & (target >= low)
        days = np.where(move, target, days)
    return days


def party_score(people: dict) -> np.ndarray:
    """Higher = more Republican: ideology, age, race and ethnicity."""
    race = people["race"]
    return (
        people["ideology"]
        + ref.PARTY_AGE_SLOPE * (people["age"] - 50)
        + ref.PARTY_BLACK_SHIFT * (race == ref.RACES.index("B"))
        + ref.PARTY_ASIAN_SHIFT * (race == ref.RACES.index("A"))
        + ref.PARTY_HISPANIC_SHIFT * people["hispanic"]
    )


def make_registration(
    rng: np.random.Generator, config: Config, geo: dict, people: dict, ids: Ids
) -> dict:
    n = len(people["age"])
    age, race = people["age"], people["race"]

    # party: unaffiliated first (falls with age), then DEM / REP on the partisan score
    una = rng.random(n) < _una_probability(age, race)
    party = np.where(party_score(people) < ref.DEM_CUT, 0, 1)
    party = np.where(una, 2, party)
    young = np.clip(1.6 - age / 50, 0.3, 1.5)
    minor = rng.random(n)
    party = np.where(
        minor < ref.P_LIB * young, 3, np.where(minor > 1 - ref.P_GRE * young, 4, party)
    )

    # registration date: the later of coming of age and moving to this address
    snap = day(ref.SNAPSHOT_DATE)
    b16 = add_years(people["birth_date"], 16)
    b18 = add_years(people["birth_date"], 18)
    moved_in = snap - np.round(rng.exponential(ref.MEAN_YEARS_AT_ADDRESS, n) * YEAR).astype(int)
    on_coming_of_age = moved_in < b18
    pre = on_coming_of_age & (rng.random(n) < ref.P_PREREGISTER)
    at_18 = b18 + np.round(rng.exponential(1.2, n) * YEAR).astype(int)
    at_16 = b16 + rng.integers(0, int(2 * YEAR), n)
    reg = np.where(on_coming_of_age, np.where(pre, at_16, at_18), moved_in)
    # nobody registers after the snapshot; those turning 18 after it pre-registered
    late = reg >= snap
    reg = np.where(late, b16 + (rng.random(n) * np.maximum(1, snap - b16)).astype(int), reg)
    reg = np.minimum(np.maximum(reg, b16), snap - 1)
    reg = deadline_surges(rng, reg, b18)  # pre-registration stays the exception

    # status: removed (history stops), denied (never voted), temporary (UOCAVA); the rest active
    u = rng.random(n)
    old = age >= 70
    remove_w = np.where(old, 2.0, np.where(age < 30, 1.3, 0.8))
    p_removed = ref.P_REMOVED * remove_w / remove_w.mean()
    status = np.zeros(n, dtype=np.int8)  # 0 A, 1 I, 2 R, 3 D, 4 S
    status[u < p_removed] = 2
    status[(u >= p_removed) & (u < p_removed + ref.P_DENIED)] = 3
    status[(u >= p_removed + ref.P_DENIED) & (u < p_removed + ref.P_DENIED + ref.P_TEMPORARY)] = 4
    removal = np.where(
        status == 2, reg + 60 + (rng.random(n) * np.maximum(1, snap - reg - 60)).astype(int), -1
    )
    removed = status == 2
    reg = np.where(removed & (removal <= reg), removal - 60, reg)
    # denied applications are recent
    denied = status == 3
    reg = np.where(denied, snap - rng.integers(10, 700, n), reg)
    reg = np.minimum(np.maximum(fewer_weekends(rng, reg), b16), snap - 1)

    codes = list(ref.REASONS)
    reason = np.full(n, codes.index("AV"), dtype=np.int8)
    reason[(status == 0) & (reg > snap - 45)] = codes.index("AP")
    removed_reason = np.array([codes.index(c) for c in ("RL", "RS", "RQ", "RF")])[
        choice(rng, n, [0.5, 0.38, 0.08, 0.04])
    ]
    removed_reason = np.where(old & (rng.random(n) < 0.7), codes.index("RD"), removed_reason)
    reason = np.where(removed, removed_reason, reason)
    reason = np.where(
        denied, np.where(rng.random(n) < 0.6, codes.index("DI"), codes.index("DU")), reason
    )
    reason = np.where(
        status == 4, np.where(rng.random(n) < 0.6, codes.index("SM"), codes.index("SO")), reason
    )

    # ids: ncid (county letters + number, not in household order) and county registration number
    county = geo["county_id"][people["precinct_idx"]].astype(int)
    ncid_num = np.zeros(n, dtype=np.int64)
    reg_num = np.zeros(n, dtype=np.int64)
    order = rng.permutation(n)
    for cid in np.unique(county):
        mine = order[county[order] == cid]
        ncid_num[mine] = ids.take(f"ncid{cid}", len(mine))
        by_date = np.flatnonzero(county == cid)
        by_date = by_date[np.argsort(reg[by_date], kind="stable")]
        reg_num[by_date] = ids.take(f"reg{cid}", len(by_date))
    ncid = join(labels(county - 1, [c.ncid_prefix for c in ref.COUNTIES]), digits(ncid_num, 7))
    return {
        "party": party.astype(np.int8),  # index into ref.PARTIES
        "registr_dt": reg,
        "removal_dt": removal,
        "status": status,
        "reason": reason.astype(np.int8),  # index into ref.REASONS
        "ncid": ncid,
        "voter_reg_num": REG_NUM_BASE + reg_num,
        "county_id": county,
        "b18": b18,
    }
