"""``bootcamp grade``: the command line (arguments and printing) over :mod:`.pipeline`.

The library lives in :mod:`bootcamp.grading.pipeline` (the batch), :mod:`.intake` (reading a
submission), :mod:`.gradebook` (the only writer of gradebook.db, and the score iterator),
:mod:`.flags` (reasons for a person), :mod:`.pool` (worker processes), :mod:`.sandbox` and
:mod:`.steps` (trusted steps around execution). The names below are re-exported for callers.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from bootcamp.errors import BootcampError
from bootcamp.grading import course
from bootcamp.grading.flags import Outcome, flags_path, read_flags
from bootcamp.grading.pipeline import ensure_assignment, fail_unrun_tests, grade, scores

__all__ = [
    "Outcome",
    "ensure_assignment",
    "fail_unrun_tests",
    "flags_path",
    "grade",
    "main",
    "read_flags",
    "scores",
]


def collect_zip(zip_path: Path, assignment: str, course_dir: Path) -> None:
    """File an LMS download into submitted/STUDENT/ASSIGNMENT with nbgrader's zip_collect."""
    if not zip_path.exists():
        raise BootcampError(f"no such file: {zip_path}")
    archive = course_dir / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(zip_path, archive / zip_path.name)
    nbgrader = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run(
        [str(nbgrader), "zip_collect", assignment, "--force"],
        cwd=course_dir,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise BootcampError(f"nbgrader zip_collect failed: {tail[0]}")


_collect_zip = collect_zip  # the name older tests use


def _read_notebook(path: Path):
    """(notebook, None) or (None, reason): the older interface (``bootcamp check`` uses it)."""
    from bootcamp.grading import intake

    submitted = intake.read_notebook(path)
    return submitted.nb, submitted.problem


def main(args) -> int:
    import warnings

    warnings.filterwarnings("ignore", module="nbformat")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    course_dir = Path(args.course_dir).resolve()
    if args.zip:
        course.prepare_environment()
        collect_zip(Path(args.zip), args.assignment, course_dir)
    started = time.monotonic()
    outcomes = grade(
        args.assignment,
        course_dir=course_dir,
        jobs=args.jobs,
        students=args.student,
        cell_timeout=args.cell_timeout,
        notebook_timeout=args.notebook_timeout,
        memory_mb=args.memory_mb,
        progress=not args.quiet,
    )
    points = scores(course_dir, args.assignment)
    flagged = [o for o in outcomes if o.flags]
    print(
        f"graded {len(outcomes)} submissions of {args.assignment} in "
        f"{time.monotonic() - started:.1f} s; {len(flagged)} need a person"
    )
    for o in outcomes:
        score, max_score = points.get(o.student, (0.0, 0.0))
        status = "MANUAL" if o.flags else "ok"
        print(f"  {o.student:<24} {score:>5g} / {max_score:<5g} {status}")
        for name, reason in o.flags:
            print(f"      ! {name}: {reason}")
        for name, remark in o.notes:
            print(f"      - {name}: {remark}")
    print(f"flags: {flags_path(course_dir, args.assignment)}")
    return 0
