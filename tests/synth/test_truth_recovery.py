"""Models fitted to the generated data recover the process that generated it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from bootcamp.synth import reference as ref

GENERAL_2026, GENERAL_2024, EXPERIMENT = "11/03/2026", "11/05/2024", "11/04/2025"


@pytest.fixture(scope="module")
def turnout_2026(county) -> pd.DataFrame:
    """Voters eligible in both the 2024 and 2026 generals, with history and truth."""
    voters = county["voters"].merge(county["truth_voters"], on="ncid")
    history = county["vote_history"]
    cutoff = pd.Timestamp(2024, 11, 5) - pd.Timedelta(days=ref.REGISTRATION_DEADLINE_DAYS)
    frame = voters[
        (voters["registr_dt"] <= cutoff)
        & voters["status_cd"].isin(["A", "I", "S", "R"])
        & ~(voters["removal_dt"] <= pd.Timestamp(2026, 11, 3))
        & (voters["birth_date"] <= pd.Timestamp(2006, 11, 5))
        & ~voters["ncid"].isin(county["truth_duplicates"]["ncid"])
    ].copy()
    for label, col in ((GENERAL_2026, "y"), (GENERAL_2024, "voted_2024")):
        frame[col] = frame["ncid"].isin(history.loc[history["election_lbl"] == label, "ncid"])
    age = (pd.Timestamp(2026, 11, 3) - frame["birth_date"]).dt.days / 365.25
    frame["age_66_80"] = age.between(66, 80).astype(float)
    frame["age_41_65"] = age.between(41, 66, inclusive="left").astype(float)
    frame["age_under_26"] = (age < 26).astype(float)
    for party in ("DEM", "REP"):
        frame[party] = (frame["party_cd"] == party).astype(float)
    return frame[frame["party_cd"].isin(["DEM", "REP", "UNA"])]


def _fit(frame: pd.DataFrame, features: list[str]) -> dict[str, float]:
    model = LogisticRegression(C=1e6, max_iter=2000)
    model.fit(frame[features].astype(float), frame["y"])
    return dict(zip(features, model.coef_[0], strict=True))


def test_regression_on_history_and_demographics_recovers_signs(turnout_2026):
    coef = _fit(
        turnout_2026, ["voted_2024", "age_under_26", "age_41_65", "age_66_80", "DEM", "REP"]
    )
    # habit is strong (it also absorbs the unobserved civic propensity), age raises turnout,
    # Republicans vote more than Democrats, who vote more than unaffiliated registrants
    assert coef["voted_2024"] > 1.5
    assert coef["age_under_26"] < 0 < coef["age_41_65"] < coef["age_66_80"]
    assert coef["REP"] > coef["DEM"] > 0


def test_regression_with_the_latent_propensity_recovers_sizes(turnout_2026):
    coef = _fit(
        turnout_2026,
        ["voted_2024", "civic_propensity", "age_under_26", "age_41_65", "age_66_80", "DEM", "REP"],
    )
    # biased upward by the omitted precinct and race terms (1.60 on the default data)
    assert abs(coef["voted_2024"] - ref.HABIT_COEF) <= 0.35
    assert abs(coef["civic_propensity"] - ref.CIVIC_COEF) <= 0.25
    assert abs(coef["REP"] - ref.PARTY_TURNOUT["REP"]) <= 0.25
    assert abs(coef["DEM"] - ref.PARTY_TURNOUT["DEM"]) <= 0.25
    # between 26-40 (reference) and 66-80 the age effect rises by about 1.5 on the logit scale
    assert 0.9 <= coef["age_66_80"] <= 2.2


def test_experiment_difference_in_means_covers_true_itt(county):
    exp = county["experiment"].query("experiment_id == 'GOTV-2025'")
    truth = county["truth_voters"].set_index("ncid")
    voted = county["vote_history"].query("election_lbl == @EXPERIMENT")["ncid"]
    exp = exp.assign(
        y=exp["ncid"].isin(voted).astype(float),
        effect=exp["ncid"].map(truth["exp_p_assigned"] - truth["exp_p_control"]),
    )
    control = exp[exp["arm"] == "control"]
    z = 2.64  # 99.2% two-sided: Bonferroni for three arms at 97.5%
    estimates = {}
    for arm in ("door", "phone", "mail"):
        treated = exp[exp["arm"] == arm]
        diff = treated["y"].mean() - control["y"].mean()
        se = np.sqrt(_cluster_var(treated) + _cluster_var(control))
        true_itt = treated["effect"].mean()
        assert abs(diff - true_itt) <= z * se, (arm, diff, true_itt, se)
        estimates[arm] = (diff, true_itt)
    assert estimates["door"][1] > estimates["phone"][1] > 0
    assert (control["effect"] == 0).all()


def _cluster_var(group: pd.DataFrame) -> float:
    """Variance of a mean with household clusters (randomization was by household)."""
    resid = group["y"] - group["y"].mean()
    sums = resid.groupby(group["household_id"]).sum()
    return float((sums**2).sum() / len(group) ** 2)
