"""The glossary (issue 16): every campaign and data term is linked from its first use in the
chapters, and from at least one chapter of the built book."""

from __future__ import annotations

import re
from html import unescape

import pytest
from book_support import REPO

from bootcamp import glossary


def test_the_glossary_has_its_terms():
    terms = glossary.glossary_terms()
    assert len(terms) >= 30, f"only {len(terms)} glossary terms: {terms}"
    assert len(terms) == len({t.lower() for t in terms}), "a glossary term is listed twice"


def test_first_uses_are_found_in_prose_only():
    terms = ["Turf", "Walk list", "Precinct"]
    text = (
        "---\njupytext: {}\n---\n# Turf\n\n```{code-cell} ipython3\nturf = 1\n```\n"
        "Cut `turf` into {doc}`turf <x>`; then walk lists.\n"
        "A {term}`precinct <Precinct>` and a turf.\n"
    )
    found = sorted(glossary.uses_in("p", text, terms), key=lambda u: (u[0].line, u[1]))
    uses = [use for use, _ in found]
    assert [(u.term, u.line, u.linked) for u in uses] == [
        ("Walk list", 9, False),
        ("Precinct", 10, True),
        ("Turf", 10, False),
    ]


def test_every_term_is_linked_where_a_chapter_first_uses_it():
    uses = glossary.first_uses()
    unlinked = [
        f"{u.term!r} first appears unlinked in {u.page}.md:{u.line}"
        for u in uses.values()
        if not u.linked
    ]
    assert not unlinked, (
        "link each first use with {term}`...` (python -m bootcamp.glossary --fix does it):\n"
        + "\n".join(unlinked)
    )
    unused = sorted(set(glossary.glossary_terms()) - set(uses))
    assert not unused, f"glossary terms no chapter uses (use them or drop them): {unused}"


def test_chapters_link_terms_with_the_term_role():
    """{term} is checked by Sphinx (a misspelled term is a build warning); a hand-made link to
    the glossary page is not."""
    plain = [
        page
        for page in glossary.chapter_pages()
        if re.search(r"glossary(\.md|\.html)?#", (REPO / f"{page}.md").read_text(encoding="utf-8"))
    ]
    assert not plain, f"hand-made glossary links (use {{term}}): {plain}"


@pytest.mark.slow
def test_every_glossary_term_is_linked_from_the_built_chapters(built_book):
    page = (built_book.html / "appendices" / "glossary.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'<dt id="(term-[^"]+)"', page))
    terms = glossary.glossary_terms()
    assert len(ids) == len(terms), f"{len(terms)} terms in the source, {len(ids)} on the page"
    linked = set()
    for chapter in glossary.chapter_pages():
        html = (built_book.html / f"{chapter}.html").read_text(encoding="utf-8")
        linked |= set(re.findall(r'glossary\.html#(term-[^"]+)"', unescape(html)))
    assert not ids - linked, f"glossary terms no built chapter links to: {sorted(ids - linked)}"
