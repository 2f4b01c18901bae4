"""``bootcamp author / release / check / grade / feedback / export / report / prove``.

Implementations live in sibling modules and are imported when a command runs, so
``bootcamp --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bootcamp.grading import KERNEL_MEMORY_MB
from bootcamp.paths import AUTOGRADER_DIR, CHAPTERS_DIR


def _course_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--course-dir",
        type=Path,
        default=AUTOGRADER_DIR,
        help="nbgrader course directory (default: autograder/ in the repository)",
    )


def _author(args) -> int:
    from bootcamp.grading import authoring

    for spec in args.spec:
        out = authoring.build_file(spec, verify=not args.no_verify)
        print(f"wrote {out} and {out.with_name(authoring.MAP_NAME).name}")
    return 0


def _release(args) -> int:
    from bootcamp.grading import release

    release.release(args.chapter, course_dir=args.course_dir, chapters_dir=args.chapters_dir)
    return 0


def _check(args) -> int:
    from bootcamp.grading import selfcheck

    return selfcheck.main(args.notebook, timeout=args.timeout)


def _grade(args) -> int:
    from bootcamp.grading import grade

    return grade.main(args)


def _feedback(args) -> int:
    from bootcamp.grading import feedback

    return feedback.main(args)


def _export(args) -> int:
    from bootcamp.grading import results

    return results.export_main(args)


def _report(args) -> int:
    from bootcamp.grading import results

    return results.report_main(args)


def _prove(args) -> int:
    from bootcamp.grading import prove

    return prove.main(args)


def register(subparsers) -> None:
    """Add the exercise and grading subcommands."""
    p = subparsers.add_parser(
        "author",
        help="build a chapter's exercises.ipynb from its exercises.yml",
        description="Build an nbgrader source notebook (exercises.ipynb, beside the description) "
        "from exercises.yml; runs the reference solutions to fingerprint the answers. "
        "See autograder/AUTHORING.md.",
    )
    p.add_argument("spec", nargs="+", type=Path, help="exercises.yml file(s)")
    p.add_argument("--no-verify", action="store_true", help="do not run the solutions")
    p.set_defaults(func=_author)

    p = subparsers.add_parser(
        "release",
        help="make the student copies of the exercise notebooks",
        description="Copy each chapters/NN-slug/exercises.ipynb into the nbgrader course, run "
        "nbgrader generate_assignment (solutions replaced by stubs, hidden tests removed, outputs "
        "cleared) and copy the result to chapters/NN-slug/exercises-student.ipynb for the book.",
    )
    p.add_argument(
        "chapter", nargs="*", help="chapter folder(s), e.g. 01-voter-file (default: all)"
    )
    p.add_argument("--chapters-dir", type=Path, default=CHAPTERS_DIR, help=argparse.SUPPRESS)
    _course_option(p)
    p.set_defaults(func=_release)

    p = subparsers.add_parser(
        "check",
        help="check your exercise notebook (no server, no gradebook)",
        description="Run NOTEBOOK top to bottom in a fresh kernel (the file is not modified) and "
        "report each question: passed, failed with a hint, not attempted, or graded by a person. "
        "Exit status: 0 all autograded questions pass, 1 some do not, 2 the notebook cannot run.",
    )
    p.add_argument("notebook", type=Path, help="the .ipynb file to check")
    p.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    p.set_defaults(func=_check)

    p = subparsers.add_parser(
        "grade",
        help="autograde every submission of an assignment, in parallel",
        description="Grade submitted/STUDENT/ASSIGNMENT/*.ipynb (or an LMS zip, via nbgrader "
        "zip_collect) with nbgrader's preprocessors: notebooks run in parallel worker processes, "
        "grades are written to gradebook.db by this process only, and each kernel runs in a "
        "sandbox that sees only its own submission (autograder/README.md). A notebook that "
        "hangs, crashes "
        "its kernel, exits, floods output, or is not a valid notebook is flagged with the reason "
        "and never stops the batch. Re-running regrades everything and gives the same grades.",
    )
    p.add_argument("assignment", help="assignment id = chapter folder, e.g. 01-voter-file")
    p.add_argument(
        "--jobs", "-j", type=int, default=None, help="parallel notebooks (default: cores)"
    )
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--zip", type=Path, help="LMS download (.zip) to collect into submitted/ first")
    p.add_argument(
        "--cell-timeout", type=int, default=None, help="seconds per cell (default: config, 30)"
    )
    p.add_argument(
        "--notebook-timeout", type=int, default=600, help="seconds per notebook (default 600)"
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=KERNEL_MEMORY_MB,
        help=f"memory limit per notebook's kernel (default {KERNEL_MEMORY_MB})",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    _course_option(p)
    p.set_defaults(func=_grade)

    p = subparsers.add_parser(
        "feedback",
        help="HTML feedback per student, without hidden tests",
        description="Write feedback/STUDENT/ASSIGNMENT/*.html from the autograded notebooks. "
        "Hidden tests are removed and tracebacks from test cells are cut to the final message, "
        "so feedback never quotes hidden test code.",
    )
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    _course_option(p)
    p.set_defaults(func=_feedback)

    p = subparsers.add_parser(
        "export",
        help="grades as CSV: one row per student, one column per question",
        description="Write a CSV with one row per student and assignment, one column per "
        "question (points), total, maximum and any manual-grading flag.",
    )
    p.add_argument("assignment", nargs="?", help="only this assignment (default: all)")
    p.add_argument("--out", type=Path, help="CSV path (default: COURSE/exports/grades.csv)")
    _course_option(p)
    p.set_defaults(func=_export)

    p = subparsers.add_parser(
        "report",
        help="per-question pass rates and score distribution",
        description="Print per-question pass rates and the score distribution for ASSIGNMENT, and "
        "write reports/ASSIGNMENT/report.png and report.csv, to see what to re-teach.",
    )
    p.add_argument("assignment")
    _course_option(p)
    p.set_defaults(func=_report)

    p = subparsers.add_parser(
        "prove",
        help="prove a chapter's exercises grade correctly (reference, blank, wrong answers)",
        description="In a throw-away course: release the chapter, grade its reference solution "
        "(must score full autograded marks), the blank release (zero) and each entry of "
        "wrong-answers.yml (must fail at least one test).",
    )
    p.add_argument("chapter", nargs="*", help="chapter folder(s) (default: all with exercises)")
    p.add_argument("--jobs", "-j", type=int, default=None)
    p.add_argument("--chapters-dir", type=Path, default=CHAPTERS_DIR, help=argparse.SUPPRESS)
    p.set_defaults(func=_prove)
