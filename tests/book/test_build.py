"""The book builds from a clean state with warnings as errors, and a rebuild executes nothing."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from book_support import REPO, toc_pages

pytestmark = pytest.mark.slow


def warnings_in(log: str) -> list[str]:
    """Sphinx warnings ("path: WARNING: ..."), not kernel stderr ("WARNING | ...")."""
    return [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL):", line)]


def test_book_builds_with_zero_warnings(built_book):
    problems = warnings_in(built_book.first_log)
    assert built_book.first_returncode == 0 and not problems, (
        "jupyter-book build -W -n --keep-going failed:\n"
        + "\n".join(problems or built_book.first_log.splitlines()[-40:])
    )


def test_rebuild_with_nothing_changed_executes_nothing(built_book):
    assert built_book.first_log.count("Executed notebook") >= 2
    assert built_book.second_returncode == 0
    assert "Executing notebook" not in built_book.second_log, built_book.second_log[-3000:]


def test_every_toc_page_is_in_the_site(built_book):
    missing = [page for page in toc_pages() if not (built_book.html / f"{page}.html").exists()]
    assert not missing, f"pages missing from the site: {missing}"


def test_no_failed_execution_reports(built_book):
    reports = list((built_book.html / "reports").rglob("*.err.log"))
    assert not reports, f"execution reports: {[str(r) for r in reports]}"


def test_every_glued_number_was_rendered(built_book):
    for page in toc_pages():
        html = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
        assert "{glue" not in html, f"{page}: an unrendered glue reference"


def test_published_exercises_are_student_versions(built_book):
    exercise_pages = [page for page in toc_pages() if page.endswith("exercises-student")]
    assert exercise_pages, "no exercise notebooks are published"
    for page in exercise_pages:
        html = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
        downloadable = (built_book.html / "_sources" / f"{page}.ipynb").read_text(encoding="utf-8")
        for text in (html, downloadable):
            assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
            assert "NotImplementedError" in text
        cells = json.loads(downloadable)["cells"]
        assert not any(cell.get("outputs") for cell in cells), f"{page} published with outputs"


def test_committed_student_notebooks_are_current(built_book):
    """The student copies are committed (Colab and JupyterHub open them from the repository);
    the fixture has just re-released them, so any difference means they were stale."""
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "chapters/*/exercises-student.ipynb"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert not changed, f"stale student notebooks, run `make release` and commit:\n{changed}"


def test_every_figure_has_alt_text(built_book):
    for page in toc_pages():
        html = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
        for img in re.findall(r"<img\b[^>]*>", html):
            if "logo" in img:
                continue
            alt = re.search(r'\balt="([^"]*)"', img)
            assert alt and len(alt[1].strip()) > 10, f"{page}: figure without real alt text: {img}"


def test_lessons_show_executed_output(built_book):
    from book_support import lesson_paths

    for path in lesson_paths():
        page = path.relative_to(REPO).with_suffix(".html")
        html = (built_book.html / page).read_text(encoding="utf-8")
        assert "cell_output" in html, f"{page} shows no executed output"


def test_no_page_is_a_placeholder(built_book):
    for page in toc_pages():
        html = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
        article = html.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]
        words = len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", article)))
        assert words > 150, f"{page}: only {words} words on the page"
