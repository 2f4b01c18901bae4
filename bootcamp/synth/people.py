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
    """Concatenated name lists so one integer code addresses any first or last name.

    First names: the cohort vocabularies (female, male; see ref.first_name_cohorts) then Faker's
    es_MX lists (female, male). Last names: Faker's en_US list (see ref.surname_by_group).
    """
    nm = ref.names()
    cohorts = ref.first_name_cohorts()
    first = [
        cohorts["F"][0],
        cohorts["M"][0],
        nm["first_female_hl"].names,
        nm["first_male_hl"].names,
    ]
    offsets = np.cumsum([0] + [len(x) for x in first])
    last, last_p = ref.surname_by_group()
    return {
        "first_names": np.concatenate(first),
        "first_offsets": offsets,
        "first_p": [
            cohorts["F"][1],
            cohorts["M"][1],
            nm["first_female_hl"].p,
            nm["first_male_hl"].p,
        ],
        "last_names": last,
        "last_p": last_p,
        "first_email": [_email_part(x) for x in np.concatenate(first)],
        "last_email": [_email_part(x) for x in last],
    }


def _email_part(name: str) -> str:
    return re.sub("[^a-z0-9]", "", name.lower())


def _draw_first(rng, male: np.ndarray, spanish: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """First names: by sex and birth decade (SSA), or from the es_MX lists where ``spanish``."""
    t = _name_tables()
    group = male.astype(int) + 2 * spanish.astype(int)
    decade = ref.birth_decade(birth_year)
    out = np.empty(len(male), dtype=np.int64)
    for g in range(4):
        if g >= 2:
            idx = np.flatnonzero(group == g)
            out[idx] = t["first_offsets"][g] + choice(rng, len(idx), t["first_p"][g])
            continue
        for d in range(len(t["first_p"][g])):
            idx = np.flatnonzero((group == g) & (decade == d))
            out[idx] = t["first_offsets"][g] + choice(rng, len(idx), t["first_p"][g][d])
    return out


def _draw_last(rng, race: np.ndarray, hispanic: np.ndarray) -> np.ndarray:
    """Surnames by race and Hispanic origin (Census 2010 shares, Bayes' rule)."""
    p = _name_tables()["last_p"]
    codes = np.array([ref.SURNAME_GROUP[r] for r in ref.RACES])
    group = np.where(hispanic, ref.SURNAME_GROUP_HISPANIC, codes[race])
    out = np.empty(len(race), dtype=np.int64)
    for g in range(len(p)):
        idx = np.flatnonzero(group == g)
        out[idx] = choice(rng, len(idx), p[g])
    return out


def _draw_ages(rng, n: int) -> np.ndarray:
    b = choice(rng, n, [w for _, _, w in ref.AGE_BRACKETS])
    low = np.array([lo for lo, _, _ in ref.AGE_BRACKETS])[b]
    high = np.array([hi for _, hi, _ in ref.AGE_BRACKETS])[b]
    # within the oldest bracket, fewer people at each older age
    u = rng.random(n)
    u = np.where(b == len(ref.AGE_BRACKETS) - 1, u**1.8, u)
    return (low + np.floor(u * (high - low + 1))).astype(np.int64)


def make_people(
    rng: np.random.Generator, config: Config, geo: dict, hh: dict, age: np.ndarray | None = None
) -> dict:
    """The registrants of ``hh``; ``age`` (where >= 0) fixes a householder's age."""
    fixed_age = age
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
    if fixed_age is not None:
        age = np.where(fixed_age >= 0, fixed_age, age)
    partner = np.clip(age[head] + np.round(rng.normal(0, 4, n)), 18, 99).astype(np.int64)
    child = np.where(
        age[head] >= 42,
        18 + rng.integers(0, 12, n),
        np.clip(age[head] + np.round(rng.normal(0, 5, n)), 18, 99),
    )
    age = np.where(member == 1, partner, np.where(member >= 2, child, age)).astype(np.int64)
    gq = hh.get("group_quarters", np.zeros(n_hh, np.int8))[hh_idx]
    family = gq == 0  # residents of group quarters are not related
    if not family.all():
        student = 18 + rng.integers(0, 5, n)
        elderly = 75 + np.minimum(rng.geometric(0.12, n) - 1, 20)
        age = np.where(gq == 1, student, np.where(gq == 2, elderly, age))
    birth_year = ref.YEAR_END - age
    birth_day = np.array([day(dt.date(y, 1, 1)) for y in range(1900, ref.YEAR_END + 1)])
    birth_date = birth_day[birth_year - 1900] + rng.integers(0, 365, n)

    # sex, race and ethnicity: householder drawn, others mostly follow
    female = rng.random(n) < ref.P_FEMALE
    female = np.where(
        (member == 1) & family, np.where(rng.random(n) < 0.88, ~female[head], female), female
    )
    mix = np.array([c.race_mix for c in counties])[county]
    race = (np.cumsum(mix, axis=1) < rng.random(n)[:, None] * mix.sum(axis=1)[:, None]).sum(1)
    race = np.where((member > 0) & family & (rng.random(n) < ref.P_SAME_RACE), race[head], race)
    hisp_p = np.array([c.hispanic for c in counties])[county]
    hispanic = rng.random(n) < hisp_p
    hispanic = np.where((member > 0) & family & (rng.random(n) < 0.92), hispanic[head], hispanic)

    t = _name_tables()
    last = _draw_last(rng, race, hispanic)
    share = np.where(member == 1, rng.random(n) < ref.P_SAME_LAST_NAME, rng.random(n) < 0.85)
    last = np.where((member > 0) & family & share, last[head], last)
    spanish = hispanic & (rng.random(n) < ref.P_SPANISH_FIRST_NAME)
    first = _draw_first(rng, ~female, spanish, birth_year)
    middle = _draw_first(rng, ~female, spanish & (rng.random(n) < 0.7), birth_year)
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
    shared = (member > 0) & family & (rng.random(n) < 0.3)
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
