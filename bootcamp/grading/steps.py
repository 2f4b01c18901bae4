"""Trusted grading steps: code the grader runs around each submission's sandboxed execution.

Configured in ``autograder/nbgrader_config.py`` as a list of import paths::

    c.BootcampGrade.trusted_steps = ["bootcamp.grading.judge.Judge"]

Each step is a class instantiated once per ``bootcamp grade`` run, with two methods:

- ``before(nb, ctx)`` runs in the grading process after nbgrader's OverwriteCells restored the
  pristine test cells and before the notebook goes to the sandbox. It may rewrite cell sources
  (e.g. replace hidden-test code with a capture call) and write inputs into ``ctx.inbox``, which
  the kernel sees read-only at ``os.environ["BOOTCAMP_INBOX"]``.
- ``after(nb, ctx)`` runs in the grading process after the sandbox is gone and before nbgrader
  saves grades. It may read what the kernel wrote to ``ctx.outbox`` (the kernel's
  ``os.environ["BOOTCAMP_OUTBOX"]``; plain data only: JSON, Arrow/Parquet, never pickle) and
  rewrite test-cell outputs: an output of ``output_type`` "error" makes nbgrader score that test
  cell zero.

Plain ``nbgrader autograde`` runs no steps (and no sandbox).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from nbformat import NotebookNode

from bootcamp.errors import BootcampError


@dataclass(frozen=True)
class SubmissionContext:
    assignment: str  # "01-voter-file"
    student: str
    course: Path  # the nbgrader course root (trusted side only, never in the sandbox)
    inbox: Path  # written by steps before execution; read-only in the sandbox (BOOTCAMP_INBOX)
    outbox: Path  # empty, writable in the sandbox (BOOTCAMP_OUTBOX); read by steps afterwards


@runtime_checkable
class TrustedStep(Protocol):
    def before(self, nb: NotebookNode, ctx: SubmissionContext) -> NotebookNode: ...

    def after(self, nb: NotebookNode, ctx: SubmissionContext) -> NotebookNode: ...


def load_steps(paths: list[str]) -> list[TrustedStep]:
    """Import and instantiate each ``module.Class``; a bad entry is a one-line error."""
    steps = []
    for dotted in paths:
        module_name, _, class_name = str(dotted).rpartition(".")
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError, ValueError) as exc:
            raise BootcampError(f"trusted step {dotted!r} cannot be imported: {exc}") from None
        step = cls()
        if not isinstance(step, TrustedStep):
            raise BootcampError(f"trusted step {dotted!r} has no before(nb, ctx)/after(nb, ctx)")
        steps.append(step)
    return steps


def configured_steps(config) -> list[str]:
    """``c.BootcampGrade.trusted_steps`` from the course config (empty when unset)."""
    section = config.get("BootcampGrade", {})
    return list(section.get("trusted_steps", []) or [])
