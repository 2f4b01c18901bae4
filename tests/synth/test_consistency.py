"""Consistency of people, places and dates across tables, on the tiny seeds and the county data.

Each test here guards a defect found from outside (issue 10): moved duplicates joining strangers'
households, votes the day before the 18th birthday, votes inside the registration deadline and
canvass contacts before registration.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bootcamp.synth import reference as ref
from bootcamp.synth.columns import day
from bootcamp.synth.config import FORMATS, Config

TINY_SEEDS = (1, 2, 3)  # as the tiny fixture

SOURCES = [("tiny", seed, 0) for seed in TINY_SEEDS] + [
    ("county", Config().seed, 0),
    ("tiny", 1, 1),
    ("county", Config().seed, 1),
]


@pytest.fixture(
    params=SOURCES, ids=[f"{p}-seed{s}-snapshot{w}" for p, s, w in SOURCES], scope="module"
)
def dataset(request, make_dataset):
    preset, seed, snapshot = request.param
    formats = FORMATS if preset == "tiny" and not snapshot else ("parquet",)
    return make_dataset(preset, seed, formats=formats, snapshot=snapshot)


def _person_of_record(ds) -> pd.Series:
    """ncid -> the ncid of the person behind the record (duplicates map to the original)."""
    voters = ds["voters"]
    dup = ds["truth_duplicates"].set_index("dup_ncid")["ncid"]
    return pd.Series(voters["ncid"].map(dup).fillna(voters["ncid"]).values, index=voters["ncid"])


def test_moved_duplicates_have_an_address_of_their_own(dataset):
    voters = dataset["voters"]
    moved = dataset["truth_duplicates"].query("kind == 'moved'")
    assert len(moved) > 0
    records_per_hh = voters.groupby("household_id")["ncid"].size()
    hh_of_moved = voters.set_index("ncid").loc[moved["dup_ncid"], "household_id"]
    assert (records_per_hh.loc[hh_of_moved.values] == 1).all(), "a moved duplicate joined others"
    old_hh = voters.set_index("ncid").loc[moved["ncid"], "household_id"]
    assert (old_hh.values != hh_of_moved.values).all()


def test_no_household_has_more_people_than_residents(dataset):
    voters = dataset["voters"].assign(person=_person_of_record(dataset).values)
    people = voters.groupby("household_id")["person"].nunique()
    size = dataset["households"].set_index("household_id")["household_size"]
    assert (people <= size.loc[people.index]).all()


def test_eighteenth_birthday_is_calendar_arithmetic():
    from bootcamp.synth.registration import add_years

    born = np.array(
        [day(d) for d in (dt.date(1998, 11, 9), dt.date(2000, 2, 29), dt.date(1990, 12, 31))]
    )
    expected = [day(d) for d in (dt.date(2016, 11, 9), dt.date(2018, 3, 1), dt.date(2008, 12, 31))]
    assert add_years(born, 18).tolist() == expected


def test_nobody_votes_before_their_18th_birthday(dataset):
    truth = dataset["truth_voters"].set_index("ncid")["birth_date"]
    history = dataset["vote_history"].merge(dataset["elections"], on="election_lbl")
    person = _person_of_record(dataset)
    born = person.loc[history["ncid"]].map(truth).values
    eighteenth = pd.Series(born) + pd.DateOffset(years=18)
    assert (history["election_date"].values >= eighteenth.values).all()


def test_every_vote_respects_the_registration_deadline(dataset):
    voters = dataset["voters"].set_index("ncid")
    history = dataset["vote_history"].merge(dataset["elections"], on="election_lbl")
    registered = voters.loc[history["ncid"], "registr_dt"].values
    known = ~pd.isna(registered)
    assert known.mean() > 0.95
    deadline = history["election_date"].values - np.timedelta64(ref.REGISTRATION_DEADLINE_DAYS, "D")
    assert (registered[known] <= deadline[known]).all()


def test_contacts_come_after_registration(dataset):
    voters = dataset["voters"].set_index("ncid")
    contacts = dataset["contacts"]
    assert len(contacts) > 0
    registered = voters.loc[contacts["ncid"], "registr_dt"].values
    known = ~pd.isna(registered)
    assert (contacts["contact_dt"].values[known] >= registered[known]).all()
