"""For every chapter's exercise notebook (and the fixture): the reference solution scores full
marks, the blank release scores zero, each recorded common wrong answer fails."""

from __future__ import annotations

import pytest
import submissions as S

from bootcamp.grading import authoring, prove
from bootcamp.paths import CHAPTERS_DIR

CHAPTER_SOURCES = sorted(CHAPTERS_DIR.glob("*/exercises.ipynb"))


def _check(proofs):
    failed = [p for p in proofs if not p.ok]
    assert not failed, "\n".join(f"{p.submission}: {p.expectation}: {p.detail}" for p in failed)
    assert [p.submission for p in proofs][:2] == ["reference", "blank release"]


@pytest.mark.slow
def test_fixture_proofs(tmp_path):
    proofs = prove.prove_notebook(S.FIXTURES / "exercises.ipynb", jobs=2, workdir=tmp_path)
    _check(proofs)
    assert len(proofs) == 2 + 4


@pytest.mark.slow
@pytest.mark.parametrize("source", CHAPTER_SOURCES, ids=[p.parent.name for p in CHAPTER_SOURCES])
def test_chapter_proofs(source, tmp_path):
    proofs = prove.prove_notebook(source, jobs=2, workdir=tmp_path)
    _check(proofs)
    spec = authoring.load_spec(source.with_suffix(".yml"))
    wrong = authoring.load_wrong_answers(source.with_name("wrong-answers.yml"))
    most = max(len(q.get("alternatives", [])) for q in spec["questions"])
    assert most >= 1, "no taught alternative right answer is proven"
    assert sum(p.submission.startswith("alternative") for p in proofs) == most
    assert sum(p.submission.startswith("wrong answer") for p in proofs) == len(wrong)
