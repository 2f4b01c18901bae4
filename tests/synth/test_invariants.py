"""Invariants that hold for every seed: geography, registration, history, status, contacts, keys."""

from __future__ import annotations

import re
import sqlite3

import pandas as pd
import pyarrow.parquet as pq

from bootcamp.synth import reference as ref
from bootcamp.synth import schema
from bootcamp.synth.writers import SQLITE_NAME


def _people(tiny) -> pd.DataFrame:
    """Every voter record with the truth of the person behind it (duplicates included)."""
    voters, truth = tiny["voters"], tiny["truth_voters"]
    dup = tiny["truth_duplicates"].set_index("dup_ncid")["ncid"]
    person = voters["ncid"].map(dup).fillna(voters["ncid"])
    return voters.assign(person=person).merge(
        truth.rename(columns={"ncid": "person"}), on="person", how="left", validate="m:1"
    )


def test_schema_types_and_codes(tiny):
    for table in schema.TABLES:
        problems = schema.check_table(
            table.name, pq.read_table(tiny.folder / f"{table.name}.parquet")
        )
        assert not problems, problems


def test_household_members_share_address_and_precinct(tiny):
    voters, households = tiny["voters"], tiny["households"]
    per_hh = voters.groupby("household_id")[["res_street_address", "precinct_abbrv", "zip_code"]]
    assert (per_hh.nunique() == 1).all().all()
    merged = voters.merge(households, on="household_id", suffixes=("", "_hh"), validate="m:1")
    for col in ("res_street_address", "precinct_abbrv", "zip_code", "res_city_desc"):
        assert (merged[col] == merged[f"{col}_hh"]).all(), col
    precincts = tiny["precincts"].set_index("precinct_abbrv")
    assert (voters["county_id"] == voters["precinct_abbrv"].map(precincts["county_id"])).all()


def test_registration_not_before_pre_registration_age(tiny):
    people = _people(tiny)
    assert people["birth_date"].notna().all()
    dated = people[people["registr_dt"].notna()]
    sixteenth = dated["birth_date"] + pd.DateOffset(years=16)
    assert (dated["registr_dt"] >= sixteenth - pd.Timedelta(days=1)).all()
    assert (dated["registr_dt"] <= pd.Timestamp(ref.SNAPSHOT_DATE)).all()
    # pre-registration is the exception, not the rule
    eighteenth = dated["birth_date"] + pd.DateOffset(years=18)
    # (about 5%: more where dormitories add students)
    assert (dated["registr_dt"] < eighteenth).mean() < 0.07


def test_history_only_while_registered_and_of_age(tiny):
    people = _people(tiny)
    history = tiny["vote_history"].merge(tiny["elections"], on="election_lbl", validate="m:1")
    votes = history.merge(people, on="ncid", validate="m:1")
    assert len(votes) == len(history)
    assert (votes["election_date"] >= votes["birth_date"] + pd.DateOffset(years=18)).all()
    dated = votes[votes["registr_dt"].notna()]
    assert (dated["election_date"] >= dated["registr_dt"]).all()
    removed = votes[
        votes["removal_dt"].notna() & ~votes["ncid"].isin(tiny["truth_duplicates"]["dup_ncid"])
    ]
    assert (removed["election_date"] < removed["removal_dt"]).all()
    assert not votes["status_cd"].eq("D").any(), "denied applicants never voted"
    muni = votes["election_type"] == "municipal"
    assert votes.loc[muni, "municipality_desc"].notna().all()
    # pct_label and county follow the record's precinct
    assert (votes["pct_label"] == votes["precinct_abbrv"]).all()


def test_primary_ballots_carry_a_party(tiny):
    history = tiny["vote_history"].merge(tiny["elections"], on="election_lbl")
    primary = history["election_type"] == "primary"
    assert history.loc[primary, "voted_party_cd"].notna().all()
    assert history.loc[~primary, "voted_party_cd"].isna().all()
    # registered partisans take their own party's ballot
    merged = history[primary].merge(tiny["voters"][["ncid", "party_cd"]], on="ncid")
    partisan = merged["party_cd"].isin(["DEM", "REP"])
    assert (merged.loc[partisan, "voted_party_cd"] == merged.loc[partisan, "party_cd"]).all()


def test_inactive_voters_missed_recent_federal_generals(tiny):
    voters, history = tiny["voters"], tiny["vote_history"]
    inactive = voters.loc[voters["status_cd"] == "I", "ncid"]
    assert len(inactive) > 0
    recent = history[history["election_lbl"].isin(["11/05/2024", "11/03/2026"])]
    assert not recent["ncid"].isin(inactive).any()
    assert set(voters.loc[voters["status_cd"] == "I", "reason_cd"]) <= {"IN", "IU"}
    codes = {k: v for k, v in ref.REASONS.items()}
    pairs = voters[["status_cd", "reason_cd"]].drop_duplicates()
    assert all(codes[r][0] == s for s, r in pairs.itertuples(index=False))


def test_phones_and_emails_are_reserved(tiny):
    voters = tiny["voters"]
    phones = voters["full_phone_number"].dropna()
    assert len(phones) > 0
    assert phones.str.fullmatch(r"[2-9]\d\d-555-01\d\d").all()
    emails = pd.concat([voters["email"], tiny["volunteers"]["email"]]).dropna()
    assert emails.str.lower().str.fullmatch(r"[a-z0-9.]+@example\.(com|org|net)").all()
    digits = tiny["volunteers"]["phone"].dropna().str.replace(r"\D", "", regex=True)
    assert digits.str.fullmatch(r"[2-9]\d\d55501\d\d").all()
    raw = (tiny.folder / "raw" / "lkvoter_statewide.txt").read_text()
    for number in re.findall(r"\b\d{3}-\d{3}-\d{4}\b", raw):
        assert number[4:11] == "555-01" or number[4:8] == "555-"


def test_every_foreign_key_resolves(tiny):
    for table in schema.TABLES:
        frame = tiny[table.name]
        for col in table.columns:
            if not col.references:
                continue
            ref_table, ref_col = col.references.split(".")
            values = frame[col.name].dropna()
            missing = ~values.isin(tiny[ref_table][ref_col])
            assert not missing.any(), f"{table.name}.{col.name}: {values[missing].head().tolist()}"
        if table.primary_key:
            assert not frame.duplicated(list(table.primary_key)).any(), table.name


def test_sqlite_keys_and_integrity(tiny):
    con = sqlite3.connect(tiny.folder / SQLITE_NAME)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for name in ("voters", "vote_history", "households", "contacts"):
        count = con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
        assert count == len(tiny[name])
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "idx_vote_history_ncid" in indexes


def test_experiment_is_household_randomized(tiny):
    exp = tiny["experiment"]
    arms = exp.groupby(["experiment_id", "household_id"])["arm"].nunique()
    assert (arms == 1).all()
    gotv = exp[exp["experiment_id"] == "GOTV-2025"]
    assert set(gotv["arm"]) <= set(ref.GOTV_ARMS)
    contacts = tiny["contacts"].merge(gotv, on="ncid")
    gotv_contacts = contacts[contacts["list_id"].str.startswith("GOTV")]
    channel = gotv_contacts["list_id"].str.split("-").str[-1].str.lower()
    assert (channel == gotv_contacts["arm"]).all()
    survey = tiny["survey_responses"].merge(tiny["contacts"], on=["contact_id", "ncid"])
    assert (survey["result_code"] == "Canvassed").all()
    support = tiny["survey_responses"].query("question == 'support'")["response"]
    assert set(support) <= {"1", "2", "3", "4", "5"}


def test_messiness_present_and_switchable(tiny, make_dataset):
    assert len(tiny["truth_duplicates"]) > 0
    assert tiny["vote_history"]["voting_method"].isin(ref.METHODS_LEGACY).any()
    raw = (tiny.folder / "raw" / "lkvoter_statewide.txt").read_text()
    assert "##/##/####" in raw or tiny["voters"]["registr_dt"].notna().all()
    clean = make_dataset("tiny", 1, formats=("parquet",), messy=False)
    assert len(clean["truth_duplicates"]) == 0
    assert (
        not clean["vote_history"]["voting_method"]
        .isin(set(ref.METHODS_LEGACY) - set(ref.METHODS))
        .any()
    )
    assert not clean["vote_history"].duplicated(["ncid", "election_lbl"]).any()
    assert clean["voters"]["registr_dt"].notna().all()
    assert (clean["voters"]["birth_year"] > 1900).all()
