"""Execute the book's lessons in parallel, into the cache the book build reads.

``jupyter-book build`` (myst-nb in ``cache`` mode) executes every page whose code is not in
``_build/.jupyter_cache``, one page after another. On a machine with several cores most of that
time is spent waiting on one kernel. ``bootcamp execute`` (run by ``make`` before the book build)
finds the pages whose code is not cached, executes them several at a time, and stores each
result in the same cache, exactly as myst-nb would: the same reader, the same working directory
(the page's folder), the same timeout and error settings from ``_config.yml``. The book build
then finds every page cached and executes nothing.

A page that fails is not cached; the command names it with the failing cell's error on one line
and exits non-zero, so ``make`` stops before the book build (which would execute it again and
show the whole traceback).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from bootcamp.errors import BootcampError
from bootcamp.paths import BOOK_CACHE, REPO_ROOT


@dataclass(frozen=True)
class ExecuteSettings:
    """The ``execute:`` and ``parse:`` settings of ``_config.yml`` that execution depends on."""

    timeout: int
    allow_errors: bool
    exclude_patterns: tuple[str, ...]
    myst_extensions: tuple[str, ...]


def execute_settings(root: Path = REPO_ROOT) -> ExecuteSettings:
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    execute = config.get("execute", {})
    if execute.get("execute_notebooks", "cache") != "cache":
        raise BootcampError(
            "_config.yml: execute.execute_notebooks must be 'cache' for bootcamp execute"
        )
    return ExecuteSettings(
        timeout=int(execute.get("timeout", 30)),
        allow_errors=bool(execute.get("allow_errors", False)),
        exclude_patterns=tuple(execute.get("exclude_patterns", [])),
        myst_extensions=tuple(config.get("parse", {}).get("myst_enable_extensions", [])),
    )


def executable_pages(root: Path = REPO_ROOT) -> list[Path]:
    """The pages of ``_toc.yml`` that the book build executes, in reading order."""
    from myst_nb.core.read import is_myst_markdown_notebook

    from bootcamp.notebooks import toc_pages

    settings = execute_settings(root)
    pages = []
    for page in toc_pages(root):
        for suffix in (".ipynb", ".md"):
            path = root / f"{page}{suffix}"
            if not path.exists():
                continue
            relative = path.relative_to(root).as_posix()
            if any(fnmatch.fnmatch(relative, pattern) for pattern in settings.exclude_patterns):
                break
            if suffix == ".ipynb" or is_myst_markdown_notebook(path.read_text(encoding="utf-8")):
                pages.append(path)
            break
    return pages


def read_page(path: Path, settings: ExecuteSettings):
    """The page as the book build reads it (myst-nb's own reader)."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    text = path.read_text(encoding="utf-8")
    md_config = MdParserConfig(enable_extensions=set(settings.myst_extensions))
    reader = create_nb_reader(str(path), md_config, NbParserConfig(), text)
    if reader is None:
        raise BootcampError(f"{path}: not a notebook page")
    return reader.read(text), reader.read_fmt


def _execution_mode(notebook) -> str | None:
    return notebook.metadata.get("mystnb", {}).get("execution_mode")


def kernel_environment() -> None:
    """Kernels inherit this process's environment: never a non-inline matplotlib backend, or the
    executed lessons would draw their charts nowhere (as ``bootcamp.book_chapters`` ensures for
    the book build itself)."""
    os.environ.pop("MPLBACKEND", None)


def _execute_one(path: str, settings: ExecuteSettings) -> tuple[str, str, float, str | None]:
    """Run in a worker process: execute one page, return it as JSON (or the error)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    kernel_environment()
    # Kernels write start-up noise to stderr (a warning about TCP transport); a failure is
    # reported from the executed notebook's error instead.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    notebook, _ = read_page(Path(path), settings)
    result = single_nb_execution(
        notebook,
        cwd=str(Path(path).parent),
        timeout=settings.timeout,
        allow_errors=settings.allow_errors,
        meta_override=True,
    )
    error = None
    if result.err is not None:
        error = f"{type(result.err).__name__}: {_last_line(result.exc_string or str(result.err))}"
    return path, nbformat.writes(notebook), result.time, error


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no message)"


def uncached(pages: list[Path], cache_dir: Path, settings: ExecuteSettings) -> dict[Path, dict]:
    """The pages whose code the cache does not hold (the ones the book build would execute), each
    with the reader description jupyter-cache records for it."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    todo = {}
    for path in pages:
        notebook, read_fmt = read_page(path, settings)
        if _execution_mode(notebook) == "off":
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo[path] = read_fmt
    return todo


def execute(
    root: Path = REPO_ROOT,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    out=sys.stdout,
) -> tuple[list[Path], list[str]]:
    """Execute every uncached page, ``jobs`` at a time; cache the results.

    Returns the pages executed and one line per failure."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    settings = execute_settings(root)
    cache_dir = cache_dir or root / BOOK_CACHE.relative_to(REPO_ROOT)
    todo = uncached(executable_pages(root), cache_dir, settings)
    if not todo:
        print("All lessons are cached: nothing to execute.", file=out)
        return [], []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    print(f"Executing {len(todo)} page(s), {jobs} at a time:", file=out, flush=True)
    # Largest first, so one long page does not start last.
    order = sorted(todo, key=lambda p: p.stat().st_size, reverse=True)
    cache = get_cache(str(cache_dir))
    kernel_environment()
    done, failures = [], []
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_execute_one, str(p), settings) for p in order]
        for future in as_completed(futures):
            path, text, seconds, error = future.result()
            relative = Path(path).relative_to(root).as_posix()
            if error is not None:
                failures.append(f"{relative}: {error}")
                print(f"  FAILED {relative}: {error}", file=out, flush=True)
                continue
            read_fmt = todo[Path(path)]
            if read_fmt is not None:
                record = cache.add_nb_to_project(path, read_data=read_fmt)
            else:
                record = cache.add_nb_to_project(path)
            NbProjectRecord.remove_tracebacks([record.pk], cache.db)
            cache.cache_notebook_bundle(
                CacheBundleIn(
                    nbformat.reads(text, as_version=4),
                    record.uri,
                    data={"execution_seconds": seconds},
                ),
                check_validity=False,
                overwrite=True,
            )
            done.append(Path(path))
            print(f"  {seconds:5.1f} s  {relative}", file=out, flush=True)
    print(
        f"Executed {len(done)} page(s) in {time.perf_counter() - started:.1f} s wall time.",
        file=out,
    )
    return done, failures


def _run(args: argparse.Namespace) -> int:
    _, failures = execute(jobs=args.jobs, cache_dir=args.cache_dir)
    if failures:
        raise BootcampError(
            f"{len(failures)} page(s) failed to execute (first: {failures[0]}); "
            "`jupyter-book build .` shows the full traceback"
        )
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "execute",
        help="execute the book's uncached lessons in parallel into the build cache",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="pages executed at once (default: the number of cores)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="the execution cache (default: _build/.jupyter_cache, where the book build reads it)",
    )
    parser.set_defaults(func=_run)
