"""A grading worker: executes sanitized notebooks in place, one at a time, never touching the
gradebook. ``bootcamp grade`` starts ``--jobs`` of these and talks to each over a pipe.

Protocol (one JSON object per line): the parent writes ``{"path": ..., "cell_timeout": ...,
"memory_mb": ..., "preprocessors": [dotted names], "work": ..., "inbox": ..., "outbox": ...}``
to stdin (``preprocessors``: nbgrader's autograde list up to SaveAutoGrades, Execute already
replaced by GuardedExecute; ``work``: the kernel's working folder; ``sandbox``: a
:class:`bootcamp.grading.sandbox.Spec` as a dict); the worker answers
``{"event": "kernel", "pid": N}`` when a kernel starts and
``{"event": "done", "path": ..., "problems": [...], "truncated": bool}`` at the end.
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


def _preprocessors(names: list[str]) -> list[type]:
    import importlib

    out = []
    for name in names:
        module, _, cls = name.rpartition(".")
        out.append(getattr(importlib.import_module(module), cls))
    return out


def _execute(task: dict, config, send) -> dict:
    from nbgrader import utils

    from bootcamp.grading.preprocessors import GuardedExecute

    path = Path(task["path"])
    started = time.monotonic()
    nb = nbformat.read(path, as_version=4)
    work = task.get("work") or str(path.parent)
    resources = {"metadata": {"path": work}, "nbgrader": {}}
    executor = GuardedExecute(config=config)
    if task.get("cell_timeout"):
        executor.timeout = int(task["cell_timeout"])
    if task.get("memory_mb") is not None:
        executor.memory_limit_mb = int(task["memory_mb"])
    executor.on_kernel_started = lambda pid: send({"event": "kernel", "pid": pid})
    spec = None
    if task.get("sandbox"):
        from bootcamp.grading import sandbox

        raw = dict(task["sandbox"])
        raw["limits"] = sandbox.Limits(**raw.get("limits", {}))
        spec = executor.sandbox = sandbox.Spec(**raw)
        sandbox.prepare(spec)
    boxes = {"BOOTCAMP_INBOX": task.get("inbox") or "", "BOOTCAMP_OUTBOX": task.get("outbox") or ""}
    names = task.get("preprocessors") or [
        "bootcamp.grading.preprocessors.GuardedExecute",
        "nbgrader.preprocessors.IgnorePattern",
        "nbgrader.preprocessors.LimitOutput",
    ]
    for step in _preprocessors(names):
        if issubclass(step, GuardedExecute):
            try:
                with utils.setenv(NBGRADER_EXECUTION="autograde", **boxes):
                    nb, resources = executor.preprocess(nb, resources)
            finally:
                if spec is not None:
                    sandbox.remove_cgroup(spec.cgroup)
        else:
            nb, resources = step(config=config)(nb, resources)  # __call__ honors .enabled
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
