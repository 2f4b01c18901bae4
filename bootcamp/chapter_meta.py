"""A chapter's facts, stated once in ``chapters/NN-slug/chapter.yml`` and read by everything else.

The chapter index, the instructor notes and the instructor guide show timings generated from it
(:mod:`bootcamp.book_chapters`), and the concept ledger (:mod:`bootcamp.ledger`) reads the ideas
each lesson introduces. The format::

    number: 3
    title: Joining tables
    part: "Part I: Foundations"
    exercises_minutes: 60            # the graded exercise notebook, for a beginner
    lessons:                         # in order; teaching minutes are the sum of these
      - file: 01-keys-and-relationships
        minutes: 25                  # teaching, including the lesson's "try it" challenges
        introduces:                  # the ideas this lesson teaches first (concept ledger)
          python: [def, return]
          pandas: [merge, groupby]
          sql: [JOIN, LEFT JOIN, WITH]

``minutes`` are what a beginner in a live session needs, not what an expert reading alone needs.
A malformed file raises :class:`~bootcamp.errors.BootcampError` naming the file and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bootcamp.errors import BootcampError
from bootcamp.paths import CHAPTERS_DIR

FILE_NAME = "chapter.yml"
KINDS = ("python", "pandas", "sql")


@dataclass(frozen=True)
class Lesson:
    file: str  # the lesson's file name without suffix, e.g. "01-what-is-a-voter-file"
    minutes: int
    introduces: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return int(self.file.split("-", 1)[0])


@dataclass(frozen=True)
class Chapter:
    folder: Path
    number: int
    title: str
    part: str
    exercises_minutes: int
    lessons: tuple[Lesson, ...]

    @property
    def slug(self) -> str:
        return self.folder.name

    @property
    def teaching_minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)

    def lesson(self, file: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.file == file:
                return lesson
        raise BootcampError(f"{self.folder / FILE_NAME}: no lesson {file!r}")


def _minutes(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise BootcampError(f"{where} must be a whole number of minutes above 0, not {value!r}")
    return value


def load(folder: Path) -> Chapter:
    """Read and check one chapter's ``chapter.yml``."""
    folder = Path(folder)
    path = folder / FILE_NAME
    if not path.exists():
        raise BootcampError(f"{folder.name} has no {FILE_NAME} (its timings and concept ledger)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BootcampError(f"{path}: not valid YAML: {exc}".splitlines()[0]) from None
    if not isinstance(raw, dict):
        raise BootcampError(f"{path}: expected a mapping with number, title, part, lessons")
    missing = [
        k for k in ("number", "title", "part", "exercises_minutes", "lessons") if k not in raw
    ]
    if missing:
        raise BootcampError(f"{path}: missing {', '.join(missing)}")
    lessons = []
    for index, entry in enumerate(raw["lessons"] or [], start=1):
        where = f"{path}: lesson {index}"
        if not isinstance(entry, dict) or "file" not in entry or "minutes" not in entry:
            raise BootcampError(f"{where} needs a file and minutes")
        if not lesson_path(folder, entry["file"]).exists():
            raise BootcampError(f"{where}: no lesson {entry['file']}.md in {folder.name}")
        introduces = entry.get("introduces") or {}
        unknown = set(introduces) - set(KINDS)
        if unknown:
            raise BootcampError(f"{where}: introduces {sorted(unknown)}; use {', '.join(KINDS)}")
        lessons.append(
            Lesson(
                file=entry["file"],
                minutes=_minutes(entry["minutes"], f"{where} minutes"),
                introduces={
                    kind: tuple(str(name) for name in introduces.get(kind) or ()) for kind in KINDS
                },
            )
        )
    if not lessons:
        raise BootcampError(f"{path}: no lessons")
    return Chapter(
        folder=folder,
        number=int(raw["number"]),
        title=str(raw["title"]),
        part=str(raw["part"]),
        exercises_minutes=_minutes(raw["exercises_minutes"], f"{path}: exercises_minutes"),
        lessons=tuple(lessons),
    )


def lesson_path(folder: Path, file: str) -> Path:
    """A lesson's page: ``file.md`` (a MyST notebook), or ``file.ipynb`` if there is no .md."""
    md = Path(folder) / f"{file}.md"
    return md if md.exists() or not md.with_suffix(".ipynb").exists() else md.with_suffix(".ipynb")


def chapter_folders(chapters_dir: Path = CHAPTERS_DIR) -> list[Path]:
    """Every chapter folder (``NN-slug``) in order."""
    return sorted(p for p in Path(chapters_dir).glob("[0-9][0-9]-*") if p.is_dir())


def all_chapters(chapters_dir: Path = CHAPTERS_DIR) -> list[Chapter]:
    """Every chapter that has a ``chapter.yml``, in order."""
    return [load(p) for p in chapter_folders(chapters_dir) if (p / FILE_NAME).exists()]


def clock(minutes: int) -> str:
    """``95`` -> ``"1:35"`` (hours:minutes from the start of a session)."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def duration(minutes: int) -> str:
    """``95`` -> ``"1 h 35 min"``, ``40`` -> ``"40 min"``, ``120`` -> ``"2 h"``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
