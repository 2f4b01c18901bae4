"""Realism targets of issue 10, each with its tolerance, on the county preset with three seeds.

Precinct sizes vary as in real files; registrations surge before presidential-year deadlines and
rarely fall on weekends; house numbers have both parities; a phone number or an e-mail address
identifies about one household.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bootcamp.synth import reference as ref

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def county3(request, make_dataset):
    return make_dataset("county", request.param, formats=("parquet",))


def _persons(ds) -> pd.Series:
    voters = ds["voters"]
    dup = ds["truth_duplicates"].set_index("dup_ncid")["ncid"]
    return voters["ncid"].map(dup).fillna(voters["ncid"])


def test_precinct_sizes_vary(county3):
    # real files: coefficient of variation about 0.5 or more (target >= 0.5)
    size = county3["voters"].groupby("precinct_abbrv").size()
    assert size.std() / size.mean() >= 0.5


def test_registrations_surge_before_presidential_deadlines(county3):
    dates = county3["voters"]["registr_dt"].dropna()
    for e in ref.ELECTIONS:
        if e.election_type != "presidential_general":
            continue
        deadline = pd.Timestamp(e.date) - pd.Timedelta(days=ref.REGISTRATION_DEADLINE_DAYS)
        surge = dates.between(deadline - pd.Timedelta(days=41), deadline).sum() / 42
        spring = dates.between(f"{e.date.year}-03-01", f"{e.date.year}-05-31").sum() / 92
        # target: two to four times the spring rate
        assert 2 <= surge / spring <= 4, (e.date, surge / spring)


def test_few_weekend_registrations(county3):
    weekday = county3["voters"]["registr_dt"].dropna().dt.day_of_week
    # target: well under 2/7 (offices closed); at most 10%
    assert weekday.isin([5, 6]).mean() <= 0.10


def test_house_numbers_of_both_parities(county3):
    hh = county3["households"]
    for dwelling in ("single-family", "apartment"):
        odd = (hh.loc[hh["dwelling_type"] == dwelling, "house_num"] % 2).mean()
        assert 0.35 <= odd <= 0.65, (dwelling, odd)  # target: both sides of the street


def test_a_phone_number_identifies_about_one_household(county3):
    voters = county3["voters"].dropna(subset=["full_phone_number"])
    assert voters["full_phone_number"].str.fullmatch(r"[2-9]\d\d-555-01\d\d").all()
    households = voters.groupby("full_phone_number")["household_id"].nunique()
    # target: at least 95% of numbers belong to one household, over hundreds of area codes
    assert (households == 1).mean() >= 0.95
    assert households.index.str[:3].nunique() >= 300


def test_an_email_identifies_about_one_person(county3):
    voters = county3["voters"].assign(person=_persons(county3).values)
    voters = voters.dropna(subset=["email"])
    people = voters.groupby("email")["person"].nunique()
    # target: at most 1% of addresses shared by different people
    assert (people > 1).mean() <= 0.01
