"""Sphinx extension: chapter facts stated once in ``chapters/NN-slug/chapter.yml``, shown on pages.

Loaded from ``_config.yml`` (``sphinx.extra_extensions``). It does two things:

* Directives that write a chapter's timings from its ``chapter.yml``
  (see :mod:`bootcamp.chapter_meta`), so that no page types a number of minutes by hand:

  - ``{chapter-timing}`` (in a chapter's ``index.md``): the teaching and exercise minutes and a
    table of the lessons with their minutes;
  - ``{chapter-pacing}`` (in a chapter's ``instructor-notes.md``): the same timings as a pacing
    table with running clock times, teaching and exercise totals;
  - ``{course-schedule}`` (in ``appendices/instructor-guide.md``): a workshop day built from the
    chapters it lists, one row for a chapter's lessons and one for its exercises.

  The chapter is found from the page's folder, or given as the directive's argument.

* Notebook kernels started by the build keep matplotlib's inline backend even when the
  environment says ``MPLBACKEND=Agg`` (see :func:`bootcamp.plotting.kernel_environment`), so every
  ``plt.show()`` in a lesson becomes a figure on the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from bootcamp import chapter_meta
from bootcamp.chapter_meta import Chapter, clock, duration
from bootcamp.errors import BootcampError
from bootcamp.plotting import kernel_environment

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


class _ChapterDirective(SphinxDirective):
    """Shared by the directives: find the chapter, and emit generated MyST Markdown."""

    optional_arguments = 1  # a chapter folder name, e.g. 01-voter-file; default: the page's folder
    has_content = False

    def chapter(self, name: str | None = None) -> Chapter:
        srcdir = Path(self.env.srcdir)
        if name:
            folder = srcdir / "chapters" / name
        else:
            folder = (srcdir / self.env.docname).parent
        try:
            chapter = chapter_meta.load(folder)
        except BootcampError as exc:
            raise self.error(str(exc)) from None
        self.env.note_dependency(str(folder / chapter_meta.FILE_NAME))
        return chapter

    def doc(self, chapter: Chapter, page: str) -> str:
        here = (Path(self.env.srcdir) / self.env.docname).parent
        if here == chapter.folder:
            return f"{{doc}}`{page}`"
        return f"{{doc}}`/chapters/{chapter.slug}/{page}`"

    def markdown(self, text: str) -> list[nodes.Node]:
        container = nodes.container(classes=["bootcamp-generated"])
        self.state.nested_parse(
            StringList(text.splitlines(), source=self.get_source_info()[0]),
            self.content_offset,
            container,
        )
        return [container]


class ChapterTiming(_ChapterDirective):
    """``{chapter-timing}``: a chapter's teaching and exercise time, lesson by lesson."""

    def run(self):
        chapter = self.chapter(self.arguments[0] if self.arguments else None)
        count = NUMBER_WORDS.get(len(chapter.lessons), str(len(chapter.lessons)))
        lines = [
            f"**Teaching:** {duration(chapter.teaching_minutes)} ({count} lessons, with their "
            f'"try it" challenges) · **Exercises:** {duration(chapter.exercises_minutes)} '
            f"(the graded notebook) · times are for a beginner",
            "",
            "| Part | Minutes |",
            "|---|---:|",
        ]
        for lesson in chapter.lessons:
            lines.append(f"| {self.doc(chapter, lesson.file)} | {lesson.minutes} |")
        lines.append(f"| {self.doc(chapter, 'exercises-student')} | {chapter.exercises_minutes} |")
        total = chapter.teaching_minutes + chapter.exercises_minutes
        lines.append(f"| **Total** | **{total}** |")
        return self.markdown("\n".join(lines))


class ChapterPacing(_ChapterDirective):
    """``{chapter-pacing}``: the chapter as a live session, with clock times from its start."""

    def run(self):
        chapter = self.chapter(self.arguments[0] if self.arguments else None)
        lines = ["| Clock | Minutes | Part |", "|---|---:|---|"]
        start = 0
        for lesson in chapter.lessons:
            lines.append(
                f"| {clock(start)} | {lesson.minutes} | {self.doc(chapter, lesson.file)} |"
            )
            start += lesson.minutes
        lines.append(
            f"| {clock(start)} | {chapter.exercises_minutes} | "
            f"{self.doc(chapter, 'exercises-student')} |"
        )
        start += chapter.exercises_minutes
        lines.append(f"| {clock(start)} | | End |")
        text = (
            f"Teaching {duration(chapter.teaching_minutes)}, exercises "
            f"{duration(chapter.exercises_minutes)}: {duration(start)} in all, not counting "
            f"breaks.\n\n" + "\n".join(lines)
        )
        return self.markdown(text)


SCHEDULE_LINE = re.compile(
    r"^(?:(?P<minutes>\d+)\s*\|\s*(?P<text>.+)"
    r"|(?P<chapter>\d\d-[\w-]+)(?:\s+(?P<part>lessons|exercises))?)$"
)
#: A teaching day longer than this is an error in the guide, not a plan.
LONGEST_DAY = 10 * 60


class CourseSchedule(_ChapterDirective):
    """``{course-schedule}``: a teaching day from chapters' own timings.

    Each line of the content is either a chapter folder name (it becomes two rows: the lessons,
    then the exercises, with the chapter's minutes), a chapter folder name followed by
    ``lessons`` or ``exercises`` (only that row: the other part is done on the learners' own
    time), or ``MINUTES | text`` for a session that is not a chapter (a welcome, lunch)::

        :::{course-schedule}
        15 | Welcome
        01-voter-file
        45 | Lunch
        02-sql-basics lessons
        :::

    A day longer than ten hours is an error.
    """

    optional_arguments = 0
    has_content = True

    def run(self):
        rows, start = [], 0
        for number, raw in enumerate(self.content, start=1):
            line = raw.strip()
            if not line:
                continue
            match = SCHEDULE_LINE.match(line)
            if not match:
                raise self.error(
                    f"course-schedule line {number}: {line!r} is neither a chapter folder "
                    "(01-voter-file, '01-voter-file lessons') nor 'MINUTES | text'"
                )
            if match["chapter"]:
                chapter = self.chapter(match["chapter"])
                first, last = chapter.lessons[0].number, chapter.lessons[-1].number
                if match["part"] in (None, "lessons"):
                    index = self.doc(chapter, "index")
                    rows.append(
                        (
                            start,
                            f"{index}: lessons {chapter.number}.{first} to "
                            f'{chapter.number}.{last}, live-coded, with their "try it" challenges',
                            chapter.teaching_minutes,
                        )
                    )
                    start += chapter.teaching_minutes
                if match["part"] in (None, "exercises"):
                    exercises = self.doc(chapter, "exercises-student")
                    rows.append(
                        (
                            start,
                            f"{exercises}, helpers circulating; learners check with the check "
                            "cells",
                            chapter.exercises_minutes,
                        )
                    )
                    start += chapter.exercises_minutes
            else:
                minutes = int(match["minutes"])
                rows.append((start, match["text"].strip(), minutes))
                start += minutes
        if start > LONGEST_DAY:
            raise self.error(
                f"course-schedule: this day lasts {duration(start)}, longer than "
                f"{duration(LONGEST_DAY)}; move a chapter (or its exercises) to another day"
            )
        lines = ["| Time | Minutes | Session |", "|---|---:|---|"]
        lines += [f"| {clock(at)} | {minutes} | {text} |" for at, text, minutes in rows]
        lines.append(f"| {clock(start)} | | End of the day ({duration(start)}) |")
        return self.markdown("\n".join(lines))


def keep_inline_backend(app, config) -> None:
    """Kernels the build starts inherit this process's environment: never ``MPLBACKEND=Agg``."""
    import os

    env = kernel_environment()
    if "MPLBACKEND" not in env:
        os.environ.pop("MPLBACKEND", None)


def setup(app) -> dict[str, bool]:
    app.add_directive("chapter-timing", ChapterTiming)
    app.add_directive("chapter-pacing", ChapterPacing)
    app.add_directive("course-schedule", CourseSchedule)
    app.connect("config-inited", keep_inline_backend)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
