"""A pool of grading worker processes (``bootcamp.grading.worker``), fed over pipes.

The pool knows nothing about nbgrader or the gradebook: it hands out :class:`Job` tasks, enforces
a per-notebook deadline (a worker that overruns it is killed with its kernel and replaced), and
calls back with the worker's result, or ``None`` and a reason when the worker died or overran.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Grading runs one notebook per core, so each kernel's numeric libraries get one thread: with
#: their default of a thread per core, parallel kernels fight over the cores (BLAS threads spin).
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Job:
    """One notebook to execute: ``task`` goes to the worker, ``key`` comes back to the caller."""

    key: Any
    task: dict


Finish = Callable[[Job, "dict | None", "str | None"], None]


class Worker:
    def __init__(self, course_dir: Path, log_path: Path):
        self.log = open(log_path, "ab")  # noqa: SIM115 (lives as long as the worker)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bootcamp.grading.worker", str(course_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            env={**os.environ, **SINGLE_THREADED},
        )
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buffer = b""
        self.deadline = 0.0
        self.kernel_pid: int | None = None

    def submit(self, task: dict, deadline: float) -> None:
        self.deadline = deadline
        self.kernel_pid = None
        self.proc.stdin.write((json.dumps(task) + "\n").encode())
        self.proc.stdin.flush()

    def messages(self) -> list[dict]:
        try:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return []
        if not chunk:
            raise EOFError
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def kill(self) -> None:
        for pid in (self.kernel_pid, self.proc.pid):
            if pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)
        with contextlib.suppress(Exception):
            self.proc.stdout.close()
        self.log.close()

    def close(self) -> None:
        """Every result is already in: stop the worker now rather than wait for its shutdown."""
        with contextlib.suppress(Exception):
            self.proc.stdin.close()
        self.kill()


class Pool:
    """``jobs`` workers; :meth:`run` feeds them until every job has finished."""

    def __init__(self, jobs: int, course_dir: Path, state_dir: Path, notebook_timeout: float):
        self.jobs = max(1, jobs)
        self.course_dir = course_dir
        self.state_dir = state_dir
        self.notebook_timeout = notebook_timeout

    def _spawn(self, index: int) -> Worker:
        return Worker(self.course_dir, self.state_dir / f"worker-{index}.log")

    def run(self, pending: Iterable[Any], prepare: Callable[[Any], list[Job]], finish: Finish):
        """``prepare(item)`` turns each pending item into jobs (in this process, between worker
        results, so the workers stay fed); ``finish(job, result, reason)`` gets every job back."""
        queue = list(pending)
        ready: list[Job] = []
        workers = [self._spawn(i) for i in range(self.jobs)]
        selector = selectors.DefaultSelector()
        for worker in workers:
            selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)
        idle: list[Worker] = []
        busy: dict[Worker, Job] = {}

        def replace(dead: Worker) -> None:
            index = workers.index(dead)
            workers[index] = self._spawn(index)
            selector.register(workers[index].proc.stdout, selectors.EVENT_READ, workers[index])

        try:
            while queue or ready or busy:
                while idle and ready:
                    worker = idle.pop()
                    job = ready.pop(0)
                    worker.submit(job.task, time.monotonic() + self.notebook_timeout)
                    busy[worker] = job
                if queue and len(ready) < max(1, len(idle)) + self.jobs:
                    ready += prepare(queue.pop(0))
                    if len(ready) < self.jobs or not busy:
                        continue
                now = time.monotonic()
                deadlines = [w.deadline for w in busy] or [now + 1]
                wait = max(0.0, min(min(deadlines) - now, 1.0 if queue else 5.0))
                for key, _ in selector.select(timeout=wait):
                    worker = key.data
                    try:
                        messages = worker.messages()
                    except EOFError:
                        messages = [{"event": "died"}]
                    for message in messages:
                        event = message.get("event")
                        if event == "ready":
                            idle.append(worker)
                        elif event == "kernel":
                            worker.kernel_pid = message["pid"]
                        elif event == "done":
                            job = busy.pop(worker)
                            finish(job, message, None)
                            idle.append(worker)
                        elif event == "died":
                            selector.unregister(worker.proc.stdout)
                            job = busy.pop(worker, None)
                            worker.kill()
                            if worker in idle:
                                idle.remove(worker)
                            replace(worker)
                            if job:
                                finish(job, None, "the grading process died while running it")
                now = time.monotonic()
                for worker in [w for w in busy if w.deadline < now]:
                    selector.unregister(worker.proc.stdout)
                    job = busy.pop(worker)
                    worker.kill()
                    replace(worker)
                    finish(
                        job,
                        None,
                        f"stopped after {self.notebook_timeout:g} s for the whole notebook "
                        "(endless loop or a kernel that ignores interrupts?)",
                    )
        finally:
            for worker in workers:
                worker.close()
