"""How long `make` takes: a cold build of everything and a warm rebuild that executes nothing.

Issue 16's targets, on the 2-core build machine: a cold build (data generated, exercises
released, every lesson executed, the book built, the runnable notebooks written) in under 6
minutes, and a warm rebuild with nothing changed in under 30 seconds.

It runs in this checkout, after `make env` (the environment is not part of the build measured):

1. cold, lessons executed one at a time (``EXECUTE_JOBS=1``, what the book build alone does);
2. cold, lessons executed in parallel (``make``'s default: one page per core);
3. warm: ``make`` again, nothing changed.

"Cold" removes ``_build/`` (the execution cache included), ``datasets/`` and the nbgrader
``source``/``release`` folders first; they are all rebuilt by ``make`` (the committed student
notebooks are rewritten identically). Each step is one whole-process wall time, and the parallel
speed-up is the ratio of steps 1 and 2 measured in the same run. Prints a Markdown table for
``benchmarks/README.md``.

    .venv/bin/python benchmarks/bench_build.py            # all three (about 15 minutes)
    .venv/bin/python benchmarks/bench_build.py --skip-serial
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLD = ["_build", "datasets", "autograder/source", "autograder/release"]


def make(jobs: int | None = None) -> float:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    command = ["make", "book"]
    if jobs is not None:
        command.append(f"EXECUTE_JOBS={jobs}")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench_build: `{' '.join(command)}` failed:\n{result.stdout[-2000:]}")
    return seconds


def clean() -> None:
    for folder in COLD:
        shutil.rmtree(REPO / folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-serial", action="store_true", help="skip the one-at-a-time build")
    args = parser.parse_args()
    if not (REPO / ".venv" / ".installed").exists():
        sys.exit("bench_build: run `make env` first")
    rows = []
    load = os.getloadavg()[0]
    if not args.skip_serial:
        clean()
        rows.append(("cold, lessons one at a time", make(jobs=1)))
    clean()
    rows.append((f"cold, lessons {os.cpu_count()} at a time (`make`)", make()))
    rows.append(("warm, nothing changed (`make`)", make()))
    print(f"{os.cpu_count()} cores, load average {load:.1f} at the start\n")
    print("| build | wall time |")
    print("| --- | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.0f} s |")
    if not args.skip_serial:
        print(f"\nparallel speed-up of the cold build: {rows[0][1] / rows[1][1]:.2f}x")


if __name__ == "__main__":
    main()
