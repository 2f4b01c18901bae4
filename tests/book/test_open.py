"""The course is open and citable: licenses, a citation, one version everywhere, a changelog, and
a PDF of the whole book that holds every chapter and every figure."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import pytest
import yaml
from book_support import REPO, toc_pages

import bootcamp

PDF_NAME = "campaign-data-bootcamp.pdf"


def citation() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def test_licenses_say_what_they_cover():
    mit = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License") and "Permission is hereby granted" in mit
    content = (REPO / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in content and "creativecommons.org/licenses/by/4.0/legalcode" in content
    assert "MIT" in content  # says what the code license covers instead
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "LICENSE-CONTENT.md" in readme and "CC BY 4.0" in readme and "MIT" in readme
    assert set(citation()["license"]) == {"CC-BY-4.0", "MIT"}


def test_one_version_everywhere():
    """CITATION.cff, the package, pyproject.toml and the newest CHANGELOG release agree."""
    cff = citation()
    version, date = str(cff["version"]), str(cff["date-released"])
    assert cff["cff-version"] == "1.2.0" and cff["title"] and cff["authors"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    assert bootcamp.__version__ == version
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == version
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert releases, "CHANGELOG.md lists no release"
    assert releases[0] == (version, date), "the newest CHANGELOG release is not CITATION.cff's"


def test_landing_page_links_the_pdf():
    assert f'href="{PDF_NAME}"' in (REPO / "intro.md").read_text(encoding="utf-8")


def _plain(text: str) -> str:
    """Text with ligatures undone and whitespace removed, for comparing PDF and HTML text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _heading(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "a page without a title"
    text = re.sub(r"<[^>]+>", "", match[1])
    text = re.sub(r"^[\d.]+\s*", "", text.replace("#", "").strip())  # section numbers differ
    return text.replace("&amp;", "&").replace("&#8217;", "’").replace("&quot;", '"')


@pytest.fixture(scope="module")
def pdf(built_book) -> Path:
    """The PDF built by the same pipeline as `make pdf`, into the test's temporary build."""
    out = built_book.html.parent.parent
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_pdf.py"), "--path-output", str(out)],
        check=True,
        timeout=1800,
    )
    return out / "_build" / "pdf" / PDF_NAME


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_holds_every_chapter_and_figure(built_book, pdf):
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = _plain("\n".join(page.extract_text() for page in reader.pages))
    pages = toc_pages()
    missing = []
    for page in pages:
        title = _heading((built_book.html / f"{page}.html").read_text(encoding="utf-8"))
        if _plain(title) not in text:
            missing.append(f"{page} ({title})")
    assert not missing, f"pages missing from the PDF: {missing}"
    assert len(reader.pages) >= 2 * len(pages), "fewer than two PDF pages per book page"
    # every figure of the site is an image in the PDF
    figures = sum(
        len(re.findall(r'<img[^>]+src="[^"]*_images/', (built_book.html / f"{p}.html").read_text()))
        for p in pages
    )
    # an image that crosses a page break is drawn on both pages: count each image once
    images = len({hashlib.sha256(i.data).hexdigest() for p in reader.pages for i in p.images})
    assert images == figures, f"the site has {figures} figures, the PDF {images} images"
    # published with the site, where the landing page links it
    assert (built_book.html / PDF_NAME).read_bytes() == pdf.read_bytes()
