"""Small vectorised helpers the stages share: categorical draws, string columns, group ranks.

Stages keep tables as plain dicts of columns (numpy arrays or Arrow arrays): string columns are
built as Arrow dictionary arrays from integer codes, so millions of names never become Python
strings.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bootcamp.synth import schema

EPOCH = dt.date(1970, 1, 1)


def day(date: dt.date) -> int:
    """Days since 1970-01-01 (the integer form of Arrow's date32)."""
    return (date - EPOCH).days


def choice(rng: np.random.Generator, n: int, p) -> np.ndarray:
    """Indices 0..len(p)-1 drawn with probabilities p (vectorised inverse CDF)."""
    cdf = np.cumsum(np.asarray(p, dtype=float))
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(n), side="right").astype(np.int32)


def choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return (cdf < u[:, None]).sum(axis=1).astype(np.int32)


def labels(codes: np.ndarray, values, mask: np.ndarray | None = None) -> pa.Array:
    """A string column from integer codes into ``values`` (missing where ``mask`` is true)."""
    values = pa.array(list(values) if not isinstance(values, pa.Array) else values, pa.string())
    indices = pa.array(np.asarray(codes, dtype=np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, values).cast(pa.string())


def constant(value: str, n: int) -> pa.Array:
    """A string column of one repeated value."""
    return pa.repeat(pa.scalar(value, pa.string()), n)


def text(values) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, pa.string())


def join(*parts, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string columns (or scalars)."""
    return pc.binary_join_element_wise(
        *[text(p) if not isinstance(p, str) else p for p in parts], sep
    )


def digits(values: np.ndarray, width: int) -> pa.Array:
    """Zero-padded decimal text of integers."""
    return pc.utf8_lpad(pa.array(np.asarray(values)).cast(pa.string()), width, "0")


def where(cond: np.ndarray, a, b) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(cond, dtype=bool)), a, b)


def null_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.scalar(None, values.type), values)


def group_rank(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each group of equal keys (in the original order)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    start = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    run = np.zeros(len(keys), dtype=np.int64)
    run[start] = start
    run = np.maximum.accumulate(run)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys)) - run
    return rank


def to_date32(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), pa.int32(), mask=mask).cast(pa.date32())


def to_table(name: str, columns: dict) -> pa.Table:
    """Assemble a table in the schema's column order and types."""
    arrow = schema.arrow_schema(name)
    arrays = []
    for field in arrow:
        col = columns[field.name]
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if not isinstance(col, pa.Array):
            col = np.asarray(col)
            if field.type == pa.date32():
                col = to_date32(col)
            else:
                col = pa.array(col)
        if col.type != field.type:
            col = col.cast(field.type)
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=arrow)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p):
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))
