"""`bootcamp chapter new`: the scaffold, its refusals, its place in the table of contents and the
instructor guide's schedule, and a scaffolded chapter that authors, proves, releases, keeps the
concept ledger and the timing rules, and builds with warnings as errors in a copy of the
repository."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from book_support import toc_pages

from bootcamp import chapter_meta, chapters, ledger
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


GUIDE = """\
# Instructor guide

:::{course-schedule}
15 | Welcome
01-voter-file
45 | Lunch
04-managing
15 | Wrap-up
:::
"""


def _timings():
    """tests/book/test_timings.py, whose checks the scaffolded chapter must pass."""
    spec = importlib.util.spec_from_file_location(
        "scaffold_timings", REPO / "tests" / "book" / "test_timings.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def course(tmp_path) -> Path:
    """A checkout's table of contents, instructor guide and chapter folders, to scaffold into."""
    (tmp_path / "_toc.yml").write_text(TOC)
    (tmp_path / "appendices").mkdir()
    (tmp_path / "appendices" / "instructor-guide.md").write_text(GUIDE)
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
            "exercise-map.generated.md",
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
    assert chapter_meta.load(made.folder).teaching_minutes == lesson["minutes"]
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
    # timings are chapter.yml's alone: the pages generate theirs and type none
    notes = (made.folder / "instructor-notes.md").read_text()
    assert ":::{chapter-timing}" in index and ":::{chapter-pacing}" in notes
    timings = _timings()
    for page in (index, notes, text):
        assert timings.hand_typed_durations(page) == []
    assert "```{include} exercise-map.generated.md" in notes
    # the exercise description is the declarative one: defaults, declared calls, a taught
    # alternative, a debugging question and a written one; every question's mistakes are recorded
    spec = yaml.safe_load((made.folder / "exercises.yml").read_text())
    assert spec["defaults"]["reference"] == "solution" and spec["defaults"]["hidden"]
    code = [q for q in spec["questions"] if q.get("kind", "code") == "code"]
    assert all(q.get("function") and "label" not in q for q in code)
    assert any(q.get("alternatives") for q in code) and any(q.get("broken") for q in code)
    assert any(q.get("kind") == "written" for q in spec["questions"])
    wrong = yaml.safe_load((made.folder / "wrong-answers.yml").read_text())
    assert {entry["cell"] for entry in wrong} == {q["id"] for q in code}
    broken = next(q for q in code if q.get("broken"))
    assert any(entry["code"].strip() in broken["broken"] for entry in wrong)
    exercise_map = (made.folder / "exercise-map.generated.md").read_text()
    assert len(re.findall(r"^\| Q\d+ ", exercise_map, re.M)) == len(spec["questions"])
    assert all(entry["mistake"] in exercise_map for entry in wrong)
    assert chapters.unfinished(made.folder)  # flagged until the author fills it in


def test_the_scaffold_lists_the_ideas_its_lesson_introduces(course):
    """chapter.yml's `introduces` is what the example lesson's code uses that no earlier chapter
    introduced, so the concept ledger holds for the scaffold."""
    first = course / "chapters" / "01-voter-file"
    (first / "01-load.md").write_text(
        "# Load\n\n```{code-cell} ipython3\nfrom bootcamp import data\n\n"
        'voters = data.load("voters")\nlen(voters)\n```\n'
    )
    (first / "chapter.yml").write_text(
        "number: 1\ntitle: First\npart: P\nexercises_minutes: 30\nlessons:\n"
        "  - file: 01-load\n    minutes: 20\n    introduces: {python: [import, '=', len]}\n"
    )
    made = chapters.new_chapter("03-joining-tables", "Joining tables", root=course)
    (lesson,) = chapter_meta.load(made.folder).lessons
    assert lesson.introduces == {"python": ("==",), "pandas": (), "sql": ()}
    problems = [str(p) for p in ledger.check(course / "chapters")]
    assert [p for p in problems if "03-joining-tables" in p] == []
    # without the earlier chapter, the lesson introduces all it uses
    shutil.rmtree(made.folder)
    (first / "chapter.yml").unlink()
    made = chapters.new_chapter("03-joining-tables", "Joining tables", root=course)
    (lesson,) = chapter_meta.load(made.folder).lessons
    assert lesson.introduces["python"] == ("=", "==", "import", "len")
    assert not [p for p in map(str, ledger.check(course / "chapters")) if "03-joining" in p]


def test_the_scaffold_joins_the_instructor_guides_schedule_in_order(course):
    guide = course / "appendices" / "instructor-guide.md"
    chapters.new_chapter("03-joining-tables", "Joining tables", root=course)
    chapters.new_chapter("05-cleaning", "Cleaning", root=course)
    chapters.new_chapter("02-sql", "SQL", root=course)
    body = guide.read_text().split(":::{course-schedule}\n")[1].split(":::")[0].splitlines()
    assert body == [
        "15 | Welcome",
        "01-voter-file",
        "02-sql",
        "03-joining-tables",
        "45 | Lunch",
        "04-managing",
        "05-cleaning",
        "15 | Wrap-up",
    ]
    assert guide.read_text().startswith("# Instructor guide\n")


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


@pytest.mark.parametrize("guide", [None, "# Instructor guide\n\nNo schedule.\n"])
def test_a_checkout_without_the_guides_schedule_is_refused_and_nothing_written(course, guide):
    path = course / "appendices" / "instructor-guide.md"
    if guide is None:
        path.unlink()
    else:
        path.write_text(guide)
    before = _snapshot(course)
    with pytest.raises(BootcampError, match="instructor-guide.md") as error:
        chapters.new_chapter("03-joining-tables", "Joining tables", root=course)
    assert "\n" not in str(error.value)
    assert _snapshot(course) == before


def test_the_command_prints_one_line_on_a_bad_slug(capsys):
    toc = (REPO / "_toc.yml").read_text()
    assert main(["chapter", "new", "3-joins", "Joins"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad chapter name" in err
    assert (REPO / "_toc.yml").read_text() == toc


def _free_number() -> str:
    """A chapter number no chapter uses: a gap in the curriculum's 1-11, or else 12 (placed in the
    last part with --part)."""
    used = {path.name[:2] for path in (REPO / "chapters").iterdir()}
    return next(f"{n:02d}" for n in [*range(11, 0, -1), 12] if f"{n:02d}" not in used)


@pytest.mark.slow
def test_a_scaffolded_chapter_builds_authors_and_proves(tmp_path, lesson_cache):
    """In a copy of the repository: scaffold, author, prove, release, keep the concept ledger and
    the timing rules, and build the book with warnings as errors."""
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
    # executed lessons are cached by content: only the new one executes
    shutil.copytree(lesson_cache, copy / "_build" / ".jupyter_cache")
    slug = f"{_free_number()}-scaffold-check"
    part = None if int(slug[:2]) <= 11 else chapters.PARTS[-1][0]
    made = chapters.new_chapter(slug, "Scaffold check", part=part, root=copy)
    chapters_dir = copy / "chapters"

    def run(*command):
        result = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=1800)
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    run(BIN / "bootcamp", "author", str(made.folder / "exercises.yml"))
    spec = yaml.safe_load((made.folder / "exercises.yml").read_text())
    wrong = yaml.safe_load((made.folder / "wrong-answers.yml").read_text())
    alternatives = max(len(q.get("alternatives", [])) for q in spec["questions"])
    proof = run(BIN / "bootcamp", "prove", slug, "--chapters-dir", str(chapters_dir))
    # the reference, the blank release, each alternative and each recorded wrong answer
    assert "FAIL" not in proof and proof.count("ok  ") == 2 + alternatives + len(wrong), proof
    run(
        BIN / "bootcamp",
        "release",  # every chapter: the book shows each one's student notebook
        "--chapters-dir",
        str(chapters_dir),
        "--course-dir",
        str(copy / "autograder"),
    )
    # the concept ledger: the scaffold adds no problem to the book's (its exercises included)
    assert (made.folder / ledger.EXERCISES).exists()
    assert sorted(map(str, ledger.check(chapters_dir))) == sorted(
        map(str, ledger.check(REPO / "chapters"))
    )
    # the timing rules of tests/book/test_timings.py, on the scaffolded chapter and the guide
    timings = _timings()
    chapter = chapter_meta.load(made.folder)
    guide_source = (copy / chapters.GUIDE).read_text()
    for page in [f"{lesson.file}.md" for lesson in chapter.lessons] + [
        "index.md",
        "instructor-notes.md",
    ]:
        assert timings.hand_typed_durations((made.folder / page).read_text()) == [], page
    assert timings.hand_typed_durations(guide_source) == []
    assert "{chapter-timing}" in (made.folder / "index.md").read_text()
    assert "{chapter-pacing}" in (made.folder / "instructor-notes.md").read_text()
    assert all(15 <= lesson.minutes <= 90 for lesson in chapter.lessons)
    assert re.search(rf"^{slug}$", guide_source, re.M)

    run(BIN / "jupyter-book", "build", str(copy), "-W", "-n", "--keep-going")
    built = SimpleNamespace(html=copy / "_build" / "html")
    html = built.html / "chapters" / slug
    lesson = (html / f"01-{slug[3:]}.html").read_text()
    assert lesson.count('class="concept-check"') == 2
    assert 'alt="Horizontal bar chart of active voters by party' in lesson
    assert "cell_output" in lesson
    for page in ("index", "instructor-notes", "exercises-student", f"01-{slug[3:]}"):
        assert "scaffold:" not in (html / f"{page}.html").read_text(), page  # notes to authors
    # the built pages show chapter.yml's timings, as test_timings checks for every chapter
    duration = chapter_meta.duration
    total = chapter.teaching_minutes + chapter.exercises_minutes
    page, notes = f"chapters/{slug}/index", f"chapters/{slug}/instructor-notes"
    index_text = timings.text_of(built, page)
    assert f"Teaching: {duration(chapter.teaching_minutes)}" in index_text
    assert f"Exercises: {duration(chapter.exercises_minutes)}" in index_text
    assert (
        f"Teaching {duration(chapter.teaching_minutes)}, exercises "
        f"{duration(chapter.exercises_minutes)}: {duration(total)} in all"
    ) in timings.text_of(built, notes)
    index_rows, notes_rows = timings.table_rows(built, page), timings.table_rows(built, notes)
    for file, minutes in [(lesson.file, lesson.minutes) for lesson in chapter.lessons] + [
        ("exercises-student", chapter.exercises_minutes)
    ]:
        assert timings.row_linking(index_rows, page, f"{file}.html")[-1] == str(minutes)
        assert timings.row_linking(notes_rows, notes, f"{file}.html")[1] == str(minutes)
    guide = timings.table_rows(built, "appendices/instructor-guide")
    row = timings.row_saying(guide, "guide", f"lessons {chapter.number}.1 to")
    assert row[1] == str(chapter.teaching_minutes)
    row = timings.row_linking(guide, "guide", f"{slug}/exercises-student.html")
    assert row[1] == str(chapter.exercises_minutes)
    # the generated exercise map is in the notes, one row per question
    notes_html = (html / "instructor-notes.html").read_text()
    assert all(f"Q{n} " in timings.text_of(built, notes) for n in (1, 2, 3))
    assert "Fix the bug" in notes_html and "Total: " in notes_html
    assert chapters.unfinished(made.folder)
