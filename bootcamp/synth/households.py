"""Stage 2, households: addresses (streets, house numbers, units) and who lives there."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bootcamp.synth import reference as ref
from bootcamp.synth import schema
from bootcamp.synth.columns import choice, group_rank, join, labels, where
from bootcamp.synth.config import Config

DWELLING_TYPES = schema.codes("households", "dwelling_type")


def _expected_registrants_per_household() -> float:
    sizes = np.array(list(ref.HOUSEHOLD_SIZE_P))
    p = np.array(list(ref.HOUSEHOLD_SIZE_P.values()))
    adults = 1 + (sizes >= 2) * ref.P_SECOND_ADULT + (sizes >= 3) * ref.P_THIRD_ADULT
    return float((p * adults).sum() / p.sum() * ref.P_REGISTERED)


def make_households(
    rng: np.random.Generator, config: Config, geo: dict, precincts: np.ndarray, first_id: int
) -> dict:
    """Households of the given precincts, with registrant counts adding up to each target."""
    target = geo["target"][precincts]
    per_hh = _expected_registrants_per_household()
    draw = np.ceil(target / per_hh * 1.25 + 8).astype(np.int64)
    prec = np.repeat(np.arange(len(precincts)), draw)
    n = len(prec)
    size = np.array(list(ref.HOUSEHOLD_SIZE_P))[choice(rng, n, list(ref.HOUSEHOLD_SIZE_P.values()))]
    adults = (
        1
        + ((size >= 2) & (rng.random(n) < ref.P_SECOND_ADULT))
        + ((size >= 3) & (rng.random(n) < ref.P_THIRD_ADULT))
    )
    registered = rng.binomial(adults, ref.P_REGISTERED)
    # a household of one adult whose only adult is unregistered has no record: resample so that
    # every household kept has at least one registrant (the address table lists those only)
    keep = registered > 0
    prec, size, adults, registered = prec[keep], size[keep], adults[keep], registered[keep]
    # cut each precinct's list where its registrant target is reached
    cum = np.cumsum(registered)
    start = np.r_[0, np.flatnonzero(prec[1:] != prec[:-1]) + 1]
    offset = np.repeat(np.r_[0, cum[start[1:] - 1]], np.diff(np.r_[start, len(prec)]))
    before = cum - registered - offset
    keep = before < target[prec]
    prec, size, adults, registered = prec[keep], size[keep], adults[keep], registered[keep]

    # group quarters: a dormitory or a care home in some precincts, many registrants at one address
    urban = geo["urbanicity"][precincts]
    dorm = np.flatnonzero(rng.random(len(precincts)) < [ref.DORM_SHARE[u] for u in urban])
    care = np.flatnonzero(rng.random(len(precincts)) < ref.CARE_HOME_SHARE)
    kind = np.r_[np.ones(len(dorm), np.int8), np.full(len(care), 2, np.int8)]
    low = np.where(kind == 1, ref.DORM_REGISTRANTS[0], ref.CARE_HOME_REGISTRANTS[0])
    high = np.where(kind == 1, ref.DORM_REGISTRANTS[1], ref.CARE_HOME_REGISTRANTS[1])
    gq_registered = low + (rng.random(len(kind)) * (high - low + 1)).astype(np.int64)
    gq_size = np.minimum(
        127, gq_registered + (rng.random(len(kind)) * gq_registered / 3).astype(int)
    )
    order = np.argsort(np.r_[prec, dorm, care], kind="stable")
    prec = np.r_[prec, dorm, care][order]
    size = np.r_[size, gq_size][order]
    adults = np.r_[adults, gq_size][order]
    registered = np.r_[registered, gq_registered][order]
    group_quarters = np.r_[np.zeros(len(order) - len(kind), np.int8), kind][order]
    n = len(prec)

    apt_p = np.array([ref.APARTMENT_SHARE[u] for u in geo["urbanicity"][precincts]])[prec]
    apartment = (rng.random(n) < apt_p) & (size <= 4) & (group_quarters == 0)

    # streets: each precinct has its own set (about 25 households a street)
    n_streets = np.maximum(3, np.bincount(prec, minlength=len(precincts)) // 25)
    street_start = np.r_[0, np.cumsum(n_streets)[:-1]]
    n_all = int(n_streets.sum())
    vocab, nm = ref.street_vocabulary(), ref.names()
    use_last = rng.random(n_all) < 0.5
    name_first = choice(rng, n_all, nm["first_male"].p)
    name_last = choice(rng, n_all, nm["last"].p)
    street_name = where(
        use_last, labels(name_last, nm["last"].names), labels(name_first, nm["first_male"].names)
    )
    suffix = choice(rng, n_all, vocab["suffix_p"])
    has_dir = rng.random(n_all) < 0.12
    direction = rng.integers(0, len(ref.STREET_DIRECTIONS), n_all)
    street_base = rng.integers(1, 90, n_all) * 100

    street = street_start[prec] + (rng.random(n) * n_streets[prec]).astype(np.int64)
    rank = group_rank(street * 2 + apartment)
    # houses take consecutive numbers (both sides of the street), apartment buildings of up
    # to 24 units numbers from 200 on (odd on every other street)
    house_num = np.where(
        apartment,
        street_base[street] + 200 + street % 2 + 2 * (rank // 24),
        street_base[street] + 2 + rank,
    )
    unit = np.where(apartment, rank % 24 + 1, 0)

    dir_col = labels(direction[street], ref.STREET_DIRECTIONS, mask=~has_dir[street])
    sname = street_name.take(pa.array(street))
    abbr = labels(suffix[street], vocab["suffix_abbr"])
    long = labels(suffix[street], vocab["suffix_long"])
    unit_txt = where(apartment, pa.array(unit).cast(pa.string()), pa.nulls(n, pa.string()))
    gp = precincts[prec]
    out = {
        "household_id": first_id + np.arange(n, dtype=np.int64),
        "house_num": house_num.astype(np.int32),
        "street_dir": dir_col,
        "street_name": sname,
        "street_type": abbr,
        "unit_num": unit_txt,
        "res_city_desc": pa.array(geo["res_city_desc"][gp], pa.string()),
        "zip_code": pa.array(geo["zip_code"][gp], pa.string()),
        "precinct_abbrv": pa.array(geo["precinct_abbrv"][gp], pa.string()),
        "county_id": geo["county_id"][gp],
        "dwelling_type": labels(
            np.where(group_quarters > 0, 2, apartment).astype(np.int32), DWELLING_TYPES
        ),
        "household_size": size.astype(np.int8),
        # internal
        "group_quarters": group_quarters,  # 0 no, 1 dormitory, 2 care home
        "precinct_idx": gp,
        "apartment": apartment,
        "adults": adults,
        "registered": registered,
        "street": street,
        "street_type_long": long,
    }
    return _with_address_lines(out)


def _with_address_lines(hh: dict) -> dict:
    """Add the street lines (abbreviated and spelled-out street type) from the address parts."""
    hn = pa.array(hh["house_num"]).cast(pa.string())
    dir_col = hh["street_dir"]
    lead = pc.if_else(pc.is_valid(dir_col), join(hn, dir_col.fill_null(""), sep=" "), hn)
    line = join(lead, hh["street_name"], hh["street_type"], sep=" ")
    line_long = join(lead, hh["street_name"], hh["street_type_long"], sep=" ")
    apt = join(" APT ", hh["unit_num"].fill_null(""))
    apartment = hh["apartment"]
    hh["res_street_address"] = where(apartment, join(line, apt), line)
    hh["res_street_address_long"] = where(apartment, join(line_long, apt), line_long)
    return hh


def new_addresses(
    rng: np.random.Generator, hh: dict, geo: dict, precinct_idx: np.ndarray, first_id: int
) -> dict:
    """New homes (one household each) in the given precincts, on streets already there.

    Each takes a house number past the last one on its street, so no address repeats; the
    precinct must already have households in ``hh``.
    """
    k = len(precinct_idx)
    by_precinct = np.argsort(hh["precinct_idx"], kind="stable")
    sorted_prec = hh["precinct_idx"][by_precinct]
    lo = np.searchsorted(sorted_prec, precinct_idx, side="left")
    hi = np.searchsorted(sorted_prec, precinct_idx, side="right")
    if k and (hi <= lo).any():
        raise ValueError("new_addresses: a precinct without households")
    template = by_precinct[lo + (rng.random(k) * (hi - lo)).astype(np.int64)]
    street = hh["street"][template]
    n_streets = int(hh["street"].max()) + 1 if len(hh["street"]) else 1
    last = np.zeros(n_streets, dtype=np.int64)
    np.maximum.at(last, hh["street"], hh["house_num"].astype(np.int64))
    house_num = last[street] + 2 * (1 + group_rank(street))
    urban = geo["urbanicity"][precinct_idx]
    apartment = rng.random(k) < np.array([ref.APARTMENT_SHARE[u] for u in urban])
    size = np.array(list(ref.HOUSEHOLD_SIZE_P))[choice(rng, k, list(ref.HOUSEHOLD_SIZE_P.values()))]
    take = pa.array(template)
    out = {
        "household_id": first_id + np.arange(k, dtype=np.int64),
        "house_num": house_num.astype(np.int32),
        "street_dir": hh["street_dir"].take(take),
        "street_name": hh["street_name"].take(take),
        "street_type": hh["street_type"].take(take),
        "unit_num": where(
            apartment,
            pa.array(rng.integers(1, 25, k)).cast(pa.string()),
            pa.nulls(k, pa.string()),
        ),
        "res_city_desc": hh["res_city_desc"].take(take),
        "zip_code": hh["zip_code"].take(take),
        "precinct_abbrv": hh["precinct_abbrv"].take(take),
        "county_id": hh["county_id"][template],
        "dwelling_type": labels(apartment.astype(np.int32), DWELLING_TYPES),
        "household_size": size.astype(np.int8),
        "group_quarters": np.zeros(k, np.int8),
        "precinct_idx": hh["precinct_idx"][template],
        "apartment": apartment,
        "adults": np.ones(k, dtype=np.int64),
        "registered": np.ones(k, dtype=np.int64),
        "street": street,
        "street_type_long": hh["street_type_long"].take(take),
    }
    return _with_address_lines(out)


def concat(a: dict, b: dict) -> dict:
    """Households of ``a`` followed by those of ``b`` (same keys)."""
    out = {}
    for key, col in a.items():
        if isinstance(col, pa.Array):
            out[key] = pa.concat_arrays([col, b[key].cast(col.type)])
        else:
            out[key] = np.concatenate([col, np.asarray(b[key]).astype(col.dtype)])
    return out
