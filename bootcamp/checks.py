"""Checks that exercise test cells call.

Every check compares a *canonical form* of the learner's value with the canonical form of the
expected one: exact kind (a whole number, a DataFrame, ...), then shape and columns, then the
values. Comparing canonical forms instead of calling ``==`` means an object whose ``__eq__``
always returns True cannot pass, and a failure can say *which* part is wrong without printing
the expected answer.

Two ways to state the expected answer:

- ``check_hashed(value, "bc1:...")`` for visible tests: the notebook only holds a fingerprint
  (hashes) of the right answer, so self-paced learners can check their work without seeing it.
- ``check_equal(actual, expected)`` for hidden tests, where a reference implementation inside the
  hidden test computes ``expected`` on another seed of the data.

Failures raise :class:`CheckFailed` (an ``AssertionError``); nbgrader scores the test cell zero.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CheckFailed",
    "check_equal",
    "check_function",
    "check_hashed",
    "check_sql",
    "fingerprint",
    "run_sql",
]

#: Fingerprint format version; bump if canonicalization changes.
_VERSION = "bc1"
#: Significant digits kept when comparing floating-point numbers.
SIG_DIGITS = 6


class CheckFailed(AssertionError):
    """A check did not pass. The message says what is wrong and gives the question's hint."""


# --------------------------------------------------------------------------- canonical forms

_INT_TYPES = (int, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
_FLOAT_TYPES = (float, np.float16, np.float32, np.float64)

_KIND_NAMES = {
    "int": "a whole number (int)",
    "float": "a decimal number (float)",
    "str": "text (str)",
    "bool": "True or False (bool)",
    "none": "None",
    "DataFrame": "a pandas DataFrame",
    "Series": "a pandas Series",
    "list": "a list",
    "set": "a set",
    "dict": "a dict",
}


@dataclass(frozen=True)
class _Canon:
    """A value reduced to plain strings: its kind, its shape, its labels and its values."""

    kind: str
    shape: str = ""
    labels: str = ""
    values: str = ""


def _kind(value: Any) -> str:
    t = type(value)  # exact types only: subclasses can override __eq__ / __hash__
    if t is bool or t is np.bool_:
        return "bool"
    if t in _INT_TYPES:
        return "int"
    if t in _FLOAT_TYPES:
        return "float"
    if t is str:
        return "str"
    if value is None:
        return "none"
    if t is pd.DataFrame:
        return "DataFrame"
    if t is pd.Series:
        return "Series"
    if t in (list, tuple, np.ndarray):
        return "list"
    if t in (set, frozenset):
        return "set"
    if t is dict:
        return "dict"
    return f"other={t.__module__}.{t.__qualname__}"


def _scalar(value: Any) -> str:
    """One cell or element as text; numbers rounded so 0.1 + 0.2 equals 0.3."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "<NA>"
    t = type(value)
    if t is bool or t is np.bool_:
        return "True" if value else "False"
    if t in _INT_TYPES:
        return str(int(value))
    if t in _FLOAT_TYPES:
        f = float(value)
        if math.isnan(f):
            return "<NA>"
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return format(f, f".{SIG_DIGITS}g")
    if t is str:
        return "s:" + str.__str__(value)
    if isinstance(value, pd.Timestamp | np.datetime64):
        return "t:" + pd.Timestamp(value).isoformat()
    if isinstance(value, list | tuple | np.ndarray):
        return "[" + ",".join(_scalar(v) for v in value) + "]"
    # Anything else must match by type name and str(); never by its own __eq__.
    return f"o:{t.__qualname__}:{value!s}"


def _canon_frame(frame: pd.DataFrame, *, ordered: bool) -> _Canon:
    columns = [str(c) for c in frame.columns]
    order = sorted(range(len(columns)), key=lambda i: columns[i])
    cols = [[_scalar(v) for v in frame.iloc[:, i].tolist()] for i in order]
    rows = [json.dumps([col[r] for col in cols]) for r in range(len(frame))]
    if not ordered:
        rows.sort()
    return _Canon(
        kind="DataFrame",
        shape=f"rows={len(frame)}",
        labels=json.dumps(sorted(columns)),
        values="\n".join(rows),
    )


def _canon(value: Any, *, ordered: bool = True) -> _Canon:
    kind = _kind(value)
    if kind in ("int", "float", "str", "bool", "none"):
        return _Canon(kind=kind, values=_scalar(value))
    if kind == "DataFrame":
        return _canon_frame(value, ordered=ordered)
    if kind == "Series":
        values = [_scalar(v) for v in value.tolist()]
        if not ordered:
            values.sort()
        return _Canon(kind=kind, shape=f"len={len(values)}", values=json.dumps(values))
    if kind == "list":
        values = [_scalar(v) for v in list(value)]
        if not ordered:
            values.sort()
        return _Canon(kind=kind, shape=f"len={len(values)}", values=json.dumps(values))
    if kind == "set":
        values = sorted(_scalar(v) for v in value)
        return _Canon(kind=kind, shape=f"len={len(values)}", values=json.dumps(values))
    if kind == "dict":
        items = sorted((_scalar(k), _scalar(v)) for k, v in value.items())
        return _Canon(
            kind=kind,
            shape=f"len={len(items)}",
            labels=json.dumps([k for k, _ in items]),
            values=json.dumps(items),
        )
    return _Canon(kind=kind, values=_scalar(value))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprint(value: Any, *, ordered: bool = True) -> str:
    """A string that identifies ``value`` without revealing it, for :func:`check_hashed`.

    ``ordered=False`` ignores row order (DataFrame, Series, list): use it when the question does
    not ask for a sort order. Floats are compared to 6 significant digits; a DataFrame's index
    and column order are ignored; column names, row count and every value count.
    """
    c = _canon(value, ordered=ordered)
    flags = "" if ordered else "u"
    parts = [_VERSION, c.kind, flags, _digest(c.shape), _digest(c.labels), _digest(c.values)]
    return ":".join(parts)


# --------------------------------------------------------------------------- failures


def _fail(what: str, hint: str | None, question: str | None) -> CheckFailed:
    prefix = f"{question}: " if question else ""
    message = f"{prefix}{what}"
    if hint:
        message += f" Hint: {hint}"
    return CheckFailed(message)


def _kind_message(got: str, want: str) -> str:
    got_name = _KIND_NAMES.get(got, f"an object of type {got.removeprefix('other=')}")
    want_name = _KIND_NAMES.get(want, f"an object of type {want.removeprefix('other=')}")
    return f"expected {want_name}, but got {got_name}."


def _compare(got: _Canon, want: _Canon) -> str | None:
    """Describe the first difference between two canonical forms, never quoting ``want``."""
    if got.kind != want.kind:
        return _kind_message(got.kind, want.kind)
    if got.labels != want.labels:
        if got.kind == "DataFrame":
            return (
                "the columns are not the ones the question asks for "
                f"(you have {', '.join(json.loads(got.labels)) or 'none'})."
            )
        return "the keys are not the ones the question asks for."
    if got.shape != want.shape:
        unit = "rows" if got.kind == "DataFrame" else "items"
        return f"the number of {unit} is not right."
    if got.values != want.values:
        if got.kind in ("int", "float", "str", "bool", "none"):
            return "the value is not right."
        return "the size is right, but some values are not."
    return None


# --------------------------------------------------------------------------- public checks


def check_hashed(
    value: Any,
    expected: str,
    *,
    hint: str | None = None,
    mistakes: Mapping[str, str] | None = None,
    question: str | None = None,
) -> None:
    """Pass if ``value`` has the fingerprint ``expected`` (made by :func:`fingerprint`).

    ``mistakes`` maps fingerprints of known wrong answers to a hint aimed at that mistake;
    it is filled in by ``bootcamp author`` from the chapter's wrong-answers.yml.
    """
    try:
        version, kind, flags, shape, labels, values = expected.split(":")
    except ValueError:
        raise ValueError(f"not a fingerprint made by checks.fingerprint: {expected!r}") from None
    if version != _VERSION:
        raise ValueError(f"fingerprint version {version!r} is not {_VERSION!r}; rebuild it")
    got_fp = fingerprint(value, ordered="u" not in flags)
    if got_fp == expected:
        # learners working alone need to see a success, not just the absence of an error
        print(f"{question or 'This check'} passed.")
        return
    if mistakes and got_fp in mistakes:
        raise _fail("not yet right.", mistakes[got_fp], question)
    _, got_kind, _, got_shape, got_labels, _ = got_fp.split(":")
    if got_kind != kind:
        raise _fail(_kind_message(got_kind, kind), hint, question)
    if got_labels != labels:
        what = (
            "the columns are not the ones the question asks for."
            if kind == "DataFrame"
            else "the keys are not the ones the question asks for."
        )
        raise _fail(what, hint, question)
    if got_shape != shape:
        unit = "rows" if kind == "DataFrame" else "items"
        raise _fail(f"the number of {unit} is not right.", hint, question)
    if kind in ("int", "float", "str", "bool", "none"):
        raise _fail("the value is not right.", hint, question)
    raise _fail("the size is right, but some values are not.", hint, question)


def check_equal(
    actual: Any,
    expected: Any,
    *,
    ordered: bool = True,
    hint: str | None = None,
    question: str | None = None,
) -> None:
    """Pass if ``actual`` matches ``expected`` in kind, shape, labels and values.

    Used in hidden tests with ``expected`` from a reference implementation. The message never
    contains ``expected``. Same rules as :func:`fingerprint` (floats to 6 significant digits,
    DataFrame index and column order ignored, ``ordered=False`` ignores row order).
    """
    problem = _compare(_canon(actual, ordered=ordered), _canon(expected, ordered=ordered))
    if problem:
        raise _fail(problem, hint, question)


def check_function(
    function: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Iterable[tuple | Mapping],
    *,
    ordered: bool = True,
    hint: str | None = None,
    question: str | None = None,
) -> None:
    """Call ``function`` and ``reference`` on each case and require equal results.

    A case is a tuple of positional arguments or a mapping of keyword arguments. Use cases built
    from other seeds of the data (``data.load("voters", preset="tiny", seed=11)``) so an answer
    hard-coded for the course data fails.
    """
    if not callable(function):
        raise _fail(
            f"expected a function, but got {_KIND_NAMES.get(_kind(function), 'something else')}.",
            hint,
            question,
        )
    for number, case in enumerate(cases, start=1):
        args, kwargs = ((), dict(case)) if isinstance(case, Mapping) else (tuple(case), {})
        expected = reference(*args, **kwargs)
        actual = function(*args, **kwargs)
        problem = _compare(_canon(actual, ordered=ordered), _canon(expected, ordered=ordered))
        if problem:
            raise _fail(f"on test data set {number}, {problem}", hint, question)


def run_sql(query: str, connection: sqlite3.Connection) -> pd.DataFrame:
    """Run a learner's query and return its result set (a DataFrame)."""
    if not isinstance(query, str) or not query.strip():
        raise CheckFailed("the query is empty: write your SQL between the quotes.")
    try:
        return pd.read_sql_query(query, connection)
    except Exception as exc:  # the database's own message is the most useful hint
        raise CheckFailed(f"the query did not run: {exc}") from None


def check_sql(
    query: str,
    connection: sqlite3.Connection,
    expected: str | pd.DataFrame,
    *,
    ordered: bool = False,
    hint: str | None = None,
    question: str | None = None,
) -> None:
    """Grade a SQL answer on its result set, not its text.

    ``expected`` is either a fingerprint (visible tests: ``fingerprint(df, ordered=False)``) or a
    DataFrame, typically from running a reference query in a hidden test. Row order only counts
    with ``ordered=True`` (questions that ask for ORDER BY); column order never counts, column
    names do (use AS to name computed columns).
    """
    result = run_sql(query, connection)
    if isinstance(expected, str):
        check_hashed(result, expected, hint=hint, question=question)
    else:
        check_equal(result, expected, ordered=ordered, hint=hint, question=question)
