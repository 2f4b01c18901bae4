"""Chapter 5 (cleaning and matching lists): the facts its lessons and exercises type out agree with
the generator, and its methods work on counties the chapter never shows (other seeds).

The lessons assert their claims on the course data when the book is built; these tests cover what
a build does not: the code lists the learners see (old voting-method labels, USPS street types) are
the generator's, and the exercises' reference cleaning and matching behave on other seeds."""

from __future__ import annotations

import ast

import jupytext
import pandas as pd
import pytest

from bootcamp import data
from bootcamp.grading import authoring
from bootcamp.paths import CHAPTERS_DIR
from bootcamp.synth import reference as ref

CHAPTER = CHAPTERS_DIR / "05-cleaning-and-matching"
SEEDS = (11, 12, 13)


def _literal(source: str, name: str):
    """The literal value assigned to `name` at the top level of `source`."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in the code")


def _lesson_code(lesson: str) -> str:
    notebook = jupytext.read(CHAPTER / f"{lesson}.md")
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "code")


def _questions() -> dict:
    spec = authoring.load_spec(CHAPTER / "exercises.yml")
    return {q["id"]: q for q in spec["questions"]}


def _reference(question_id: str, name: str):
    """The exercise's reference function: its solution cell without markers and display lines."""
    namespace: dict = {"pd": pd}
    exec(authoring.strip_solution(_questions()[question_id]["solution"]), namespace)
    return namespace[name]


def test_relabeling_maps_every_old_label_to_the_generators_new_one():
    changed = {
        old: new for old, new in zip(ref.METHODS_LEGACY, ref.METHODS, strict=True) if old != new
    }
    assert len(changed) == 3
    lesson = _literal(_lesson_code("02-fixing-types-codes-and-addresses"), "NEW_LABEL")
    exercise = _literal(_questions()["clean_history"]["solution"], "NEW_LABEL")
    assert lesson == exercise == changed


def test_usps_street_types_are_the_generators_abbreviations():
    spelled = {
        name.upper(): abbreviation
        for name, (abbreviation, _) in ref.STREET_SUFFIX_ABBR.items()
        if abbreviation != name.upper()
    }
    lesson = _literal(_lesson_code("02-fixing-types-codes-and-addresses"), "USPS_STREET_TYPE")
    assert lesson == spelled


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_the_safe_read_keeps_every_row_on_other_seeds(seed):
    folder = data.path(preset="tiny", seed=seed, formats=("txt",)) / "raw"
    for raw_name, table in (("lkvoter_statewide.txt", "voters"), ("lkvhis_statewide.txt", None)):
        path = folder / raw_name
        lines = path.read_text(encoding="utf-8").count("\n") - 1
        raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")
        assert len(raw) == lines > 0
        if table:
            assert len(raw) == len(data.load(table, preset="tiny", seed=seed))


def test_clean_history_leaves_one_row_per_vote_on_other_seeds():
    clean_history = _reference("clean_history", "clean_history")
    for seed in SEEDS:
        history = data.load("vote_history", preset="tiny", seed=seed)
        cleaned = clean_history(history)
        assert not cleaned.duplicated(["ncid", "election_lbl"]).any()
        assert set(cleaned["voting_method"]) <= set(ref.METHODS)
        # nothing but repeats was dropped: every vote of the raw history is still there
        assert len(cleaned) == len(history.drop_duplicates(["ncid", "election_lbl"]))


def _volunteer_truth(seed: int) -> pd.DataFrame:
    links = data.load("truth_links", preset="tiny", seed=seed)
    volunteers = links[links["source_table"] == "volunteers"]
    return volunteers.rename(columns={"source_id": "volunteer_id", "ncid": "true_ncid"})[
        ["volunteer_id", "true_ncid"]
    ]


@pytest.mark.parametrize(
    ("question_id", "args", "least_precision"),
    [("exact_links", (), 0.95), ("fuzzy_links", (85,), 0.9), ("fuzzy_links", (70,), 0.8)],
)
def test_matching_references_are_precise_on_other_seeds(question_id, args, least_precision):
    match = _reference(question_id, question_id)
    found = correct = registered = 0
    for seed in SEEDS:
        con = data.connect(preset="tiny", seed=seed)
        links = match(con, *args)
        con.close()
        assert not links["volunteer_id"].duplicated().any(), "a volunteer linked twice"
        graded = _volunteer_truth(seed).merge(links, on="volunteer_id", how="left")
        found += int(graded["ncid"].notna().sum())
        correct += int((graded["ncid"] == graded["true_ncid"]).sum())
        registered += int(graded["true_ncid"].notna().sum())
    assert found > 0 and correct / found >= least_precision, (correct, found)
    assert correct / registered >= 0.5, (correct, registered)


def test_fuzzy_matching_finds_at_least_what_exact_matching_finds():
    exact_links = _reference("exact_links", "exact_links")
    fuzzy_links = _reference("fuzzy_links", "fuzzy_links")
    for seed in SEEDS:
        con = data.connect(preset="tiny", seed=seed)
        exact = set(exact_links(con)["volunteer_id"])
        fuzzy = set(fuzzy_links(con, 70)["volunteer_id"])
        con.close()
        assert len(fuzzy) >= len(exact)
