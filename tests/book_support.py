"""Helpers the book tests share: which pages are lessons, how to run one and say where it broke."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbclient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def toc_pages() -> list[str]:
    """Every page named in _toc.yml, root first, in reading order (paths without suffix)."""
    from bootcamp import notebooks

    return notebooks.toc_pages(REPO)


def prose(path: Path) -> str:
    """A page's Markdown without its code cells (what the reader reads as text)."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"```\{code-cell\}.*?\n```", "", text, flags=re.S)


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
    notebook: object = None  # the executed notebook (nbformat), outputs included


@dataclass(frozen=True)
class Figure:
    """A figure a lesson declares: a code cell that draws a chart, or a ``{glue:figure}``."""

    page: str  # the page, e.g. chapters/01-voter-file/01-what-is-a-voter-file
    cell: int  # its code cell's number (1-based), or 0 for a glued figure in the text
    alt: str
    caption: str
    name: str


#: Code that draws a chart (matplotlib and pandas plotting); such a cell must declare its figure.
DRAWS = re.compile(r"\bplt\.|\.plot\(|\.plot\.|\.hist\(|\bax\.|\bfig\b")
GLUE_FIGURE = re.compile(r"```\{glue:figure\}\s*(\S+)\n(.*?)```", re.S)


def figures(path: Path) -> list[Figure]:
    """Every figure ``path`` declares, in order: a code cell with ``mystnb.image.alt`` (and a
    ``mystnb.figure`` caption and name), or a ``{glue:figure}`` directive with ``:alt:``.
    A code cell that draws without declaring alt text is returned with ``alt=""``."""
    page = str(path.relative_to(REPO).with_suffix("")) if path.is_relative_to(REPO) else path.stem
    notebook = jupytext.read(path)
    found = []
    code_number = 0
    for cell in notebook.cells:
        if cell.cell_type == "code":
            code_number += 1
            mystnb = cell.metadata.get("mystnb") or {}
            image, figure = mystnb.get("image") or {}, mystnb.get("figure") or {}
            if image or figure or DRAWS.search(cell.source):
                found.append(
                    Figure(
                        page,
                        code_number,
                        str(image.get("alt", "")).strip(),
                        str(figure.get("caption", "")).strip(),
                        str(figure.get("name", "")),
                    )
                )
        else:
            for name, body in GLUE_FIGURE.findall(cell.source):
                alt = re.search(r"^:alt:\s*(.+)$", body, re.M)
                caption = "\n".join(line for line in body.splitlines() if not line.startswith(":"))
                found.append(Figure(page, 0, alt[1].strip() if alt else "", caption.strip(), name))
    return found


def _line_of(source: str, text: str) -> int | None:
    first = next((line for line in source.splitlines() if line.strip()), "")
    for number, line in enumerate(text.splitlines(), start=1):
        if first and line.strip() == first.strip():
            return number
    return None


def run_lesson(path: Path, timeout: int = 120) -> LessonRun:
    """Execute a lesson top to bottom in its own folder, as the book build does: in a kernel that
    keeps the inline chart backend even if this process runs with ``MPLBACKEND=Agg``."""
    from bootcamp.plotting import kernel_environment

    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    try:
        client.execute(env=kernel_environment())
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
    return LessonRun(path, time.perf_counter() - started, notebook)
