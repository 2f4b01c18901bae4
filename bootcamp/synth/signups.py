"""Stage 5, sign-ups: FEC-style donations and a free-typed volunteer sheet, neither with an ncid."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bootcamp.synth import reference as ref
from bootcamp.synth import schema
from bootcamp.synth.chunk import Ids
from bootcamp.synth.columns import choice, constant, day, digits, join, labels, where


def _nickname(first: pa.Array) -> pa.Array:
    """Nickname where the table has one, else the name itself (upper case)."""
    keys = pa.array(list(ref.NICKNAMES))
    nick = pa.array([v.upper() for v in ref.NICKNAMES.values()])
    pos = pc.index_in(first, value_set=keys)
    return pc.if_else(pc.is_valid(pos), nick.take(pos.fill_null(0)), first)


def make_donations(rng: np.random.Generator, people: dict, reg: dict, hh: dict, ids: Ids) -> dict:
    n = len(people["age"])
    w = np.exp(
        0.03 * (people["age"] - 50) + 0.5 * people["civic"] + 0.4 * np.abs(people["ideology"])
    )
    donor = rng.random(n) < np.minimum(1, ref.P_DONOR * w / w.mean())
    donor &= reg["status"] != 3
    donors = np.flatnonzero(donor)
    k = 1 + rng.geometric(0.5, len(donors)) - 1
    row_person = np.repeat(donors, k)
    m = len(row_person)
    first = people["first_name"].take(pa.array(row_person))
    last = people["last_name"].take(pa.array(row_person))
    middle = people["middle_name"].take(pa.array(row_person))
    use_nick = rng.random(m) < 0.15
    first = where(use_nick, _nickname(first), first)
    initial = pc.utf8_slice_codeunits(middle, 0, 1)
    with_mid = pc.and_(pa.array(rng.random(m) < 0.4), pc.is_valid(middle))
    name = join(last, ", ", first)
    name = pc.if_else(with_mid, join(name, " ", initial.fill_null("")), name)
    hh_of = people["hh_idx"][row_person]
    city = hh["res_city_desc"].take(pa.array(hh_of))
    zip5 = hh["zip_code"].take(pa.array(hh_of))
    zip9 = join(zip5, digits(rng.integers(0, 10_000, m), 4))
    zip_code = where(rng.random(m) < 0.45, zip9, zip5)
    retired = people["age"][row_person] >= 67
    jobs = ref.street_vocabulary()["jobs"]
    job = labels(rng.integers(0, len(jobs), len(donors))[np.searchsorted(donors, row_person)], jobs)
    company = join(
        people["last_name"].take(pa.array(rng.choice(n, m))),
        labels(rng.integers(0, len(ref.COMPANY_SUFFIXES), m), ref.COMPANY_SUFFIXES),
        sep=" ",
    )
    special = labels(rng.integers(1, len(ref.EMPLOYER_SPECIAL), m), ref.EMPLOYER_SPECIAL)
    employer = where(retired, "RETIRED", where(rng.random(m) < 0.12, special, company))
    occupation = where(retired, "RETIRED", job)
    missing = rng.random(m) < 0.05
    employer = where(missing, pa.nulls(m, pa.string()), employer)
    occupation = where(missing, pa.nulls(m, pa.string()), occupation)
    amount = np.exp(rng.normal(np.log(ref.DONATION_MEDIAN), ref.DONATION_SIGMA, m))
    amount = np.where(amount > 20, np.round(amount / 5) * 5, np.round(amount))
    amount = np.clip(amount, 1, 3300).astype(float)
    # committees: two on each side and one non-partisan
    ideology = people["ideology"][row_person]
    cmte = np.where(ideology < 0, rng.integers(0, 2, m), 2 + rng.integers(0, 2, m))
    cmte = np.where(rng.random(m) < 0.1, 4, cmte)
    start, end = day(dt.date(2025, 1, 1)), day(dt.date(2026, 10, 31))
    date = start + (rng.random(m) ** 0.6 * (end - start)).astype(int)
    order = np.argsort(date, kind="stable")
    take = pa.array(order)
    return {
        "sub_id": ids.take("sub_id", m),
        "cmte_id": labels(cmte[order], ref.COMMITTEES),
        "entity_tp": constant("IND", m),
        "name": name.take(take),
        "city": city.take(take),
        "state": constant(ref.STATE_CD, m),
        "zip_code": zip_code.take(take),
        "employer": employer.take(take),
        "occupation": occupation.take(take),
        "transaction_dt": date[order],
        "transaction_amt": amount[order],
        "person": row_person[order],
    }


def _as_typed(rng, text: pa.Array) -> pa.Array:
    """Free typing: title / lower / upper case, stray spaces."""
    m = len(text)
    title = pc.utf8_title(text)
    cased = where(
        rng.random(m) < 0.6, title, where(rng.random(m) < 0.75, pc.utf8_lower(text), text)
    )
    pad = rng.random(m)
    return where(pad < 0.06, join(" ", cased), where(pad < 0.12, join(cased, "  "), cased))


def make_volunteers(rng: np.random.Generator, people: dict, reg: dict, hh: dict, ids: Ids) -> dict:
    n = len(people["age"])
    w = np.exp(-0.015 * (people["age"] - 45) + 0.6 * people["civic"])
    vol = np.flatnonzero(
        (rng.random(n) < np.minimum(1, ref.P_VOLUNTEER * w / w.mean())) & (reg["status"] <= 1)
    )
    m_reg = len(vol)
    m_new = int(round(m_reg * ref.P_VOLUNTEER_UNREGISTERED / (1 - ref.P_VOLUNTEER_UNREGISTERED)))
    # unregistered volunteers: a new first name with a last name from the same pool
    stand_in = rng.choice(n, m_new) if n else np.zeros(0, dtype=int)
    person = np.r_[vol, stand_in]
    m = len(person)
    take = pa.array(person)
    first = people["first_name"].take(take)
    last = people["last_name"].take(take)
    if m_new:
        new_first = people["first_name"].take(pa.array(rng.choice(n, m_new)))
        first = pa.concat_arrays([first.slice(0, m_reg), new_first])
    first = where(rng.random(m) < 0.3, _nickname(first), first)
    name = _as_typed(rng, join(first, last, sep=" "))
    email = people["email"].take(take)
    typed_email = join(
        *(pc.replace_substring_regex(pc.utf8_lower(x), "[^a-z0-9]", "") for x in (first, last)),
        sep=".",
    )
    typed_email = join(
        typed_email, labels(choice(rng, m, [0.6, 0.2, 0.2]), ref.EMAIL_DOMAINS), sep="@"
    )
    email = pc.if_else(pc.is_valid(email), email, typed_email)
    email = where(rng.random(m) < 0.15, pa.nulls(m, pa.string()), email)
    email = where(rng.random(m) < 0.2, pc.utf8_title(email), email)
    phone = people["full_phone_number"].take(take)
    parts = pc.split_pattern(phone, "-")
    area = pc.list_element(parts, 0)
    last4 = pc.list_element(parts, 2)
    style = rng.integers(0, 4, m)
    typed_phone = where(
        style == 0,
        phone,
        where(
            style == 1,
            join("(", area, ") 555-", last4),
            where(style == 2, join(area, ".555.", last4), join(area, "555", last4)),
        ),
    )
    zip5 = hh["zip_code"].take(pa.array(people["hh_idx"][person]))
    zstyle = rng.random(m)
    typed_zip = where(
        zstyle < 0.15,
        pc.utf8_ltrim(zip5, "0"),
        where(zstyle < 0.25, join(zip5, "-", digits(rng.integers(0, 10_000, m), 4)), zip5),
    )
    typed_zip = where(rng.random(m) < 0.05, pa.nulls(m, pa.string()), typed_zip)
    start, end = day(dt.date(2025, 6, 1)), day(dt.date(2026, 10, 15))
    date = np.sort(start + rng.integers(0, end - start, m))
    order = rng.permutation(m)
    o = pa.array(order)
    linked = np.r_[np.ones(m_reg, bool), np.zeros(m_new, bool)][order]
    return {
        "volunteer_id": ids.take("volunteer_id", m).astype(np.int32),
        "signup_dt": date,
        "name": name.take(o),
        "email": email.take(o),
        "phone": typed_phone.take(o),
        "zip_code": typed_zip.take(o),
        "source": labels(
            choice(rng, m, [0.5, 0.25, 0.15, 0.1]), schema.codes("volunteers", "source")
        ),
        "person": np.where(linked, person[order], -1),
    }
