"""What a learner trying chapters 1 and 2 found in the text (issue 8), checked in the sources so a
rewrite cannot bring it back."""

from __future__ import annotations

import re

import pytest
from book_support import REPO, prose, toc_pages


def pages() -> list:
    found = [REPO / f"{page}.md" for page in toc_pages()]
    return [path for path in found if path.exists()]


def test_there_are_pages_to_check():
    assert len(pages()) >= 15


def test_una_is_always_called_unaffiliated():
    """UNA is "unaffiliated" (chose no party); "undesignated" is U and UN (chose not to say)."""
    checked = 0
    for path in pages():
        text = " ".join(prose(path).split())
        for match in re.finditer(r"`UNA`", text):
            checked += 1
            window = text[max(0, match.start() - 120) : match.end() + 120].lower()
            wrong = ("undesignated" in window or "did not say" in window) and (
                "unaffiliated" not in window
            )
            assert not wrong, f"{path.relative_to(REPO)}: UNA described as undesignated: {window!r}"
    assert checked >= 10, f"only {checked} mentions of `UNA` found"


def test_the_county_dataset_is_said_to_cover_every_county():
    """The default dataset is called `county` but covers all of Lakeland's counties, scaled down."""
    mentions = 0
    for path in pages():
        for paragraph in re.split(r"\n\s*\n", prose(path)):
            if re.search(r"`county` (dataset|database)", paragraph):
                mentions += 1
                flat = " ".join(paragraph.split())
                assert re.search(
                    r"all (\{glue:text\}`n_counties` )?of Lakeland's counties", flat
                ), (
                    f"{path.relative_to(REPO)}: says `county` without saying it covers every "
                    f"county: {flat[:200]!r}"
                )
                assert "scaled down" in flat, f"{path.relative_to(REPO)}: say it is scaled down"
    assert mentions >= 3, f"only {mentions} mentions of the `county` dataset found"


def test_lesson_2_1_admits_people_registered_twice():
    text = " ".join(prose(REPO / "chapters/02-sql-basics/01-tables-and-keys.md").split())
    keys = text.split("## Primary keys", 1)[1]
    assert "registered twice under different `ncid`s" in keys
    assert "{glue:text}`pct_registered_twice" in keys  # the share comes from the data


@pytest.mark.parametrize("path", [REPO / "chapters/02-sql-basics/03-count-and-group.md"])
def test_np_int64_is_explained_where_it_first_shows(path):
    """The built page test (test_build.py) finds where `np.int64(...)` is first shown; here the
    explanation must be in that lesson's prose."""
    assert "`np.int64(...)`" in prose(path) and "NumPy" in prose(path)
