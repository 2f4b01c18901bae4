"""What a person must look at after grading: ``reports/ASSIGNMENT/flags.csv``.

One row per reason: ``kind`` is ``manual`` (the grade cannot be trusted as is: a person must look)
or ``note`` (informative: e.g. a locked cell was edited and restored before grading).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

FLAG_FIELDS = ["student", "notebook", "kind", "reason"]


@dataclass
class Outcome:
    """What happened to one student's submission."""

    student: str
    flags: list[tuple[str, str]] = field(default_factory=list)  # (notebook, reason): manual
    notes: list[tuple[str, str]] = field(default_factory=list)  # (notebook, remark): informative
    seconds: float = 0.0


def flags_path(course_dir: Path, assignment: str) -> Path:
    return Path(course_dir) / "reports" / assignment / "flags.csv"


def read_flags(course_dir: Path, assignment: str) -> list[dict]:
    path = flags_path(course_dir, assignment)
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_flags(course_dir: Path, assignment: str, outcomes: list[Outcome]) -> Path:
    """Replace the rows of the students in ``outcomes``; keep everyone else's."""
    regraded = {o.student for o in outcomes}
    rows = [r for r in read_flags(course_dir, assignment) if r["student"] not in regraded]
    for o in outcomes:
        rows += [
            {"student": o.student, "notebook": n, "kind": "manual", "reason": r} for n, r in o.flags
        ]
        rows += [
            {"student": o.student, "notebook": n, "kind": "note", "reason": r} for n, r in o.notes
        ]
    path = flags_path(course_dir, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FLAG_FIELDS)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["student"], r["notebook"], r["kind"])))
    return path
