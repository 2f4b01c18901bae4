"""A grading worker: executes sanitized notebooks in place, one at a time, never touching the
gradebook. ``bootcamp grade`` starts ``--jobs`` of these and talks to each over a pipe.

Protocol (one JSON object per line): the parent writes ``{"path": ..., "cell_timeout": ...,
"memory_mb": ...}`` to stdin; the worker answers ``{"event": "kernel", "pid": N}`` when a kernel
starts and ``{"event": "done", "path": ..., "problems": [...], "truncated": bool}`` at the end.
Answers go to a private copy of the original stdout; fd 1 itself is pointed at stderr, so
anything a kernel writes to the inherited stdout cannot corrupt the protocol.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import nbformat


def _execute(task: dict, config, send) -> dict:
    from nbgrader import utils
    from nbgrader.preprocessors import IgnorePattern, LimitOutput

    from bootcamp.grading.preprocessors import GuardedExecute

    path = Path(task["path"])
    started = time.monotonic()
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}, "nbgrader": {}}
    executor = GuardedExecute(config=config)
    if task.get("cell_timeout"):
        executor.timeout = int(task["cell_timeout"])
    if task.get("memory_mb") is not None:
        executor.memory_limit_mb = int(task["memory_mb"])
    executor.on_kernel_started = lambda pid: send({"event": "kernel", "pid": pid})
    with utils.setenv(NBGRADER_EXECUTION="autograde"):
        nb, resources = executor.preprocess(nb, resources)
    for step in (IgnorePattern(config=config), LimitOutput(config=config)):
        nb, resources = step.preprocess(nb, resources)
    tmp = path.with_suffix(".ipynb.part")
    nbformat.write(nb, tmp)
    os.replace(tmp, path)
    return {
        "event": "done",
        "path": str(path),
        "problems": executor.problems,
        "truncated": executor.truncated,
        "seconds": round(time.monotonic() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    course_dir = Path(argv[0])
    protocol = os.fdopen(os.dup(1), "w", buffering=1)  # os.dup: not inherited by kernels
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(message: dict) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    from bootcamp.grading import course

    course.prepare_environment()
    course.quiet_nbgrader()
    config = course.load_config(course_dir)
    send({"event": "ready"})
    for line in sys.stdin:
        if not line.strip():
            continue
        task = json.loads(line)
        try:
            result = _execute(task, config, send)
        except Exception as exc:  # report, stay alive for the next notebook
            result = {"event": "done", "path": task.get("path"), "error": f"{exc!r}"[:500]}
        send(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
