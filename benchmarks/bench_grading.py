"""Benchmark: grade the same 100 submissions with plain sequential `nbgrader autograde` and with
`bootcamp grade --jobs 2`; print both wall-clock times and the ratio.

    .venv/bin/python benchmarks/bench_grading.py [--submissions 100] [--jobs 2]

Submissions are made from tests/grading/fixtures/exercises.ipynb (a self-contained notebook):
a mix of correct, blank, wrong and partly right answers. Each tool gets its own fresh course
directory (same config, same release) so neither benefits from the other's gradebook.
Targets (issue 4): 100 submissions under 90 s on 2 cores, at least 1.8x faster than sequential
(issue 9: still so with every kernel of `bootcamp grade` sandboxed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "grading"))

import submissions as S  # noqa: E402

from bootcamp.grading import grade  # noqa: E402

ASSIGNMENT = "bench"
MIX = ["correct", "wrong", "blank", "visible_only", "hard_coded", "always_equal"]


def make_course(root: Path, count: int) -> Path:
    course_dir = S.make_course(root, ASSIGNMENT)
    rel = nbformat.read(course_dir / "release" / ASSIGNMENT / "exercises.ipynb", 4)
    src = nbformat.read(course_dir / "source" / ASSIGNMENT / "exercises.ipynb", 4)
    for i in range(count):
        kind = MIX[i % len(MIX)]
        S.write_submission(course_dir, ASSIGNMENT, f"student{i:03d}", S.KINDS[kind](rel, src))
    return course_dir


def timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        seq_course = make_course(Path(tmp) / "sequential", args.submissions)
        par_course = make_course(Path(tmp) / "parallel", args.submissions)
        print(f"{args.submissions} submissions, {os.cpu_count()} cores")
        sequential = timed([str(bin_dir / "nbgrader"), "autograde", ASSIGNMENT], seq_course)
        print(f"nbgrader autograde (sequential): {sequential:6.1f} s")
        parallel = timed(
            [
                str(bin_dir / "bootcamp"),
                "grade",
                ASSIGNMENT,
                "--jobs",
                str(args.jobs),
                "-q",
                "--course-dir",
                str(par_course),
            ],
            par_course,
        )
        print(f"bootcamp grade --jobs {args.jobs}:        {parallel:6.1f} s")
        print(f"speed-up: {sequential / parallel:.2f}x")
        a, b = grade.scores(seq_course, ASSIGNMENT), grade.scores(par_course, ASSIGNMENT)
        same = a == b
        print(f"same grades from both: {same}")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
