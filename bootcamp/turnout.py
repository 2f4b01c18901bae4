"""The turnout modeling table of chapter 9, as one function the later lessons and chapters reuse.

Chapter 9's first lesson builds this table step by step, in the open, and asserts that its result
equals :func:`modeling_frame`; the other lessons (and chapters 10 and 11) import it instead of
repeating the steps::

    from bootcamp import data, turnout

    voters = data.load("voters")
    history = data.load("vote_history")
    elections = data.load("elections")
    train = turnout.modeling_frame(voters, history, elections, "11/05/2024")

One row per registrant who could vote in the *label election*: features that were known before
that election (age, codes, the last four generals, primaries and municipal elections before it)
and, when the election has been held, the label ``voted`` (1 or 0). Pass a date that is not an
election (``"12/01/2026"``) to get the same features "as of" that day, without a label, for
scoring the file before the next election.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "CATEGORICAL",
    "ELECTION_GROUPS",
    "NUMERIC",
    "history_before",
    "modeling_frame",
    "voting_record",
]

#: Kinds of election counted as features: the last four of each kind before the label election.
ELECTION_GROUPS = {
    "general": ("presidential_general", "midterm_general"),
    "primaries_voted": ("primary",),
    "municipals_voted": ("municipal",),
}
#: The model's numeric and categorical features (columns of :func:`modeling_frame`).
NUMERIC = [
    "age",
    "general_1",
    "general_2",
    "general_3",
    "general_4",
    "primaries_voted",
    "municipals_voted",
    "generals_eligible",
]
CATEGORICAL = ["party_cd", "race_code", "ethnic_code", "gender_code", "county_desc"]

#: Lakeland closes registration this many days before an election (see the codebook).
DEADLINE_DAYS = 25


def _as_date(label: str) -> pd.Timestamp:
    return pd.to_datetime(label, format="%m/%d/%Y")


def history_before(elections: pd.DataFrame, label_lbl: str, kinds, n: int = 4) -> pd.DataFrame:
    """The last ``n`` elections of the given ``election_type`` values held strictly before the
    label election's day, most recent first (column ``recency`` 1..n)."""
    day = _as_date(label_lbl)
    earlier = elections[elections["election_type"].isin(kinds) & (elections["election_date"] < day)]
    last = earlier.sort_values("election_date", ascending=False).head(n).reset_index(drop=True)
    return last.assign(recency=range(1, len(last) + 1))


def voting_record(vote_history: pd.DataFrame) -> pd.DataFrame:
    """One row per voter who ever voted (index ``ncid``), one column per election label: 1 if
    they voted in it, else 0. Duplicate history rows (label drift) count once."""
    ballots = vote_history[["ncid", "election_lbl"]].assign(voted=1)
    return ballots.pivot_table(
        index="ncid", columns="election_lbl", values="voted", aggfunc="max", fill_value=0
    )


def modeling_frame(
    voters: pd.DataFrame,
    vote_history: pd.DataFrame,
    elections: pd.DataFrame,
    label_lbl: str,
) -> pd.DataFrame:
    """One row per active or inactive registrant who could vote in ``label_lbl`` (18 or older,
    registered by the deadline): the features known before it, and ``voted`` when it was held."""
    day = _as_date(label_lbl)
    age = voters["age_at_year_end"] - (2026 - day.year)
    registered = voters["registr_dt"].isna() | (
        voters["registr_dt"] <= day - pd.Timedelta(days=DEADLINE_DAYS)
    )
    # birth year 1900 and similar typing errors: not a real age, left out of the model
    plausible = age.between(18, 100)
    keep = voters["status_cd"].isin(["A", "I"]) & registered & plausible
    frame = voters.loc[keep, ["ncid", *CATEGORICAL]].reset_index(drop=True)
    frame.insert(1, "age", age[keep].astype(float).to_numpy())

    record = voting_record(vote_history).reindex(frame["ncid"], fill_value=0)
    for group, kinds in ELECTION_GROUPS.items():
        last = history_before(elections, label_lbl, kinds)
        # an election in the calendar that nobody in this file voted in has no column
        columns = record.reindex(columns=last["election_lbl"], fill_value=0).to_numpy()
        if group != "general":
            frame[group] = columns.sum(axis=1)
            continue
        for recency in range(1, 5):
            # a file with fewer than four earlier generals: the missing ones count as not voted
            held = recency <= columns.shape[1]
            frame[f"general_{recency}"] = columns[:, recency - 1] if held else 0
        # how many of those four generals the registrant could vote in (registered, 18)
        reg = voters.loc[keep, "registr_dt"].reset_index(drop=True)
        eligible = 0
        for election_day in last["election_date"]:
            years_old = frame["age"] - (day.year - election_day.year)
            on_time = reg.isna() | (reg <= election_day - pd.Timedelta(days=DEADLINE_DAYS))
            eligible = eligible + (on_time & (years_old >= 18)).astype(int)
        frame["generals_eligible"] = eligible
    frame["generals_voted"] = frame[[f"general_{r}" for r in range(1, 5)]].sum(axis=1)
    if label_lbl in record.columns:
        frame["voted"] = record[label_lbl].to_numpy()
    return frame
