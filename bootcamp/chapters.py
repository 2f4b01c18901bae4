"""Chapters as declared units: scaffold a new one (``bootcamp chapter new NN-slug "Title"``).

The scaffold is a chapter that builds, executes, proves and renders from the first minute: a lesson
with the shared hidden preamble, a glued number, a hidden assert, a figure with alt text, a
predict-then-run cell and two concept checks; the chapter page with its objectives, generated
timing (``{chapter-timing}``), key points and further reading; instructor notes with the generated
pacing (``{chapter-pacing}``) and exercise map; a declarative exercise description (a function
question with an alternative, a debugging question, a written one) with recorded wrong answers;
``chapter.yml``, whose ``introduces`` lists are computed from the example lesson's code so the
concept ledger holds; its entry in ``_toc.yml``, in the part of the curriculum it belongs to; and
its line in the instructor guide's ``{course-schedule}``.

Every scaffolded file carries ``scaffold:`` comments telling the author what to write there. The
chapter is in the table of contents at once, so ``make`` builds it while the author works, and
``tests/foundation/test_chapter_scaffold.py`` fails while any ``scaffold:`` comment remains in a
chapter of the table of contents: a chapter cannot land on main until its author has filled it.

The templates live in ``bootcamp/templates/chapter/``; this module only fills them in. It returns
what it wrote and prints nothing (the command line prints).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from bootcamp import chapter_meta
from bootcamp.errors import BootcampError
from bootcamp.paths import REPO_ROOT

TEMPLATES = Path(__file__).parent / "templates" / "chapter"
SLUG = re.compile(r"(?P<nn>\d\d)-(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)")
LESSON = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
#: The marker a scaffolded file carries until its author has filled it in.
MARKER = re.compile(r"^\s*[%#].*\bscaffold:", re.M)

#: A new chapter's first timings (chapter.yml holds them; the pages generate theirs from it).
LESSON_MINUTES = 30
EXERCISES_MINUTES = 45

#: The instructor guide, whose ``{course-schedule}`` lists chapter folders (book_chapters.py).
GUIDE = Path("appendices") / "instructor-guide.md"
SCHEDULE = re.compile(r"^:::\{course-schedule\}[^\n]*\n(?P<body>.*?)^:::[ \t]*$", re.M | re.S)
SCHEDULE_CHAPTER = re.compile(r"\s*(\d\d)-[\w-]+\s*")

#: The parts of the curriculum (shared/CURRICULUM.md) and the chapters each one holds.
PARTS = (
    ("Part I: Foundations", range(1, 5)),
    ("Part II: Cleaning, exploring, organizing", range(5, 8)),
    ("Part III: Measuring and predicting", range(8, 12)),
)


@dataclass(frozen=True)
class NewChapter:
    """What ``new_chapter`` made."""

    folder: Path
    files: tuple[Path, ...]
    toc_entry: str
    part: str


def part_for(number: int) -> str:
    for caption, numbers in PARTS:
        if number in numbers:
            return caption
    raise BootcampError(
        f"chapter {number:02d} is outside the curriculum's parts; name one with --part"
    )


def _sentence(slug: str) -> str:
    words = slug.replace("-", " ")
    return words[:1].upper() + words[1:]


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{\w+\}\}", text)
    if left:  # a template names a value this module does not provide: a bug, not a user error
        raise RuntimeError(f"unfilled template values: {sorted(set(left))}")
    return text


def _toc_block(slug: str, lesson: str, number: int) -> str:
    return (
        f"      # --- chapter {number:02d} ---\n"
        f"      - file: chapters/{slug}/index\n"
        f"        sections:\n"
        f"          - file: chapters/{slug}/{lesson}\n"
        f"          - file: chapters/{slug}/exercises-student\n"
        f"          - file: chapters/{slug}/instructor-notes\n"
    )


def _chapter_number(entry: dict) -> int | None:
    match = re.match(r"chapters/(\d\d)-", entry.get("file", ""))
    return int(match[1]) if match else None


def _insert_in_toc(toc_text: str, part: str, block: str, number: int) -> str:
    """The TOC with ``block`` in ``part``, after the chapters numbered below ``number``.

    Edits the text (keeping its comments) at a place found by parsing it.
    """
    toc = yaml.safe_load(toc_text)
    parts = toc.get("parts", [])
    lines = toc_text.splitlines(keepends=True)
    caption_line = {
        index: line for index, line in enumerate(lines) if re.match(r"\s*- caption:", line)
    }
    captions = [
        (index, yaml.safe_load(line.split(":", 1)[1])) for index, line in caption_line.items()
    ]
    if part not in [part_spec.get("caption") for part_spec in parts]:
        # A new numbered part, before the next part of the curriculum, else before the appendices.
        block = f'  - caption: "{part}"\n    numbered: true\n    chapters:\n' + block
        order = [caption for caption, _ in PARTS]
        rank = order.index(part) if part in order else len(order)
        where = next(
            (
                index
                for index, caption in captions
                if caption == "Appendices" or (caption in order and order.index(caption) > rank)
            ),
            len(lines),
        )
        return "".join(lines[:where]) + block + "".join(lines[where:])
    start = next(index for index, caption in captions if caption == part)
    end = next((index for index, _ in captions if index > start), len(lines))
    spec = next(part_spec for part_spec in parts if part_spec.get("caption") == part)
    later = [entry for entry in spec.get("chapters", []) if (_chapter_number(entry) or 0) > number]
    if later:
        # before the first later chapter's entry (and the comment line just above it)
        target = f"- file: {later[0]['file']}"
        where = next(index for index in range(start, end) if lines[index].strip() == target)
        if where > 0 and lines[where - 1].lstrip().startswith("#"):
            where -= 1
    else:
        where = end
        while where > start + 1 and not lines[where - 1].strip():
            where -= 1
    return "".join(lines[:where]) + block + "".join(lines[where:])


def _add_to_schedule(guide_text: str, slug: str, number: int) -> str:
    """The guide with ``slug`` in its (last) ``{course-schedule}``, after the chapters numbered
    below it; raises ``BootcampError`` when the guide has no schedule."""
    blocks = list(SCHEDULE.finditer(guide_text))
    if not blocks:
        raise BootcampError(f"{GUIDE} has no {{course-schedule}} list to add the chapter to")
    body = blocks[-1]
    lines = body["body"].splitlines(keepends=True)
    numbers = [
        (index, int(match[1]))
        for index, line in enumerate(lines)
        if (match := SCHEDULE_CHAPTER.fullmatch(line))
    ]
    earlier = [index for index, other in numbers if other < number]
    if earlier:
        where = earlier[-1] + 1
    elif numbers:
        where = numbers[0][0]
    else:
        where = len(lines)
    lines.insert(where, slug + "\n")
    start, end = body.span("body")
    return guide_text[:start] + "".join(lines) + guide_text[end:]


def _introduced_before(chapters_dir: Path, slug: str) -> dict[str, set[str]]:
    """The ideas the chapters before ``slug`` list under ``introduces`` (concept ledger)."""
    known: dict[str, set[str]] = {kind: set() for kind in chapter_meta.KINDS}
    for folder in chapter_meta.chapter_folders(chapters_dir):
        if folder.name >= slug or not (folder / chapter_meta.FILE_NAME).exists():
            continue
        for lesson in chapter_meta.load(folder).lessons:
            for kind in chapter_meta.KINDS:
                known[kind] |= set(lesson.introduces[kind])
    return known


def _introduces(lesson: Path, known: dict[str, set[str]]) -> dict[str, str]:
    """``introduces`` for a lesson: the ideas its code uses that no earlier chapter introduced,
    each kind as a YAML flow list."""
    from bootcamp import ledger

    used: dict[str, set[str]] = {kind: set() for kind in chapter_meta.KINDS}
    modules: dict[str, str] = {}
    for cell in ledger._lesson_cells(lesson):
        if cell.language == "sql":
            used["sql"] |= ledger.sql_ideas(cell.source)
        else:
            for kind, ideas in ledger.python_ideas(cell.source, modules).items():
                used[kind] |= ideas
    return {
        f"introduces_{kind}": json.dumps(sorted(used[kind] - known[kind]))
        for kind in chapter_meta.KINDS
    }


def new_chapter(
    slug: str,
    title: str,
    *,
    part: str | None = None,
    lesson: str | None = None,
    root: Path = REPO_ROOT,
) -> NewChapter:
    """Scaffold ``chapters/<slug>/`` and its ``_toc.yml`` entry under ``root``.

    Also adds the chapter to the instructor guide's ``{course-schedule}`` and writes the exercise
    map the instructor notes include. Refuses (``BootcampError``, nothing written) a slug that is
    not ``NN-words``, a title that is empty or longer than one line, an existing folder or chapter
    number, a bad lesson name, or a checkout without ``_toc.yml`` or the guide's schedule.
    """
    match = SLUG.fullmatch(slug)
    if not match or match["nn"] == "00":
        raise BootcampError(
            f"bad chapter name {slug!r}: use NN-words, two digits then lower-case words joined by "
            "hyphens, e.g. 03-joining-tables"
        )
    title = title.strip()
    if not title or "\n" in title or '"' in title:
        raise BootcampError("the title must be one line of text without double quotes")
    number = int(match["nn"])
    lesson = f"01-{lesson or match['name']}"
    if not LESSON.fullmatch(lesson[3:]):
        raise BootcampError(f"bad lesson name {lesson[3:]!r}: use lower-case words and hyphens")
    chapters_dir = root / "chapters"
    folder = chapters_dir / slug
    if folder.exists():
        raise BootcampError(f"{folder} already exists; nothing written")
    same_number = sorted(path.name for path in chapters_dir.glob(f"{match['nn']}-*"))
    if same_number:
        raise BootcampError(f"chapter {match['nn']} already exists: chapters/{same_number[0]}")
    toc_path = root / "_toc.yml"
    if not toc_path.exists():
        raise BootcampError(f"{toc_path} not found: run this in a checkout of the course")
    guide_path = root / GUIDE
    if not guide_path.exists():
        raise BootcampError(f"{guide_path} not found: run this in a checkout of the course")
    part = (part or part_for(number)).strip()
    if not part or "\n" in part or '"' in part:
        raise BootcampError("the part must be one line of text without double quotes")

    values = {
        "number": str(number),
        "nn": match["nn"],
        "slug": slug,
        "title": title,
        # "Joining tables" reads "joining tables" mid-sentence; "SQL basics" keeps its capitals
        "title_lower": title if title[1:2].isupper() else title[:1].lower() + title[1:],
        "part": part,
        "lesson": lesson,
        "lesson_title": _sentence(lesson[3:]),
        "lesson_minutes": str(LESSON_MINUTES),
        "exercises_minutes": str(EXERCISES_MINUTES),
    }
    names = {"lesson.md": f"{lesson}.md"}
    block = _toc_block(slug, lesson, number)
    new_toc = _insert_in_toc(toc_path.read_text(encoding="utf-8"), part, block, number)
    new_guide = _add_to_schedule(guide_path.read_text(encoding="utf-8"), slug, number)
    known = _introduced_before(chapters_dir, slug)

    # Write into a temporary folder beside the target, then move it in one step.
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=chapters_dir))
    try:
        # the lesson first: chapter.yml lists the ideas its code introduces
        lesson_text = _fill((TEMPLATES / "lesson.md").read_text(encoding="utf-8"), values)
        (staging / names["lesson.md"]).write_text(lesson_text, encoding="utf-8")
        values |= _introduces(staging / names["lesson.md"], known)
        for template in sorted(TEMPLATES.iterdir()):
            text = _fill(template.read_text(encoding="utf-8"), values)
            (staging / names.get(template.name, template.name)).write_text(text, encoding="utf-8")
        _write_exercise_map(staging)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    toc_path.write_text(new_toc, encoding="utf-8")
    guide_path.write_text(new_guide, encoding="utf-8")
    return NewChapter(
        folder=folder,
        files=tuple(sorted(folder.iterdir())),
        toc_entry=block,
        part=part,
    )


def _write_exercise_map(folder: Path) -> None:
    """The exercise map the instructor notes include (``bootcamp author`` rewrites it)."""
    from bootcamp.grading import authoring

    spec = authoring.load_spec(folder / "exercises.yml")
    wrong = authoring.load_wrong_answers(folder / "wrong-answers.yml")
    (folder / authoring.MAP_NAME).write_text(authoring.exercise_map(spec, wrong), encoding="utf-8")


def unfinished(folder: Path) -> list[str]:
    """``file:line`` of every ``scaffold:`` comment still in a chapter folder's sources."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in {".md", ".yml"}:
            continue
        text = path.read_text(encoding="utf-8")
        for hit in MARKER.finditer(text):
            found.append(f"{path.name}:{text.count(chr(10), 0, hit.start()) + 1}")
    return found


def register(subparsers) -> None:
    """``bootcamp chapter new``."""
    chapter = subparsers.add_parser(
        "chapter",
        help="scaffold a new chapter",
        description="Work with the course's chapters. See CONTRIBUTING.md.",
    )
    actions = chapter.add_subparsers(dest="action", metavar="ACTION")
    p = actions.add_parser(
        "new",
        help="scaffold chapters/NN-slug/ and its _toc.yml entry",
        description="Create chapters/NN-slug/ with chapter.yml (timings, concept ledger), the "
        "chapter page, a lesson skeleton (shared preamble, glue, hidden assert, figure, "
        "predict-then-run, concept checks), concept-checks.yml, exercises.yml, wrong-answers.yml, "
        "the exercise map and instructor notes; add the chapter to _toc.yml in its part and to the "
        "instructor guide's {course-schedule}. Every file carries `scaffold:` comments to replace; "
        "the tests fail until none is left.",
    )
    p.add_argument("slug", help="NN-words, e.g. 03-joining-tables")
    p.add_argument("title", help='the chapter title, e.g. "Joining tables"')
    p.add_argument("--part", help="the _toc.yml part caption (default: from the chapter number)")
    p.add_argument("--lesson", help="the first lesson's name, words joined by hyphens")
    p.add_argument(
        "--no-author", action="store_true", help="do not build exercises.ipynb (bootcamp author)"
    )
    p.set_defaults(func=_new)


def _new(args) -> int:
    made = new_chapter(args.slug, args.title, part=args.part, lesson=args.lesson)
    root = made.folder.parent.parent
    print(f"created {made.folder.relative_to(root)}/ ({len(made.files)} files) in {made.part}:")
    for path in made.files:
        print(f"  {path.relative_to(root)}")
    print("added to _toc.yml:")
    print(made.toc_entry.rstrip())
    print(f"added {made.folder.name} to the {{course-schedule}} of {GUIDE}")
    spec = made.folder / "exercises.yml"
    if not args.no_author:
        from bootcamp.grading import authoring

        print(f"wrote {authoring.build_file(spec).relative_to(root)}")
    print(
        "next: replace every `scaffold:` comment (see CONTRIBUTING.md), then run\n"
        f"  bootcamp author {spec.relative_to(root)}\n"
        f"  bootcamp prove {made.folder.name}\n"
        "  python -m bootcamp.ledger\n"
        "  make"
    )
    return 0
