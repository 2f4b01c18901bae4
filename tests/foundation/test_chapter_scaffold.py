"""`bootcamp chapter new`: the scaffold, its refusals, its place in the table of contents, and a
scaffolded chapter that builds, authors and proves in a copy of the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from book_support import toc_pages

from bootcamp import chapters
from bootcamp.cli import main
from bootcamp.errors import BootcampError
from bootcamp.quiz import load_checks

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _toc_chapters(root: Path) -> list[str]:
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    return [
        (part["caption"], entry["file"].split("/")[1])
        for part in toc["parts"]
        for entry in part["chapters"]
        if entry["file"].startswith("chapters/")
    ]


TOC = """\
# A small table of contents like the book's (comments kept by the scaffold)
format: jb-book
root: intro
parts:
  - caption: Welcome
    chapters:
      - file: welcome/setup
  - caption: "Part I: Foundations"
    numbered: true
    chapters:
      # --- chapter 01 ---
      - file: chapters/01-voter-file/index
        sections:
          - file: chapters/01-voter-file/01-what-is-a-voter-file
      # --- chapter 04 ---
      - file: chapters/04-managing
        sections:
          - file: chapters/04-managing/01-schema
  - caption: Appendices
    chapters:
      - file: appendices/codebook
"""


@pytest.fixture
def course(tmp_path) -> Path:
    """A checkout's table of contents and chapter folders, to scaffold into."""
    (tmp_path / "_toc.yml").write_text(TOC)
    for name in ("01-voter-file", "04-managing"):
        (tmp_path / "chapters" / name).mkdir(parents=True)
    return tmp_path


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text() if path.is_file() else ""
        for path in sorted(root.rglob("*"))
    }


def test_no_chapter_in_the_toc_is_an_unfilled_scaffold():
    in_toc = sorted({page.split("/")[1] for page in toc_pages() if page.startswith("chapters/")})
    assert len(in_toc) >= 2
    for name in in_toc:
        left = chapters.unfinished(REPO / "chapters" / name)
        assert not left, f"chapters/{name} still has scaffold comments to replace: {left}"


def test_every_scaffold_file_says_what_to_write():
    # The check above is only as good as the markers: every template must carry one.
    for template in chapters.TEMPLATES.iterdir():
        assert chapters.MARKER.search(template.read_text()), (
            f"{template.name} has no scaffold: note"
        )


def test_a_scaffold_is_a_complete_chapter(course):
    made = chapters.new_chapter("03-joining-tables", "Joining tables", root=course)
    names = sorted(path.name for path in made.files)
    assert names == sorted(
        [
            "01-joining-tables.md",
            "chapter.yml",
            "concept-checks.yml",
            "exercises.yml",
            "index.md",
            "instructor-notes.md",
            "wrong-answers.yml",
        ]
    )
    meta = yaml.safe_load((made.folder / "chapter.yml").read_text())
    assert meta["number"] == 3 and meta["title"] == "Joining tables"
    assert meta["part"] == "Part I: Foundations" and meta["exercises_minutes"] > 0
    (lesson,) = meta["lessons"]
    assert lesson["file"] == "01-joining-tables" and lesson["minutes"] > 0
    assert set(lesson["introduces"]) == {"python", "pandas", "sql"}
    text = (made.folder / "01-joining-tables.md").read_text()
    for block in (
        "from bootcamp.lesson import concept_check, glue, setup_lesson",  # the shared preamble
        "from bootcamp import data",  # the visible cell learners copy
        "glue(",
        "assert ",
        "alt:",
        ":tags: [hide-output]",
        ":tags: [remove-input, concept-check]",
    ):
        assert block in text, f"the lesson skeleton lacks {block!r}"
    assert set(load_checks(made.folder)) == {"01-joining-tables"}
    index = (made.folder / "index.md").read_text()
    for rubric in ("Questions", "Learning objectives", "Prerequisites", "Time", "Key points"):
        assert f"{{rubric}} {rubric}" in index
    assert "{cite:t}" in index and "Further reading" in index
    # the page's timings are chapter.yml's
    assert f"| Teaching (one lesson) | {lesson['minutes']} |" in index
    assert f"| Exercises | {meta['exercises_minutes']} |" in index
    assert chapters.unfinished(made.folder)  # flagged until the author fills it in


def test_a_scaffold_enters_the_toc_in_its_part_and_order(course):
    chapters.new_chapter("03-joining-tables", "Joining tables", root=course)
    assert _toc_chapters(course) == [
        ("Part I: Foundations", "01-voter-file"),
        ("Part I: Foundations", "03-joining-tables"),
        ("Part I: Foundations", "04-managing"),
    ]
    text = (course / "_toc.yml").read_text()
    assert text.index("# --- chapter 03 ---") < text.index("# --- chapter 04 ---")
    assert text.startswith("# A small table of contents")  # the file's comments survive
    # A chapter of a part the book does not have yet opens that part, before the appendices.
    chapters.new_chapter("08-experiments", "Experiments", root=course)
    toc = yaml.safe_load((course / "_toc.yml").read_text())
    captions = [part["caption"] for part in toc["parts"]]
    assert captions == [
        "Welcome",
        "Part I: Foundations",
        "Part III: Measuring and predicting",
        "Appendices",
    ]
    assert toc["parts"][2]["numbered"] is True
    (entry,) = toc["parts"][2]["chapters"]
    assert entry["file"] == "chapters/08-experiments/index"
    assert [section["file"] for section in entry["sections"]] == [
        "chapters/08-experiments/01-experiments",
        "chapters/08-experiments/exercises-student",
        "chapters/08-experiments/instructor-notes",
    ]
    # and the last chapter of a part goes after the others
    chapters.new_chapter("02-sql", "SQL", root=course)
    chapters.new_chapter("05-cleaning", "Cleaning", root=course)
    assert [name for _, name in _toc_chapters(course)] == [
        "01-voter-file",
        "02-sql",
        "03-joining-tables",
        "04-managing",
        "05-cleaning",
        "08-experiments",
    ]


@pytest.mark.parametrize(
    ("slug", "title", "message"),
    [
        ("3-joins", "Joins", "bad chapter name"),
        ("03_joins", "Joins", "bad chapter name"),
        ("03-Joins", "Joins", "bad chapter name"),
        ("joins", "Joins", "bad chapter name"),
        ("00-joins", "Joins", "bad chapter name"),
        ("03-joins-", "Joins", "bad chapter name"),
        ("03-joins", "  ", "title"),
        ("03-joins", "Two\nlines", "title"),
        ("01-voter-file", "Again", "already exists"),
        ("04-another", "Another", "chapter 04 already exists"),
        ("12-beyond", "Beyond", "outside the curriculum"),
    ],
)
def test_a_bad_request_is_refused_in_one_line_and_writes_nothing(course, slug, title, message):
    before = _snapshot(course)
    with pytest.raises(BootcampError, match=message) as error:
        chapters.new_chapter(slug, title, root=course)
    assert "\n" not in str(error.value)
    assert _snapshot(course) == before


def test_the_command_prints_one_line_on_a_bad_slug(capsys):
    toc = (REPO / "_toc.yml").read_text()
    assert main(["chapter", "new", "3-joins", "Joins"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad chapter name" in err
    assert (REPO / "_toc.yml").read_text() == toc


def _free_number() -> str:
    used = {path.name[:2] for path in (REPO / "chapters").iterdir()}
    return next(f"{n:02d}" for n in range(11, 0, -1) if f"{n:02d}" not in used)


@pytest.mark.slow
def test_a_scaffolded_chapter_builds_authors_and_proves(tmp_path):
    """In a copy of the repository: scaffold, author, prove, release and build with -W."""
    copy = tmp_path / "repo"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    cache = REPO / "_build" / ".jupyter_cache"
    if cache.exists():  # executed lessons are cached by content: only the new one executes
        shutil.copytree(cache, copy / "_build" / ".jupyter_cache")
    slug = f"{_free_number()}-scaffold-check"
    made = chapters.new_chapter(slug, "Scaffold check", root=copy)

    def run(*command):
        result = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=1800)
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    run(BIN / "bootcamp", "author", str(made.folder / "exercises.yml"))
    proof = run(BIN / "bootcamp", "prove", slug, "--chapters-dir", str(copy / "chapters"))
    assert "FAIL" not in proof and proof.count("ok  ") >= 4  # reference, blank, 2 wrong answers
    run(
        BIN / "bootcamp",
        "release",  # every chapter: the book shows each one's student notebook
        "--chapters-dir",
        str(copy / "chapters"),
        "--course-dir",
        str(copy / "autograder"),
    )
    run(BIN / "jupyter-book", "build", str(copy), "-W", "-n", "--keep-going")
    html = copy / "_build" / "html" / "chapters" / slug
    lesson = (html / f"01-{slug[3:]}.html").read_text()
    assert lesson.count('class="concept-check"') == 2
    assert 'alt="Horizontal bar chart of active voters by party' in lesson
    assert "cell_output" in lesson
    assert "scaffold:" not in lesson  # the notes to the author never reach the page
    for page in ("index", "instructor-notes", "exercises-student"):
        assert (html / f"{page}.html").exists()
    assert chapters.unfinished(made.folder)
