"""Chapter 9's promises, repeated on other synthetic states than the book's.

The lessons assert on the course data that the turnout model beats "voted N of the last 4" on the
held-out most recent general election and that its coefficients agree in sign with the generator's
turnout model. These tests generate two other seeds (a county-like preset, scaled down) and check
the same things, plus the modeling table's rule that no feature comes from the label election.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from bootcamp import data, turnout
from bootcamp.synth import reference
from bootcamp.synth.build import build
from bootcamp.synth.config import Config

SEEDS = (101, 202)
SIZE = 15_000  # registrants: enough for stable AUCs, quick to generate
TRAIN_LABEL, TEST_LABEL = "11/05/2024", "11/03/2026"


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def state(request, tmp_path_factory):
    """One other synthetic state: its tables, the two modeling tables and the fitted model."""
    folder = tmp_path_factory.mktemp(f"ch09-{request.param}") / "data"
    build(Config("county", seed=request.param, size=SIZE), folder, ("parquet",))
    tables = {name: data.read(folder, name) for name in ("voters", "vote_history", "elections")}
    args = (tables["voters"], tables["vote_history"], tables["elections"])
    train = turnout.modeling_frame(*args, TRAIN_LABEL)
    test = turnout.modeling_frame(*args, TEST_LABEL)
    features = turnout.NUMERIC + turnout.CATEGORICAL
    prepare = ColumnTransformer(
        [
            ("numbers", StandardScaler(), turnout.NUMERIC),
            ("codes", OneHotEncoder(handle_unknown="ignore"), turnout.CATEGORICAL),
        ]
    )
    model = Pipeline([("prepare", prepare), ("logit", LogisticRegression(max_iter=1000))])
    model.fit(train[features], train["voted"])
    return {"tables": tables, "train": train, "test": test, "model": model, "features": features}


@pytest.mark.slow
def test_model_beats_the_baseline_on_the_held_out_election(state):
    test = state["test"]
    scores = state["model"].predict_proba(test[state["features"]])[:, 1]
    model_auc = roc_auc_score(test["voted"], scores)
    baseline_auc = roc_auc_score(test["voted"], test["generals_voted"])
    assert model_auc > baseline_auc + 0.03, (model_auc, baseline_auc)
    assert model_auc < 0.95  # no leak: an honest turnout model is far from perfect


@pytest.mark.slow
def test_coefficients_agree_in_sign_with_the_generator(state):
    model = state["model"]
    names = model.named_steps["prepare"].get_feature_names_out()
    coef = pd.Series(model.named_steps["logit"].coef_[0], index=names)
    party = reference.PARTY_TURNOUT
    assert (coef["codes__party_cd_REP"] - coef["codes__party_cd_UNA"]) * (
        party["REP"] - party["UNA"]
    ) > 0
    assert (coef["codes__party_cd_DEM"] - coef["codes__party_cd_UNA"]) * (
        party["DEM"] - party["UNA"]
    ) > 0
    assert coef["numbers__age"] > 0  # the generator's age effect rises from 18 to 80
    for column in ("general_1", "general_2", "primaries_voted"):
        assert coef[f"numbers__{column}"] > 0  # habit


@pytest.mark.slow
def test_features_come_only_from_before_the_label_election(state):
    tables, test = state["tables"], state["test"]
    record = turnout.voting_record(tables["vote_history"]).reindex(test["ncid"], fill_value=0)
    # general_1 is the 2024 general, never the label election itself
    assert (test["general_1"].to_numpy() == record["11/05/2024"].to_numpy()).all()
    assert (test["voted"].to_numpy() == record[TEST_LABEL].to_numpy()).all()
    assert not (test["general_1"] == test["voted"]).all()
    last = turnout.history_before(tables["elections"], TEST_LABEL, ("midterm_general",))
    assert (last["election_date"] < pd.Timestamp("2026-11-03")).all()
    # a file cut before 2025 has fewer earlier generals for its older labels: they count as 0
    early = turnout.modeling_frame(
        tables["voters"], tables["vote_history"], tables["elections"], "11/08/2022"
    )
    assert set(early["general_4"]) == {0}
    assert early["generals_voted"].max() == 3


def test_a_day_that_is_not_an_election_gives_features_without_a_label():
    elections = pd.DataFrame(
        {
            "election_lbl": ["11/05/2024", "11/03/2026"],
            "election_type": ["presidential_general", "midterm_general"],
            "election_date": pd.to_datetime(["2024-11-05", "2026-11-03"]),
        }
    )
    voters = pd.DataFrame(
        {
            "ncid": ["AA1", "AA2", "AA3"],
            "status_cd": ["A", "I", "R"],
            "age_at_year_end": [40, 30, 50],
            "registr_dt": pd.to_datetime(["2010-01-01", None, "2026-11-01"]),
            "party_cd": ["DEM", "REP", "UNA"],
            "race_code": ["W", "B", "A"],
            "ethnic_code": ["NL", "NL", "HL"],
            "gender_code": ["F", "M", "U"],
            "county_desc": ["HARBOR", "MAPLE", "OSPREY"],
        }
    )
    history = pd.DataFrame(
        {"ncid": ["AA1", "AA1", "AA2"], "election_lbl": ["11/05/2024", "11/03/2026", "11/03/2026"]}
    )
    today = turnout.modeling_frame(voters, history, elections, "12/01/2026")
    assert "voted" not in today.columns
    assert list(today["ncid"]) == ["AA1", "AA2"]  # the removed registrant is left out
    assert list(today["general_1"]) == [1, 1] and list(today["general_2"]) == [1, 0]
    held = turnout.modeling_frame(voters, history, elections, "11/03/2026")
    assert list(held["voted"]) == [1, 1] and list(held["general_1"]) == [1, 0]
