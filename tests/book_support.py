"""Helpers the book tests share: which pages are lessons, how to run one and say where it broke."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbclient
import yaml
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def toc_pages() -> list[str]:
    """Every page named in _toc.yml, root first, in reading order (paths without suffix)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc["parts"]:
        walk(part["chapters"])
    return pages


def lesson_paths() -> list[Path]:
    """Pages with code that the book executes: MyST notebooks and committed .ipynb lessons."""
    lessons = []
    for page in toc_pages():
        for suffix in (".md", ".ipynb"):
            path = REPO / f"{page}{suffix}"
            if not path.exists() or "exercises" in path.name:
                continue
            if suffix == ".ipynb" or "```{code-cell}" in path.read_text(encoding="utf-8"):
                lessons.append(path)
    return lessons


class LessonFailed(AssertionError):
    """A lesson cell raised: the message names the notebook, the cell and the error."""


@dataclass
class LessonRun:
    path: Path
    seconds: float


def _line_of(source: str, text: str) -> int | None:
    first = next((line for line in source.splitlines() if line.strip()), "")
    for number, line in enumerate(text.splitlines(), start=1):
        if first and line.strip() == first.strip():
            return number
    return None


def run_lesson(path: Path, timeout: int = 120) -> LessonRun:
    """Execute a lesson top to bottom in its own folder, as the book build does."""
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        failed = next(
            (
                (number, cell)
                for number, cell in enumerate(code_cells, start=1)
                if any(out.get("output_type") == "error" for out in cell.get("outputs", []))
            ),
            None,
        )
        where, summary = "", type(exc).__name__
        if failed:
            number, cell = failed
            line = _line_of(cell.source, path.read_text(encoding="utf-8"))
            at_line = f", line {line}" if line else ""
            first = next((text for text in cell.source.splitlines() if text.strip()), "")
            where = f" code cell {number}{at_line} ({first.strip()[:60]!r})"
            error = next(out for out in cell.outputs if out.get("output_type") == "error")
            summary = f"{error.ename}: {error.evalue}"
        relative = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        details = ANSI.sub("", str(exc))
        raise LessonFailed(f"{relative}:{where} failed: {summary}\n\n{details}") from None
    return LessonRun(path, time.perf_counter() - started)
