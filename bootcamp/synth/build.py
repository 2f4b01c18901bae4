"""Build a dataset folder safely: validate, lock, write to a temporary sibling, rename into place.

A dataset folder is complete exactly when it has ``manifest.json``, which is written last, inside
the temporary folder, before the rename. An interrupted run leaves only a hidden temporary folder
(removed by the next build), never a half-written dataset that ``data.load`` would read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bootcamp.errors import BootcampError
from bootcamp.synth.config import Config, generator_version

MANIFEST = "manifest.json"


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def is_current(folder: Path, config: Config, formats: tuple[str, ...]) -> bool:
    """The folder holds a complete dataset of this configuration with (at least) these formats."""
    manifest = read_manifest(folder)
    return (
        bool(manifest)
        and manifest.get("config") == config.as_dict()
        and set(formats) <= set(manifest.get("formats", ()))
    )


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock per dataset folder (a file in a hidden ``.locks`` sibling folder)."""
    lock_dir = folder.parent / ".locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_target(folder: Path, force: bool) -> None:
    """User errors before anything is written: unwritable place, non-empty folder without force."""
    parent = folder.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BootcampError(f"cannot write to {folder}: {probe} is not writable")
    if folder.exists():
        if not folder.is_dir():
            raise BootcampError(f"{folder} exists and is not a folder")
        # an earlier dataset (it has a manifest) is ours to replace; anything else needs --force
        if any(folder.iterdir()) and not force and read_manifest(folder) is None:
            raise BootcampError(f"{folder} is not empty; use --force to replace it")
        if not os.access(folder, os.W_OK) or not os.access(parent, os.W_OK):
            raise BootcampError(f"cannot replace {folder}: not writable")


def build(
    config: Config,
    folder: Path,
    formats: tuple[str, ...],
    *,
    force: bool = False,
    progress: bool = False,
    reuse: bool = False,
) -> dict:
    """Generate ``config`` into ``folder``; returns the manifest. Raises BootcampError early.

    ``reuse=True`` returns at once if, once the lock is held, the folder is already current
    (another process has just built it).
    """
    from bootcamp.synth.pipeline import generate
    from bootcamp.synth.schema import codebook_markdown
    from bootcamp.synth.writers import ParquetSink, SqliteSink, TxtSink

    folder = Path(folder).expanduser().absolute()
    check_target(folder, force)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with locked(folder):
        if reuse and is_current(folder, config, formats):
            return read_manifest(folder)
        for stale in folder.parent.glob(f".{folder.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}-{time.monotonic_ns()}"
        tmp.mkdir()
        try:
            sinks = []
            if "parquet" in formats:
                sinks.append(ParquetSink(tmp))
            if "sqlite" in formats:
                sinks.append(SqliteSink(tmp))
            if "txt" in formats:
                sinks.append(TxtSink(tmp, config.seed, config.messy))
            rows: dict[str, int] = {}
            bar = _progress_bar(config, progress)
            for tables in generate(config, progress=bar.update if bar else None):
                for name, table in tables.items():
                    rows[name] = rows.get(name, 0) + table.num_rows
                    for sink in sinks:
                        sink.write(name, table)
            if bar:
                bar.close()
            for sink in sinks:
                sink.close()
            manifest = {
                "config": config.as_dict(),
                "formats": list(formats),
                "rows": rows,
                "generator_version": generator_version(),
            }
            (tmp / "codebook.md").write_text(codebook_markdown())
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            if folder.exists():
                trash = folder.parent / f".{folder.name}.tmp-old-{os.getpid()}"
                os.rename(folder, trash)
                os.rename(tmp, folder)
                shutil.rmtree(trash, ignore_errors=True)
            else:
                os.rename(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return manifest


def _progress_bar(config: Config, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=config.n_registrants,
        unit=" registrants",
        unit_scale=True,
        file=sys.stderr,
        desc=f"Generating {config.dirname}",
        dynamic_ncols=True,
    )
