"""The pristine copy of each released assignment, and the checks that refuse a tampered one.

``bootcamp release`` (and ``bootcamp grade`` the first time it sees an assignment) keeps a copy
of the source notebooks in ``COURSE/.bootcamp/pristine/ASSIGNMENT/`` with a manifest of SHA-256
checksums: of each source notebook, and of every graded or locked cell as the gradebook stores it
(the copy nbgrader's OverwriteCells restores test cells from). The course folder is never
visible inside a grading sandbox. Before every grading run :func:`verify` compares the course's
``source/`` and the gradebook with that copy and refuses to grade when either changed: a changed
test cell would change every student's grade.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from bootcamp.errors import BootcampError

MANIFEST = "manifest.json"


def _folder(course_dir: Path, assignment: str) -> Path:
    return Path(course_dir) / ".bootcamp" / "pristine" / assignment


def _sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _gradebook_cells(db_url: str, assignment: str) -> dict[str, str]:
    """'notebook/cell' -> SHA-256 of (type, source, nbgrader checksum) of graded/locked cells."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url) as gb:
        for nb in gb.find_assignment(assignment).notebooks:
            graded = {c.name for c in nb.grade_cells}
            for cell in nb.source_cells:
                if cell.locked or cell.name in graded:
                    text = json.dumps([cell.cell_type, cell.source, cell.checksum])
                    out[f"{nb.name}/{cell.name}"] = _sha(text)
    return out


def record(course_dir: Path, assignment: str, db_url: str) -> Path:
    """Keep the current source notebooks and gradebook cells as the pristine reference."""
    course_dir = Path(course_dir)
    folder = _folder(course_dir, assignment)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    sources = {}
    for path in sorted((course_dir / "source" / assignment).glob("*.ipynb")):
        shutil.copyfile(path, folder / path.name)
        sources[path.name] = _sha(path.read_bytes())
    manifest = {"sources": sources, "cells": _gradebook_cells(db_url, assignment)}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return folder


def recorded(course_dir: Path, assignment: str) -> bool:
    return (_folder(course_dir, assignment) / MANIFEST).exists()


def verify(course_dir: Path, assignment: str, db_url: str) -> None:
    """Raise a one-line BootcampError when the source or the gradebook's cells changed."""
    course_dir = Path(course_dir)
    folder = _folder(course_dir, assignment)
    manifest = json.loads((folder / MANIFEST).read_text())
    fix = f"if you changed the exercise on purpose, run `bootcamp release {assignment}` again"
    for name, digest in manifest["sources"].items():
        pristine = folder / name
        if not pristine.exists() or _sha(pristine.read_bytes()) != digest:
            raise BootcampError(f"the pristine copy of {assignment}/{name} was changed; {fix}")
        current = course_dir / "source" / assignment / name
        if not current.exists() or _sha(current.read_bytes()) != digest:
            raise BootcampError(
                f"source/{assignment}/{name} differs from the released exercise "
                f"(checksum mismatch): refusing to grade; {fix}"
            )
    cells = _gradebook_cells(db_url, assignment)
    changed = sorted(
        k for k in set(cells) | set(manifest["cells"]) if cells.get(k) != manifest["cells"].get(k)
    )
    if changed:
        raise BootcampError(
            f"the gradebook's copy of {len(changed)} test or locked cell(s) of {assignment} "
            f"changed since release ({', '.join(changed[:3])}): refusing to grade; {fix}"
        )
