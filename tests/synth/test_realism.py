"""Realism targets of issue 10, each with its tolerance, on the county preset with three seeds.

Precinct sizes vary as in real files; registrations surge before presidential-year deadlines and
rarely fall on weekends; house numbers have both parities; a phone number or an e-mail address
identifies about one household.
"""

from __future__ import annotations

import numpy as np
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


def _own_records(ds) -> pd.DataFrame:
    """Voter records without injected duplicates and implausible birth years."""
    voters = ds["voters"]
    dup = voters["ncid"].isin(ds["truth_duplicates"]["dup_ncid"])
    return voters[~dup & (voters["birth_year"] > ref.IMPLAUSIBLE_BIRTH_YEAR)]


def test_first_names_carry_birth_cohorts(county3):
    voters = _own_records(county3)
    common = voters["first_name"].value_counts().index[:60]
    mean_year = voters[voters["first_name"].isin(common)].groupby("first_name")["birth_year"].mean()
    # real files: the commonest names' mean birth years spread over decades (noise alone: ~1 year)
    assert mean_year.std() >= 5, mean_year.std()
    linda = voters.loc[voters["first_name"] == "LINDA", "birth_year"]
    ashley = voters.loc[voters["first_name"] == "ASHLEY", "birth_year"]
    assert len(linda) >= 20 and 1948 <= linda.mean() <= 1962  # SSA peak: late 1940s-1950s
    assert len(ashley) >= 20 and 1982 <= ashley.mean() <= 1995  # SSA peak: mid 1980s-early 1990s


def _cramers_v(table: pd.DataFrame) -> float:
    from scipy.stats import chi2_contingency

    chi2 = chi2_contingency(table)[0]
    return float(np.sqrt(chi2 / (table.values.sum() * (min(table.shape) - 1))))


def test_surnames_carry_race_and_ethnicity(county3):
    from bootcamp.synth import namedata

    voters = _own_records(county3)
    non_hispanic = voters[
        (voters["ethnic_code"] == "NL") & voters["race_code"].isin(["W", "B", "A"])
    ]
    common = non_hispanic["last_name"].value_counts().index[:100]
    sample = non_hispanic[non_hispanic["last_name"].isin(common)]
    # target: clearly associated (0.14 before; the Census table gives about 0.5 here): >= 0.35
    assert _cramers_v(pd.crosstab(sample["last_name"], sample["race_code"])) >= 0.35
    washington = voters[(voters["last_name"] == "WASHINGTON") & (voters["race_code"] != "U")]
    # Census 2010: 87.5% of WASHINGTONs are Black; tolerance for about 80 people: >= 65%
    assert len(washington) >= 30 and (washington["race_code"] == "B").mean() >= 0.65
    # Hispanic surnames (most bearers Hispanic in the Census table) are not perfectly separable
    hispanic_names = {n for n, shares in namedata.SURNAME_RACE.items() if shares[5] >= 500}
    with_name = voters["last_name"].isin(hispanic_names)
    assert 0.6 <= with_name[voters["ethnic_code"] == "HL"].mean() <= 0.95
    assert 0.005 <= with_name[voters["ethnic_code"] == "NL"].mean() <= 0.05


def test_group_quarters_hold_many_registrants(county3):
    voters = county3["voters"].merge(
        county3["households"][["household_id", "dwelling_type"]], on="household_id"
    )
    gq = voters[voters["dwelling_type"] == "group quarters"]
    per_address = gq.groupby("household_id").size()
    # target: some addresses (dormitories, care homes) with many registrants each
    assert len(per_address) >= 3 and per_address.min() >= 15
    age = gq.groupby("household_id")["age_at_year_end"].median()
    students, elderly = (age <= 24).sum(), (age >= 75).sum()
    assert students >= 1 and elderly >= 1 and students + elderly == len(age)
    # strangers, not families: few residents share a last name
    shared = gq.groupby("household_id")["last_name"].agg(lambda s: s.duplicated().mean())
    assert shared.max() <= 0.3
