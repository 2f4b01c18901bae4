"""``bootcamp feedback``: nbgrader generate_feedback without giving hidden tests away.

The course config (autograder/nbgrader_config.py) puts
:class:`~bootcamp.grading.preprocessors.HideHiddenTests` into GenerateFeedback's pipeline, so
plain ``nbgrader generate_feedback`` is just as safe; this command adds the environment set-up,
a per-student loop that survives one bad notebook, and a final check of the HTML.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bootcamp.errors import BootcampError
from bootcamp.grading import course

LEAK_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def generate(assignment: str, course_dir: Path, students: list[str] | None = None) -> list[Path]:
    from nbgrader.converters import GenerateFeedback

    course.prepare_environment()
    course_dir = Path(course_dir).resolve()
    config = course.load_config(course_dir)
    course.quiet_nbgrader(logging.ERROR)
    graded = sorted(p.parent.name for p in (course_dir / "autograded").glob(f"*/{assignment}"))
    if students:
        graded = [s for s in graded if s in students]
    if not graded:
        raise BootcampError(f"nothing autograded for {assignment}: run `bootcamp grade` first")
    written: list[Path] = []
    failed: list[str] = []
    for student in graded:
        cd = course.coursedir(config, assignment_id=assignment, student_id=student)
        converter = GenerateFeedback(coursedir=cd, config=config)
        converter.force = True
        collector = course.ErrorCollector()
        converter.log.addHandler(collector)
        try:
            converter.start()
        except Exception as exc:
            failed.append(f"{student}: {collector.cause() or type(exc).__name__}")
            continue
        finally:
            converter.log.removeHandler(collector)
        for html in sorted((course_dir / "feedback" / student / assignment).glob("*.html")):
            text = html.read_text(encoding="utf-8", errors="replace")
            if any(marker in text for marker in LEAK_MARKERS):
                # HideHiddenTests removes markers from everything a learner writes or prints,
                # so this means the course config lost it: never publish such a file
                html.unlink()
                failed.append(f"{student}: {html.name} would show hidden tests (check the config)")
            else:
                written.append(html)
    if failed:
        print("feedback not written for:\n  " + "\n  ".join(failed))
    return written


def main(args) -> int:
    written = generate(args.assignment, args.course_dir, args.student)
    print(f"wrote {len(written)} feedback file(s) under {Path(args.course_dir) / 'feedback'}")
    return 0
