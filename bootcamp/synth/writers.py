"""Writers: Parquet (typed), SQLite (keys, indexes) and the raw tab-delimited download.

Each writer takes the tables chunk by chunk, so the state preset never holds the whole state in
memory. Output is byte-for-byte reproducible for the same seed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bootcamp.synth import messiness, schema

SQLITE_NAME = "lakeland.sqlite"
RAW_DIR = "raw"
#: Load order that satisfies foreign keys.
SQLITE_TABLES = (
    "precincts",
    "elections",
    "households",
    "voters",
    "vote_history",
    "volunteers",
    "contacts",
    "survey_responses",
    "donations",
    "experiment",
)


class ParquetSink:
    """One Parquet file per table (truth tables too), one row group per chunk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[str, pq.ParquetWriter] = {}

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            self.writers[name] = pq.ParquetWriter(
                self.folder / f"{name}.parquet",
                schema.arrow_schema(name),
                compression="zstd",
                store_schema=False,
            )
        if table.num_rows:
            self.writers[name].write_table(table, row_group_size=1_000_000)

    def close(self) -> None:
        for t in schema.TABLES:
            if t.name not in self.writers:
                self.write(t.name, schema.arrow_schema(t.name).empty_table())
        for w in self.writers.values():
            w.close()


def _sql_values(table: pa.Table) -> list:
    cols = []
    for field in table.schema:
        col = table.column(field.name)
        if field.type == pa.date32():
            col = col.cast(pa.string())
        elif field.type == pa.bool_():
            col = col.cast(pa.int8())
        cols.append(col.to_pylist())
    return list(zip(*cols, strict=True))


class SqliteSink:
    """The public tables in one SQLite file with primary keys, foreign keys and indexes."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / SQLITE_NAME
        self.con = sqlite3.connect(self.path)
        self.con.execute("PRAGMA journal_mode = OFF")
        self.con.execute("PRAGMA synchronous = OFF")
        self.con.execute("PRAGMA page_size = 4096")
        for name in SQLITE_TABLES:
            self.con.execute(schema.sqlite_ddl(name, SQLITE_TABLES))

    def write(self, name: str, table: pa.Table) -> None:
        if name not in SQLITE_TABLES or not table.num_rows:
            return
        marks = ", ".join("?" * table.num_columns)
        self.con.executemany(f"INSERT INTO {name} VALUES ({marks})", _sql_values(table))

    def close(self) -> None:
        for name in SQLITE_TABLES:
            for sql in schema.sqlite_indexes(name):
                self.con.execute(sql)
        self.con.commit()
        self.con.execute("ANALYZE")
        self.con.commit()
        self.con.close()


class TxtSink:
    """Tab-delimited text, every field quoted, like a state's raw voter-file download."""

    def __init__(self, folder: Path, seed: int, messy: bool) -> None:
        self.folder = folder / RAW_DIR
        self.folder.mkdir()
        self.files: dict[str, object] = {}
        self.seed = seed
        self.messy = messy
        self.chunks: dict[str, int] = {}

    def write(self, name: str, table: pa.Table) -> None:
        spec = schema.TABLE_BY_NAME[name]
        if spec.truth or spec.raw_file is None:
            return
        first = name not in self.files
        if first:
            self.files[name] = open(self.folder / spec.raw_file, "wb")  # noqa: SIM115
        chunk = self.chunks[name] = self.chunks.get(name, -1) + 1
        # one generator per table, chunk and column: a row keeps its padding and case in every
        # weekly snapshot (rows keep their places; new rows come at the end of their chunk)
        key = [self.seed, 2, schema.TABLES.index(spec), chunk]
        rngs = (lambda i: np.random.default_rng([*key, i])) if self.messy else None
        text = messiness.raw_text(rngs, name, table)
        options = pacsv.WriteOptions(
            include_header=first, delimiter="\t", quoting_style="all_valid"
        )
        pacsv.write_csv(text, self.files[name], options)

    def close(self) -> None:
        for t in schema.TABLES:
            if not t.truth and t.raw_file and t.name not in self.files:
                self.write(t.name, schema.arrow_schema(t.name).empty_table())
        for f in self.files.values():
            f.close()
