"""Stage 3, people: the registrants of each household, with demographics, names and contacts."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bootcamp.synth import reference as ref
from bootcamp.synth.columns import choice, day, join, labels, where
from bootcamp.synth.config import Config


@cache
def _name_tables() -> dict:
    """Concatenated name lists so one integer code addresses an en_US or es_MX name."""
    nm = ref.names()
    first = [nm["first_female"], nm["first_male"], nm["first_female_hl"], nm["first_male_hl"]]
    offsets = np.cumsum([0] + [len(x.names) for x in first])
    last = [nm["last"], nm["last_hl"]]
    return {
        "first_names": np.concatenate([x.names for x in first]),
        "first_offsets": offsets,
        "first_p": [x.p for x in first],
        "last_names": np.concatenate([x.names for x in last]),
        "last_offset_hl": len(nm["last"].names),
        "last_p": [x.p for x in last],
        "first_email": [_email_part(x) for x in np.concatenate([x.names for x in first])],
        "last_email": [_email_part(x) for x in np.concatenate([x.names for x in last])],
    }


def _email_part(name: str) -> str:
    return re.sub("[^a-z0-9]", "", name.lower())


def _draw_first(rng, male: np.ndarray, hispanic: np.ndarray) -> np.ndarray:
    t = _name_tables()
    group = male.astype(int) + 2 * hispanic.astype(int)
    out = np.empty(len(male), dtype=np.int64)
    for g in range(4):
        idx = np.flatnonzero(group == g)
        out[idx] = t["first_offsets"][g] + choice(rng, len(idx), t["first_p"][g])
    return out


def _draw_ages(rng, n: int) -> np.ndarray:
    b = choice(rng, n, [w for _, _, w in ref.AGE_BRACKETS])
    low = np.array([lo for lo, _, _ in ref.AGE_BRACKETS])[b]
    high = np.array([hi for _, hi, _ in ref.AGE_BRACKETS])[b]
    # within the oldest bracket, fewer people at each older age
    u = rng.random(n)
    u = np.where(b == len(ref.AGE_BRACKETS) - 1, u**1.8, u)
    return (low + np.floor(u * (high - low + 1))).astype(np.int64)


def make_people(rng: np.random.Generator, config: Config, geo: dict, hh: dict) -> dict:
    n_hh = len(hh["household_id"])
    hh_idx = np.repeat(np.arange(n_hh), hh["registered"])
    n = len(hh_idx)
    first_of_hh = np.r_[0, np.cumsum(hh["registered"])[:-1]]
    member = np.arange(n) - first_of_hh[hh_idx]
    head = first_of_hh[hh_idx]  # index of the householder
    prec = hh["precinct_idx"][hh_idx]
    county = geo["county_id"][prec].astype(int) - 1
    counties = ref.COUNTIES

    # age: householder from the age table, partner close to it, third adult a grown child
    age = _draw_ages(rng, n)
    partner = np.clip(age[head] + np.round(rng.normal(0, 4, n)), 18, 99).astype(np.int64)
    child = np.where(
        age[head] >= 42,
        18 + rng.integers(0, 12, n),
        np.clip(age[head] + np.round(rng.normal(0, 5, n)), 18, 99),
    )
    age = np.where(member == 1, partner, np.where(member >= 2, child, age)).astype(np.int64)
    birth_year = ref.YEAR_END - age
    birth_day = np.array([day(dt.date(y, 1, 1)) for y in range(1900, ref.YEAR_END + 1)])
    birth_date = birth_day[birth_year - 1900] + rng.integers(0, 365, n)

    # sex, race and ethnicity: householder drawn, others mostly follow
    female = rng.random(n) < ref.P_FEMALE
    female = np.where(member == 1, np.where(rng.random(n) < 0.88, ~female[head], female), female)
    mix = np.array([c.race_mix for c in counties])[county]
    race = (np.cumsum(mix, axis=1) < rng.random(n)[:, None] * mix.sum(axis=1)[:, None]).sum(1)
    race = np.where((member > 0) & (rng.random(n) < ref.P_SAME_RACE), race[head], race)
    hisp_p = np.array([c.hispanic for c in counties])[county]
    hispanic = rng.random(n) < hisp_p
    hispanic = np.where((member > 0) & (rng.random(n) < 0.92), hispanic[head], hispanic)

    t = _name_tables()
    last = np.where(
        hispanic,
        t["last_offset_hl"] + choice(rng, n, t["last_p"][1]),
        choice(rng, n, t["last_p"][0]),
    )
    share = np.where(member == 1, rng.random(n) < ref.P_SAME_LAST_NAME, rng.random(n) < 0.85)
    last = np.where((member > 0) & share, last[head], last)
    first = _draw_first(rng, ~female, hispanic)
    middle = _draw_first(rng, ~female, hispanic & (rng.random(n) < 0.7))
    has_middle = rng.random(n) < ref.P_MIDDLE_NAME
    suffixes = list(ref.SUFFIX_P)
    suffix = choice(rng, n, list(ref.SUFFIX_P.values()) + [1 - sum(ref.SUFFIX_P.values())])
    no_suffix = female | (suffix == len(suffixes))

    # latent traits
    ideology = geo["lean"][prec] + rng.normal(0, 1, n)
    civic = geo["civic_mean"][prec] + rng.normal(0, 1, n)

    # phones: only the fictional NXX-555-0100..0199, spread over every valid area code (see
    # ref.phone_area_codes) and drawn without replacement while the pool lasts, so a number
    # identifies about one household at the county preset; housemates often share one
    pool = len(ref.phone_area_codes()) * 100
    shared = (member > 0) & (rng.random(n) < 0.3)
    if n <= pool:
        number = rng.permutation(pool)[:n]
    else:
        number = rng.integers(0, pool, n)
    number = np.where(shared, number[head], number)
    has_phone = rng.random(n) < ref.P_PHONE
    has_phone = np.where(shared, has_phone[head], has_phone)
    phone = labels(number, ref.phone_numbers(), mask=~has_phone)

    first_txt = labels(first, t["first_names"])
    last_txt = labels(last, t["last_names"])
    middle_txt = labels(middle, t["first_names"], mask=~has_middle)
    lower_first = labels(first, t["first_email"])
    lower_last = labels(last, t["last_email"])
    # local part: first.last, initial+last or first+last, with a number (2 to 4 digits: a
    # birth year or a random one) so that unrelated people rarely share an address
    style = rng.integers(0, 3, n)
    digits_ = np.where(rng.random(n) < 0.4, birth_year, rng.integers(10, 10_000, n))
    num = pa.array(digits_).cast(pa.string())
    plain = rng.random(n) < 0.08  # a few got the address without a number
    num = where(plain, "", num)
    local = where(
        style == 0,
        join(lower_first, lower_last, sep="."),
        where(
            style == 1,
            join(pc.utf8_slice_codeunits(lower_first, 0, 1), lower_last),
            join(lower_first, lower_last),
        ),
    )
    local = join(local, num)
    domain = labels(choice(rng, n, [0.6, 0.2, 0.2]), ref.EMAIL_DOMAINS)
    has_email = rng.random(n) < ref.P_EMAIL
    email = where(has_email, join(local, domain, sep="@"), pa.nulls(n, pa.string()))

    states = (ref.STATE_CD,) + ref.BIRTH_STATES_OTHER
    other = 1 + rng.integers(0, len(ref.BIRTH_STATES_OTHER), n)
    bstate = np.where(rng.random(n) < ref.P_BORN_IN_STATE, 0, other)
    birth_state = labels(bstate, states, mask=rng.random(n) < ref.P_BIRTH_STATE_MISSING)

    hh_take = pa.array(hh_idx)
    res = hh["res_street_address"].take(hh_take)
    po_box = rng.random(n) < ref.P_MAIL_DIFFERENT
    mail = where(po_box, join("PO BOX ", pa.array(rng.integers(1, 9000, n)).cast(pa.string())), res)
    return {
        "hh_idx": hh_idx,
        "member": member,
        "head": head,
        "precinct_idx": prec,
        "age": age,
        "birth_year": birth_year,
        "birth_date": birth_date,
        "female": female,
        "race": race,  # index into ref.RACES
        "hispanic": hispanic,
        "ideology": ideology,
        "civic": civic,
        "first_name": first_txt,
        "last_name": last_txt,
        "middle_name": middle_txt,
        "name_suffix_lbl": labels(np.minimum(suffix, len(suffixes) - 1), suffixes, mask=no_suffix),
        "full_phone_number": phone,
        "email": email,
        "birth_state": birth_state,
        "res_street_address": res,
        "mail_addr1": mail,
        "po_box": po_box,
    }
