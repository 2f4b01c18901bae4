"""Stage 1, geography: counties -> cities -> precincts with districts and hidden traits."""

from __future__ import annotations

import numpy as np

from bootcamp.synth import reference as ref
from bootcamp.synth.columns import choice
from bootcamp.synth.config import Config


def _city_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """City names in Faker's en_US formats ("{prefix} {first}{suffix}", "{last}{suffix}", ...)."""
    vocab, nm = ref.street_vocabulary(), ref.names()
    first = nm["first_male"].names
    last = nm["last"].names
    out: list[str] = []
    while len(out) < n:
        fmt = rng.integers(4)
        pre = vocab["city_prefixes"][rng.integers(len(vocab["city_prefixes"]))]
        suf = vocab["city_suffixes"][rng.integers(len(vocab["city_suffixes"]))].upper()
        f = first[rng.integers(len(first))]
        la = last[choice(rng, 1, nm["last"].p)[0]]
        name = (f"{pre} {f}{suf}", f"{pre} {f}", f"{f}{suf}", f"{la}{suf}")[fmt]
        if name not in taken and len(name) <= 20:
            taken.add(name)
            out.append(name)
    return out


def precinct_size(n_registrants: int) -> float:
    low, high = ref.PRECINCT_SIZE
    return float(np.clip(n_registrants / 100, low, high))


def make_geography(rng: np.random.Generator, config: Config) -> dict:
    """Precincts of the whole state (a small table even at the state preset)."""
    n = config.n_registrants
    size = precinct_size(n)
    taken: set[str] = set()
    rows: dict[str, list] = {
        k: []
        for k in (
            "precinct_abbrv",
            "precinct_desc",
            "county_id",
            "county_desc",
            "urbanicity",
            "municipality_desc",
            "ward_abbrv",
            "res_city_desc",
            "zip_code",
            "target",
            "lean",
            "civic_mean",
            "turnout_effect",
        )
    }
    zip_next: dict[str, int] = {}
    for county in ref.COUNTIES:
        county_n = county.share * n
        n_prec = max(1, round(county_n / size))
        n_city = min(county.n_cities, n_prec)
        cities = _city_names(rng, n_city, taken)
        city_w = 1.0 / np.arange(1, n_city + 1)  # the first city is the county seat
        city_of = np.sort(choice(rng, n_prec, city_w))
        city_of[:n_city] = np.arange(n_city)  # every city has a precinct
        city_of = np.sort(city_of)
        # one or two zip codes per city
        zips = {}
        for c in range(n_city):
            k = 1 + int(rng.random() < 0.5)
            start = zip_next.get(county.zip3, 10)
            zips[c] = [f"{county.zip3}{start + i:02d}" for i in range(k)]
            zip_next[county.zip3] = start + k
        target = rng.lognormal(0, ref.PRECINCT_SIZE_SIGMA, n_prec)
        target = target / target.sum() * county_n
        municipal = rng.random(n_prec) < ref.MUNICIPAL_SHARE[county.urbanicity]
        per_city = np.zeros(n_city, dtype=int)
        for j in range(n_prec):
            c = city_of[j]
            per_city[c] += 1
            rows["precinct_abbrv"].append(f"{county.abbr}{j + 1:03d}")
            rows["precinct_desc"].append(f"{cities[c]} {per_city[c]}")
            rows["county_id"].append(county.county_id)
            rows["county_desc"].append(county.county_desc)
            rows["urbanicity"].append(county.urbanicity)
            rows["municipality_desc"].append(cities[c] if municipal[j] else None)
            ward = None
            if municipal[j] and county.urbanicity == "urban":
                ward = f"W{1 + (per_city[c] - 1) * 6 // max(1, (city_of == c).sum())}"
            rows["ward_abbrv"].append(ward)
            rows["res_city_desc"].append(cities[c])
            rows["zip_code"].append(zips[c][rng.integers(len(zips[c]))])
            rows["target"].append(target[j])
        rows["lean"].extend(county.lean + rng.normal(0, 0.35, n_prec))
        rows["civic_mean"].extend(
            rng.normal(0.1 if county.urbanicity == "suburban" else 0, 0.3, n_prec)
        )
        rows["turnout_effect"].extend(rng.normal(0, ref.PRECINCT_EFFECT_SD, n_prec))
    geo = {
        k: np.array(v, dtype=object if isinstance(v[0], str) or v[0] is None else None)
        for k, v in rows.items()
    }
    for k in ("municipality_desc", "ward_abbrv"):
        geo[k] = np.array(rows[k], dtype=object)
    geo["county_id"] = geo["county_id"].astype(np.int8)
    # districts: contiguous runs of precincts with about equal registrants
    cum = np.cumsum(geo["target"]) - geo["target"] / 2
    n_prec = len(cum)
    for col, k, width in (
        ("cong_dist_abbrv", ref.N_CONGRESSIONAL, 1),
        ("lk_senate_abbrv", ref.N_SENATE, 2),
        ("lk_house_abbrv", ref.N_HOUSE, 3),
    ):
        k = max(1, min(k, n_prec // 2))
        dist = 1 + np.floor(cum / cum[-1] * k).clip(0, k - 1).astype(int)
        geo[col] = np.array([f"{d:0{width}d}" for d in dist], dtype=object)
    geo["target"] = np.round(geo["target"] * n / geo["target"].sum()).astype(np.int64)
    return geo


def chunks(geo: dict, max_registrants: int) -> list[np.ndarray]:
    """Precinct index groups, county by county, each with at most ``max_registrants``."""
    out = []
    for county_id in np.unique(geo["county_id"]):
        idx = np.flatnonzero(geo["county_id"] == county_id)
        block = (np.cumsum(geo["target"][idx]) - 1) // max_registrants
        out.extend(idx[block == b] for b in np.unique(block))
    if sum(geo["target"]) <= max_registrants:  # small presets: one chunk, whole state
        return [np.arange(len(geo["target"]))]
    return out
