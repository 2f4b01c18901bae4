"""Stage 8, messiness: the deliberate problems the cleaning and matching chapters teach.

Everything here is seeded, documented in the codebook and switched off by ``Config(messy=False)``
(``bootcamp data --clean``). Content problems (duplicate registrations, label drift, missing
registration dates, birth year 1900, spelled-out street types) are in every format; raw-format
problems (padding, case, the ``##/##/####`` placeholder) only in the tab-delimited download.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bootcamp.synth import reference as ref
from bootcamp.synth.columns import EPOCH, day, join, where
from bootcamp.synth.registration import fewer_weekends

_NEAR = {
    c: n for c, n in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "SVXSWDFGUHJKNBPOWETYIBEZTA", strict=True)
}


def typo(rng: np.random.Generator, name: str) -> str:
    """One keyboard slip: swapped, dropped, doubled or neighboring letter."""
    if len(name) < 3:
        return name
    i = int(rng.integers(1, len(name) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    if kind == 2:
        return name[:i] + name[i] + name[i:]
    return name[:i] + _NEAR.get(name[i], name[i]) + name[i + 1 :]


def pick_duplicates(rng: np.random.Generator, people: dict, reg: dict) -> dict:
    """Which people get a second registration, where and when, and how their name was typed."""
    n = len(people["age"])
    snap = day(ref.SNAPSHOT_DATE)
    candidates = np.flatnonzero((reg["status"] <= 1) & (reg["registr_dt"] < snap - 3 * 365))
    k = min(len(candidates), int(round(ref.P_DUPLICATE * n)))
    src = np.sort(rng.choice(candidates, k, replace=False)) if k else np.zeros(0, dtype=int)
    moved = rng.random(k) < ref.P_DUPLICATE_MOVED
    lo = reg["registr_dt"][src] + 365
    dup_reg = lo + (rng.random(k) * np.maximum(1, snap - 30 - lo)).astype(int)
    dup_reg = fewer_weekends(rng, dup_reg)
    # the new home: a new address in the precinct of a random registrant, most often one of
    # the same county (the pipeline makes the household; hh_idx is set there)
    hh = people["hh_idx"][src].copy()
    county = reg["county_id"]
    anyone = rng.integers(0, max(n, 1), k)
    same = rng.random(k) < ref.P_MOVE_WITHIN_COUNTY
    by_county = np.argsort(county, kind="stable")
    lo = np.searchsorted(county[by_county], county[src], side="left")
    hi = np.searchsorted(county[by_county], county[src], side="right")
    neighbor = by_county[lo + (rng.random(k) * (hi - lo)).astype(np.int64)]
    mover = np.where(same, neighbor, anyone)
    new_precinct = people["precinct_idx"][mover]
    first = people["first_name"].take(pa.array(src)).to_pylist()
    last = people["last_name"].take(pa.array(src)).to_pylist()
    middle = people["middle_name"].take(pa.array(src)).to_pylist()
    nick = {k.upper(): v.upper() for k, v in ref.NICKNAMES.items()}
    for j in range(k):
        change = rng.random()
        if change < 0.3:
            first[j] = typo(rng, first[j])
        elif change < 0.45:
            last[j] = typo(rng, last[j])
        elif change < 0.6:
            first[j] = nick.get(first[j], first[j])
        elif change < 0.75:
            middle[j] = None
        elif change < 0.85 and middle[j]:
            middle[j] = middle[j][0]
    return {
        "src": src,
        "kind": np.where(moved, 1, 0),
        "hh_idx": hh,
        "new_precinct": new_precinct,
        "registr_dt": dup_reg,
        "old_removed": moved & (rng.random(k) < ref.P_DUPLICATE_OLD_REMOVED),
        "first_name": pa.array(first, pa.string()),
        "last_name": pa.array(last, pa.string()),
        "middle_name": pa.array(middle, pa.string()),
        "birth_shift": np.where(rng.random(k) < 0.08, rng.choice([-1, 1], k), 0),
    }


def split_history(history: dict, dups: dict, n_people: int, dup_municipal: np.ndarray) -> None:
    """Votes cast after the duplicate registration belong to the duplicate record."""
    if not len(dups["src"]):
        return
    dates = np.array([day(e.date) for e in ref.ELECTIONS])
    owner = np.full(n_people, -1)
    owner[dups["src"]] = np.arange(len(dups["src"]))
    j = owner[history["voter"]]
    has = j >= 0
    registered = np.where(has, dups["registr_dt"][np.maximum(j, 0)], 0)
    when = dates[history["election"]]
    # the new record votes once registered by the deadline; in between, the old record votes
    # unless it was removed when the new one was made (then the person did not vote)
    move = has & (when >= registered + ref.REGISTRATION_DEADLINE_DAYS)
    gap = has & ~move & (when >= registered) & dups["old_removed"][np.maximum(j, 0)]
    history["voter"] = np.where(move, n_people + j, history["voter"]).astype(np.int32)
    # a move out of a municipality ends municipal voting
    municipal = np.array([e.election_type == "municipal" for e in ref.ELECTIONS])
    drop = gap | (move & municipal[history["election"]] & ~dup_municipal[np.maximum(j, 0)])
    for key in ("voter", "election", "method", "ballot"):
        history[key] = history[key][~drop]


def method_labels(rng: np.random.Generator, history: dict, messy: bool) -> tuple[np.ndarray, ...]:
    """Label codes (into METHODS + METHODS_LEGACY) and the rows repeated under both labels."""
    legacy = np.array([e.date < ref.LEGACY_BEFORE for e in ref.ELECTIONS])[history["election"]]
    code = history["method"].astype(np.int16)
    if not messy:
        return code, np.zeros(0, dtype=np.int64)
    code = np.where(legacy, code + len(ref.METHODS), code)
    repeat = np.flatnonzero(legacy & (rng.random(len(code)) < ref.P_DRIFT_DUPLICATE))
    return code, repeat


def placeholder_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) < ref.P_PLACEHOLDER_DATE


def implausible_birth_years(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) < ref.P_IMPLAUSIBLE_BIRTH_YEAR


def spelled_out(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) < ref.P_SUFFIX_SPELLED_OUT


# ------------------------------------------------------------------ the raw download
def _mmddyyyy(col: pa.Array) -> pa.Array:
    return pc.strftime(col.cast(pa.timestamp("s")), format="%m/%d/%Y")


def raw_text(rngs, name: str, table: pa.Table) -> pa.Table:
    """Every column as text the way a state's download has it.

    Dates are MM/DD/YYYY; a missing registration date is the placeholder ``##/##/####``; with
    ``rngs`` (messiness on: column number -> random generator) names, cities and addresses get
    stray padding and a few records inconsistent case.
    """
    cols = {}
    n = table.num_rows
    rng = None
    for i, field in enumerate(table.schema):
        if rngs is not None:
            rng = rngs(i)
        col = table.column(field.name).combine_chunks()
        if field.type == pa.date32():
            txt = _mmddyyyy(col)
            if field.name == "registr_dt" and rng is not None:
                txt = pc.fill_null(txt, "##/##/####")
        elif field.type == pa.bool_():
            txt = pc.if_else(col, "TRUE", "FALSE")
        elif field.type == pa.string():
            txt = col
            if rng is not None and field.name in (
                "last_name",
                "first_name",
                "middle_name",
                "res_street_address",
                "res_city_desc",
                "mail_addr1",
                "mail_city",
                "precinct_desc",
                "name",
                "city",
            ):
                u = rng.random(n)
                txt = where(u < 0.03, pc.utf8_title(txt), txt)
                txt = where(u > 0.96, join(txt, "   "), txt)
                txt = where((u > 0.5) & (u < 0.51), join(" ", txt), txt)
        else:
            txt = col.cast(pa.string())
        cols[field.name] = txt
    return pa.table(cols)


def snapshot_label() -> str:
    return (EPOCH + dt.timedelta(days=day(ref.SNAPSHOT_DATE))).strftime("%m/%d/%Y")
