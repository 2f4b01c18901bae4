"""Each timing is stated once, in the chapter's chapter.yml; every page that shows a timing
generates it (bootcamp/book_chapters.py), and the built pages agree with chapter.yml."""

from __future__ import annotations

import html
import re

import pytest
from book_support import REPO, toc_pages

from bootcamp import chapter_meta
from bootcamp.chapter_meta import duration

#: A duration typed by hand: "40 minutes", "90-minute", "2 h 20", "1 hour", "an hour".
DURATION = re.compile(
    r"\b\d+(?:\.\d+)?\s?-?(?:minutes?|mins?|hours?|hrs?|h)\b"
    r"|\b(?:about|for|takes?|in|half|within) an hour\b|\b(?:one|two|three|four) hours?\b",
    re.I,
)


def hand_typed_durations(text: str) -> list[str]:
    text = re.sub(r"```\{code-cell\}.*?\n```", "", text, flags=re.S)  # code, not prose
    text = re.sub(r":::\{course-schedule\}.*?\n:::", "", text, flags=re.S)  # the directive's input
    text = re.sub(r'"[^"\n]*"', "", text)  # quoted titles ("10 minutes to pandas") are not timings
    return [m.group(0) for m in DURATION.finditer(text)]


def test_the_duration_pattern_finds_typed_times():
    text = "Teaching: 90 minutes. A 90-minute block, 2 h 20, 40 min, about an hour, 1 hour."
    assert len(hand_typed_durations(text)) == 6
    assert hand_typed_durations("Multiply the doors an hour by the hours in the shift") == []
    assert hand_typed_durations(":::{course-schedule}\n15 | Welcome\n:::\nrun in a minute") == []
    assert hand_typed_durations('the tour "10 minutes to pandas" is short') == []


def test_no_page_types_a_timing_by_hand():
    pages = [REPO / f"{page}.md" for page in toc_pages() if (REPO / f"{page}.md").exists()]
    assert len(pages) >= 15
    typed = [
        f"{path.relative_to(REPO)}: {found!r}"
        for path in pages
        for found in hand_typed_durations(path.read_text(encoding="utf-8"))
    ]
    assert not typed, (
        "timings typed by hand (state them once in chapters/NN-slug/chapter.yml and show them "
        "with {chapter-timing}, {chapter-pacing} or {course-schedule}):\n" + "\n".join(typed)
    )


def test_every_chapter_page_shows_its_timings_with_the_directives():
    chapters = chapter_meta.all_chapters()
    assert len(chapters) >= 2
    for chapter in chapters:
        for page in ("index.md", "instructor-notes.md"):
            assert (chapter.folder / page).exists(), f"{chapter.slug} has no {page}"
        index = (chapter.folder / "index.md").read_text(encoding="utf-8")
        notes = (chapter.folder / "instructor-notes.md").read_text(encoding="utf-8")
        assert "{chapter-timing}" in index, f"{chapter.slug}/index.md: add :::{{chapter-timing}}"
        assert "{chapter-pacing}" in notes, f"{chapter.slug}/instructor-notes.md: add pacing"
    guide = (REPO / "appendices/instructor-guide.md").read_text(encoding="utf-8")
    assert "{course-schedule}" in guide


def test_beginner_times_are_realistic():
    """Issue 8: chapter 2's exercise notebook takes a beginner 60-75 minutes, not 40."""
    chapters = {c.number: c for c in chapter_meta.all_chapters()}
    assert 60 <= chapters[2].exercises_minutes <= 75
    for chapter in chapters.values():
        for lesson in chapter.lessons:
            assert 15 <= lesson.minutes <= 90, f"{chapter.slug}/{lesson.file}: {lesson.minutes} min"


def text_of(built_book, page: str) -> str:
    source = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
    article = source.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


def table_rows(built_book, page: str) -> list[tuple[list[str], str]]:
    """Every table row of a built page: its cells' text, and its HTML (to find links)."""
    source = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", source, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        text = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]
        rows.append((text, row))
    return rows


def row_linking(rows, where: str, href: str) -> list[str]:
    """The row that links to ``href`` (in a pacing table: the one that starts with a clock time)."""
    found = [
        cells for cells, raw in rows if re.search(rf'href="[^"#]*\b{re.escape(href)}[#"]', raw)
    ]
    if len(found) > 1:
        found = [cells for cells in found if re.fullmatch(r"\d+:\d\d", cells[0])]
    assert len(found) == 1, f"{where}: {len(found)} table rows link to {href}"
    return found[0]


def row_saying(rows, where: str, text: str) -> list[str]:
    pattern = re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w])")  # "lessons 1.1" is not "11.1"
    found = [cells for cells, _raw in rows if cells and pattern.search(cells[-1])]
    assert len(found) == 1, f"{where}: {len(found)} table rows say {text!r}"
    return found[0]


@pytest.mark.slow
def test_the_built_pages_agree_with_chapter_yml(built_book):
    guide = table_rows(built_book, "appendices/instructor-guide")
    for chapter in chapter_meta.all_chapters():
        total = chapter.teaching_minutes + chapter.exercises_minutes
        page = f"chapters/{chapter.slug}/index"
        index_text = text_of(built_book, page)
        assert f"Teaching: {duration(chapter.teaching_minutes)}" in index_text, page
        assert f"Exercises: {duration(chapter.exercises_minutes)}" in index_text, page
        index_rows = table_rows(built_book, page)
        notes = f"chapters/{chapter.slug}/instructor-notes"
        notes_rows = table_rows(built_book, notes)
        assert (
            f"Teaching {duration(chapter.teaching_minutes)}, exercises "
            f"{duration(chapter.exercises_minutes)}: {duration(total)} in all"
            in text_of(built_book, notes)
        ), f"{notes}: pacing totals disagree with chapter.yml"
        for file, minutes in [(lesson.file, lesson.minutes) for lesson in chapter.lessons] + [
            ("exercises-student", chapter.exercises_minutes)
        ]:
            row = row_linking(index_rows, page, f"{file}.html")
            assert row[-1] == str(minutes), f"{page}: {file} shows {row[-1]}, chapter.yml {minutes}"
            row = row_linking(notes_rows, notes, f"{file}.html")
            assert row[1] == str(minutes), f"{notes}: {file} paced {row[1]}, chapter.yml {minutes}"
        total_row = next(cells for cells, _raw in index_rows if cells and cells[0] == "Total")
        assert total_row[-1] == str(total)
        # the three-day bootcamp: a chapter taught live shows its own minutes
        lessons = [
            cells
            for cells, _raw in guide
            if cells and re.search(rf"(?<![\w.])lessons {chapter.number}\.1 to", cells[-1])
        ]
        for cells in lessons:
            assert cells[1] == str(chapter.teaching_minutes), f"guide: chapter {chapter.number}"
        for cells, raw in guide:
            if f"{chapter.slug}/exercises-student.html" in raw:
                assert cells[1] == str(chapter.exercises_minutes), f"guide: {chapter.number}"
    guide_html = (built_book.html / "appendices" / "instructor-guide.html").read_text("utf-8")
    unplanned = [
        c.slug for c in chapter_meta.all_chapters() if f"{c.slug}/index.html" not in guide_html
    ]
    assert not unplanned, f"the instructor guide does not plan these chapters: {unplanned}"


def _mini_book(tmp_path, schedule: str):
    """A three-page Sphinx project with one chapter, built with the extension (no notebooks)."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    chapter = src / "chapters" / "01-first"
    chapter.mkdir(parents=True)
    (src / "conf.py").write_text(
        'extensions = ["myst_parser", "bootcamp.book_chapters"]\n'
        'myst_enable_extensions = ["colon_fence"]\nexclude_patterns = ["_build"]\n'
    )
    pages = ["chapters/01-first/index", "chapters/01-first/instructor-notes", "guide"]
    for name in ("01-load", "02-count", "exercises-student"):
        (chapter / f"{name}.md").write_text(f"# Page {name}\n\nText.\n")
        pages.append(f"chapters/01-first/{name}")
    (src / "index.md").write_text("# Book\n\n```{toctree}\n" + "\n".join(pages) + "\n```\n")
    (chapter / "chapter.yml").write_text(
        "number: 1\ntitle: First\npart: P\nexercises_minutes: 65\nlessons:\n"
        "  - {file: 01-load, minutes: 25}\n  - {file: 02-count, minutes: 40}\n"
    )
    (chapter / "index.md").write_text("# First\n\n:::{chapter-timing}\n:::\n")
    (chapter / "instructor-notes.md").write_text("# Notes\n\n:::{chapter-pacing}\n:::\n")
    (src / "guide.md").write_text(f"# Guide\n\n:::{{course-schedule}}\n{schedule}\n:::\n")
    out = tmp_path / "out"
    warnings = tmp_path / "warnings.txt"
    with warnings.open("w") as stream:
        app = Sphinx(src, src, out, out / ".doctrees", "html", status=None, warning=stream)
        app.build()

    def text(page):
        return " ".join(
            html.unescape(re.sub(r"<[^>]+>", " ", (out / f"{page}.html").read_text())).split()
        )

    return text, warnings.read_text()


def test_the_directives_render_chapter_yml(tmp_path):
    text, warnings = _mini_book(tmp_path, "15 | Welcome\n01-first\n30 | Lunch")
    assert "WARNING" not in warnings and "ERROR" not in warnings, warnings
    index = text("chapters/01-first/index")
    assert "Teaching: 1 h 05 min (two lessons" in index and "Exercises: 1 h 05 min" in index
    assert "Page 01-load 25" in index and "Page exercises-student 65" in index
    assert "Total 130" in index
    notes = text("chapters/01-first/instructor-notes")
    assert "Teaching 1 h 05 min, exercises 1 h 05 min: 2 h 10 min in all" in notes
    assert "0:25 40 Page 02-count" in notes and "1:05 65 Page exercises-student" in notes
    guide = text("guide")
    assert "0:15 65 First : lessons 1.1 to 1.2" in guide
    assert "1:20 65 Page exercises-student , helpers circulating" in guide
    assert "2:25 30 Lunch" in guide and "2:55 End of the day (2 h 55 min)" in guide


def test_a_day_can_teach_only_the_lessons_and_cannot_run_past_ten_hours(tmp_path):
    text, warnings = _mini_book(tmp_path, "01-first lessons\n30 | Lunch\n01-first exercises")
    assert "course-schedule:" not in warnings and "course-schedule line" not in warnings, warnings
    guide = text("guide")
    assert "0:00 65 First : lessons 1.1 to 1.2" in guide
    assert "1:05 30 Lunch" in guide and "1:35 65 Page exercises-student" in guide
    assert "2:40 End of the day" in guide
    _text, warnings = _mini_book(tmp_path / "long", "01-first\n460 | A very long lunch")
    assert "this day lasts 9 h 50 min, longer than 10 h" not in warnings
    _text, warnings = _mini_book(tmp_path / "longer", "01-first\n480 | A very long lunch")
    assert "this day lasts 10 h 10 min, longer than 10 h" in warnings


def test_a_bad_schedule_line_is_one_clear_error(tmp_path):
    _text, warnings = _mini_book(tmp_path, "01-first\nlunch for 45")
    assert "course-schedule line 2: 'lunch for 45' is neither a chapter folder" in warnings
    _text, warnings = _mini_book(tmp_path / "again", "07-missing")
    assert "07-missing has no chapter.yml" in warnings
