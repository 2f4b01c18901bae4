"""Load the synthetic state's tables in a notebook.

    from bootcamp import data
    voters = data.load("voters")          # a pandas DataFrame
    con = data.connect()                  # a read-only sqlite3 connection for the SQL chapters

The first call generates the dataset (the ``county`` preset, a fixed seed: about two seconds) and
caches it in ``datasets/county``; later calls read the cached files. Other presets and seeds live in
sibling folders (``data.load("voters", preset="tiny", seed=7)`` uses ``datasets/tiny-seed7``).
Truth tables (``truth_voters`` ...) hold the hidden answers and load only when named.
``snapshot=1`` (``load`` and ``connect``) is the same state a week later: "this week's file".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bootcamp.errors import BootcampError

__all__ = ["load", "read", "connect", "tables", "truth_tables", "path", "UnknownTableError"]

# Kept in sync with bootcamp.synth.schema by a test; listed here so importing this module is cheap.
_PUBLIC = (
    "precincts",
    "households",
    "voters",
    "elections",
    "vote_history",
    "contacts",
    "survey_responses",
    "donations",
    "volunteers",
    "experiment",
)
_TRUTH = ("truth_voters", "truth_duplicates", "truth_links", "truth_changes", "truth_precincts")


class UnknownTableError(BootcampError, ValueError):
    """A table name that the dataset does not have."""


def tables() -> list[str]:
    """Names of the tables lessons use (truth tables not included)."""
    return list(_PUBLIC)


def truth_tables() -> list[str]:
    """Names of the hidden-truth tables (for instructor notes and exercise answers)."""
    return list(_TRUTH)


def path(
    preset: str = "county",
    seed: int | None = None,
    size: int | None = None,
    messy: bool = True,
    formats: tuple[str, ...] = ("parquet", "sqlite"),
    snapshot: int = 0,
) -> Path:
    """Folder of a dataset, generating it first if it is not there yet (safe in parallel)."""
    from bootcamp.paths import datasets_dir
    from bootcamp.synth.build import build, is_current
    from bootcamp.synth.config import DEFAULT_FORMATS, DEFAULT_SEED, Config

    config = Config(
        preset=preset,
        seed=DEFAULT_SEED if seed is None else seed,
        size=size,
        messy=messy,
        snapshot=snapshot,
    )
    folder = datasets_dir() / config.dirname
    if not is_current(folder, config, formats):
        # the build takes a lock and re-checks, so parallel notebooks generate it only once
        wanted = tuple(dict.fromkeys(DEFAULT_FORMATS[config.preset] + tuple(formats)))
        build(config, folder, wanted, force=True, reuse=True)
    return folder


def load(
    name: str,
    preset: str = "county",
    seed: int | None = None,
    size: int | None = None,
    messy: bool = True,
    columns: list[str] | None = None,
    snapshot: int = 0,
):
    """One table as a pandas DataFrame: dates as datetime64, integers as nullable integers.

    ``messy=False`` gives the version without the deliberate messiness (duplicates, drift ...).
    ``snapshot=1`` gives the same state one week later (new registrants, moves, changes,
    removals; ``truth_changes`` says what changed for whom), ``snapshot=2`` two weeks later ...
    """
    if name not in _PUBLIC and name not in _TRUTH:
        raise UnknownTableError(
            f"unknown table {name!r}; valid names: {', '.join(_PUBLIC)} "
            f"(truth tables: {', '.join(_TRUTH)})"
        )
    folder = path(preset, seed, size, messy, formats=("parquet",), snapshot=snapshot)
    return read(folder, name, columns)


def read(folder: str | Path, name: str, columns: list[str] | None = None, filters=None):
    """One table of a dataset folder (e.g. one written by ``bootcamp data --out DIR``).

    ``filters`` (pyarrow's, e.g. ``[("county_desc", "in", ["OSPREY"])]``) reads only those rows.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(Path(folder) / f"{name}.parquet", columns=columns, filters=filters)
    mapping = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    frame = table.to_pandas(types_mapper=mapping.get, date_as_object=False)
    for col, typ in zip(table.column_names, table.schema.types, strict=True):
        if typ == pa.date32():
            frame[col] = frame[col].astype("datetime64[s]")
    return frame


def connect(
    preset: str = "county",
    seed: int | None = None,
    size: int | None = None,
    messy: bool = True,
    snapshot: int = 0,
) -> sqlite3.Connection:
    """A read-only connection to the dataset's SQLite database (lessons cannot damage it).

    Works with ``pd.read_sql(query, con)``. Dates are text ``YYYY-MM-DD``; use ``date(...)``.
    Foreign keys are enforced (``PRAGMA foreign_keys`` is on).
    """
    folder = path(preset, seed, size, messy, formats=("sqlite",), snapshot=snapshot)
    from bootcamp.synth.writers import SQLITE_NAME

    uri = (folder / SQLITE_NAME).as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    # SQLite checks foreign keys only when asked, per connection
    con.execute("PRAGMA foreign_keys = ON")
    return con
