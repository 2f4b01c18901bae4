"""Reading a submission: is the file a notebook, and what did the learner change?

Functions here take a path or a notebook and return plain results; nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode


@dataclass(frozen=True)
class Submitted:
    """A parsed submission file: ``nb`` when it is a valid notebook, else ``problem`` says why."""

    nb: NotebookNode | None
    problem: str | None = None


@dataclass(frozen=True)
class ReleasedCell:
    """A graded or locked cell of the released notebook (what nbgrader restores)."""

    locked: bool
    grade: bool
    checksum: str | None


def read_notebook(path: Path) -> Submitted:
    """Parse a submitted file; a damaged or foreign file gives a one-line reason."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return Submitted(None, f"cannot read the file: {exc.strerror}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Submitted(
            None, f"not UTF-8 text (byte {exc.start}); was it saved by another program?"
        )
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return Submitted(
            None, f"not valid JSON (line {exc.lineno}): the file is damaged or not a notebook"
        )
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        return Submitted(None, f"not a valid Jupyter notebook: {str(exc).splitlines()[0][:120]}")
    return Submitted(nb)


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def released_cells(release_nb: NotebookNode) -> dict[str, ReleasedCell]:
    """grade_id -> ReleasedCell for every nbgrader cell of the released notebook."""
    cells = {}
    for cell in release_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id"):
            cells[meta["grade_id"]] = ReleasedCell(
                locked=bool(meta.get("locked")),
                grade=bool(meta.get("grade")),
                checksum=meta.get("checksum"),
            )
    return cells


def tampering(nb: NotebookNode, released: dict[str, ReleasedCell]) -> list[str]:
    """Describe changes to locked or test cells (nbgrader undoes them; instructors may ask why)."""
    from nbgrader.utils import compute_checksum

    seen: dict[str, NotebookNode] = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and gid not in seen:
            seen[gid] = cell
    remarks = []
    missing = [g for g, info in released.items() if info.grade and g not in seen]
    if missing:
        remarks.append(
            "graded cells deleted or their nbgrader metadata removed "
            f"({', '.join(missing)}); restored from the source before grading"
        )
    edited = [
        g
        for g, info in released.items()
        if info.locked and g in seen and compute_checksum(seen[g]) != info.checksum
    ]
    if edited:
        remarks.append(f"locked cells edited ({', '.join(edited)}); restored from the source")
    return remarks


def duplicates(nb: NotebookNode) -> list[str]:
    """One remark per grade_id that appears more than once (a copied cell)."""
    counts: dict[str, int] = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid:
            counts[gid] = counts.get(gid, 0) + 1
    return [
        f"cell {gid} appears {n} times (copied?); the last copy was graded, the others ran as "
        "ordinary cells"
        for gid, n in counts.items()
        if n > 1
    ]
