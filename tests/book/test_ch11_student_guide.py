"""The student guide appendix (issue 16): it comes after the instructor guide, and the built page
links the exercise workflow page and covers checking, submitting, hidden tests and help."""

from __future__ import annotations

import html
import re

import pytest
from book_support import REPO, toc_pages

GUIDE = "appendices/student-guide"
WORKFLOW = "welcome/exercises"


def test_student_guide_follows_the_instructor_guide_in_the_appendices():
    pages = toc_pages()
    assert GUIDE in pages, "appendices/student-guide is not in _toc.yml"
    assert pages.index(GUIDE) == pages.index("appendices/instructor-guide") + 1
    assert (REPO / f"{GUIDE}.md").exists()


def _article(page_html: str) -> str:
    return page_html.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]


@pytest.mark.slow
def test_built_student_guide_links_the_exercise_workflow(built_book):
    page = built_book.html / f"{GUIDE}.html"
    assert page.exists(), "the built book has no student guide page"
    article = _article(page.read_text(encoding="utf-8"))
    links = re.findall(r'<a [^>]*href="([^"#]*)(?:#[^"]*)?"', article)
    assert "../welcome/exercises.html" in links, f"no link to {WORKFLOW}: {sorted(set(links))}"
    assert (built_book.html / f"{WORKFLOW}.html").exists()
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", article, flags=re.S)
    titles = [html.unescape(re.sub(r"<[^>]+>", "", h)).strip().lower() for h in headings]
    for topic in ("check your work", "submit", "hidden tests", "help"):
        assert any(topic in title for title in titles), f"no section about {topic!r}: {titles}"
    assert "bootcamp check" in text
