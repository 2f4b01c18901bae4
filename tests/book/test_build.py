"""The book builds from a clean state with warnings as errors, and a rebuild executes nothing."""

from __future__ import annotations

import html
import json
import re
import shutil

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
    from book_support import lesson_paths

    # `bootcamp execute` executed every lesson in parallel (a lesson left unexecuted would show
    # no outputs), and the book build found each one in the cache: it executed nothing itself,
    # so the parallel step reads and hashes pages exactly as myst-nb does
    assert f"Executed {len(lesson_paths())} page(s)" in built_book.execute_log, (
        built_book.execute_log[-3000:]
    )
    assert "Executing notebook" not in built_book.first_log, built_book.first_log[-3000:]
    assert built_book.first_log.count("Using cached notebook") == len(lesson_paths())
    assert built_book.second_returncode == 0
    assert "Executing notebook" not in built_book.second_log, built_book.second_log[-3000:]


def test_every_toc_page_is_in_the_site(built_book):
    missing = [page for page in toc_pages() if not (built_book.html / f"{page}.html").exists()]
    assert not missing, f"pages missing from the site: {missing}"


def test_no_failed_execution_reports(built_book):
    reports = list((built_book.html / "reports").rglob("*.err.log"))
    assert not reports, f"execution reports: {[str(r) for r in reports]}"


def test_every_glued_number_was_rendered(built_book):
    references = 0
    for page in toc_pages():
        source = next(
            REPO / f"{page}{s}" for s in (".md", ".ipynb") if (REPO / f"{page}{s}").exists()
        )
        references += source.read_text(encoding="utf-8").count("{glue:")
        html = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
        assert "{glue" not in html, f"{page}: an unrendered glue reference"
    assert references >= 40, f"only {references} glue references in the book's sources"


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


def test_committed_student_notebooks_are_current(tmp_path):
    """The student copies are committed (Colab and JupyterHub open them from the repository):
    release every chapter into a temporary folder and compare with the committed copies."""
    from bootcamp.grading import release
    from bootcamp.paths import AUTOGRADER_DIR, CHAPTERS_DIR

    chapters, course_dir = tmp_path / "chapters", tmp_path / "course"
    sources = release.chapter_sources(CHAPTERS_DIR)
    assert sources, "no exercise notebooks to release"
    for source in sources:
        (chapters / source.parent.name).mkdir(parents=True)
        shutil.copyfile(source, chapters / source.parent.name / source.name)
    course_dir.mkdir()
    shutil.copyfile(AUTOGRADER_DIR / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    written = release.release(course_dir=course_dir, chapters_dir=chapters, verbose=False)
    assert len(written) == len(sources)
    stale = []
    for fresh in written:
        committed = CHAPTERS_DIR / fresh.parent.name / fresh.name
        if not committed.exists() or json.loads(committed.read_text()) != json.loads(
            fresh.read_text()
        ):
            stale.append(str(committed.relative_to(REPO)))
    assert not stale, f"stale student notebooks, run `make release` and commit: {stale}"


def article_of(html: str) -> str:
    return html.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]


def _straight_quotes(text: str) -> str:
    """Sphinx turns ' and " into curly quotes on the page; compare captions without that."""
    curly = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
    return text.translate(str.maketrans(curly))


def test_every_figure_is_on_its_page_with_alt_text_and_caption(built_book):
    """Count per page: a lesson that declares N figures must show N images, each with its own alt
    text and caption (a chart whose cell displayed nothing is missing, and fails here)."""
    from book_support import figures, lesson_paths

    declared_total = 0
    for path in lesson_paths():
        page = str(path.relative_to(REPO).with_suffix(""))
        article = article_of((built_book.html / f"{page}.html").read_text(encoding="utf-8"))
        images = re.findall(r"<img\b[^>]*>", article)
        alts = [html.unescape(m[1]) for img in images if (m := re.search(r'\balt="([^"]*)"', img))]
        declared = figures(path)
        declared_total += len(declared)
        assert len(images) == len(declared), (
            f"{page}: {len(declared)} figure cells in the source but {len(images)} images on the "
            "page (does each figure cell display its chart?)"
        )
        text = _straight_quotes(html.unescape(re.sub(r"<[^>]+>", "", article)))
        for figure in declared:
            assert figure.alt in alts, f"{page}: no image with the alt text of {figure.name}"
            caption = _straight_quotes(" ".join(figure.caption.split()))
            assert caption in " ".join(text.split()), (
                f"{page}: the caption of {figure.name} is not on the page"
            )
            assert f'id="{figure.name}"' in article, f"{page}: no figure named {figure.name}"
    assert declared_total >= 4, "the lessons declare fewer figures than chapters 1-2 have"


def test_every_image_has_alt_text(built_book):
    checked = 0
    for page in toc_pages():
        article = article_of((built_book.html / f"{page}.html").read_text(encoding="utf-8"))
        for img in re.findall(r"<img\b[^>]*>", article):
            alt = re.search(r'\balt="([^"]*)"', img)
            assert alt and len(alt[1].strip()) > 10, f"{page}: image without real alt text: {img}"
            checked += 1
    assert checked >= 4, f"only {checked} images in the whole book: the lessons' charts are missing"


def test_lessons_show_executed_output(built_book):
    """Every visible cell that produced output when the book executed it shows that output."""
    from book_support import lesson_paths

    from bootcamp.notebooks import executed

    # the executed lessons, from the build's execution cache (myst-nb's jupyter_execute/ copy of
    # a page taken from the cache has no outputs)
    cache = built_book.html.parent / ".jupyter_cache"
    total = 0
    for path in lesson_paths():
        page = path.relative_to(REPO).with_suffix("")
        cells = executed(path, cache).cells
        expected = sum(
            1
            for cell in cells
            if cell.cell_type == "code"
            and cell.get("outputs")
            and not {"remove-cell", "remove-output"} & set(cell.metadata.get("tags", []))
            and any(
                out.get("output_type") != "display_data" or out.get("data") for out in cell.outputs
            )
        )
        html = (built_book.html / page.with_suffix(".html")).read_text(encoding="utf-8")
        shown = html.count('<div class="cell_output')
        assert shown == expected, f"{page}: {expected} cells have output but {shown} are shown"
        total += expected
    assert total >= 50, f"only {total} lesson cells with output in the whole book"


def test_no_page_is_a_placeholder(built_book):
    for page in toc_pages():
        html = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
        article = html.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]
        words = len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", article)))
        assert words > 150, f"{page}: only {words} words on the page"


def test_numpy_numbers_are_explained_where_a_reader_first_meets_them(built_book):
    """pandas shows single numbers as np.int64(41721): the first page (in reading order) that
    shows one must explain it in its text."""
    from book_support import prose

    first = None
    for page in toc_pages():
        article = article_of((built_book.html / f"{page}.html").read_text(encoding="utf-8"))
        outputs = re.findall(r'<div class="cell_output.*?</div>\s*</div>', article, re.S)
        if any(re.search(r"np\.(int|float)64\(", out) for out in outputs):
            first = page
            break
    assert first, "no page shows np.int64(...): then this test has nothing to check"
    text = prose(REPO / f"{first}.md")
    assert "`np.int64(...)`" in text and "NumPy" in text, (
        f"{first} is where a reader first sees np.int64(...): explain it there"
    )
