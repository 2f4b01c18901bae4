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
    """A check did not pass. The message says what is wrong and gives the question's hint.

    In a notebook it shows as its one-line message, not as a traceback into this module
    (IPython calls ``_render_traceback_``); nbgrader still sees an error and scores zero.
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


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


# =========================================================================== declared questions
#
# Since the declarative exercises.yml format, a question says *what is called* (a function, a SQL
# query held in a variable, or a value) and *on which cases* (data sets plus arguments). The same
# description drives three things:
#
# - the visible check ``check("Q6")`` (a :class:`Checker`): calls the learner's code on the course
#   data and on a second small data set with other arguments, and compares fingerprints;
# - the in-kernel hidden test ``checks.hidden_test({...})`` (plain ``nbgrader autograde``);
# - the trusted judge (``bootcamp.grading.judge``), which runs the same cases outside the kernel.

_REFERENCE_GLOBALS = ("pd", "np", "sqlite3", "checks", "data")


def _one_line(message: str) -> CheckFailed:
    """A failure whose message is one clear line (question label first)."""
    return CheckFailed(" ".join(message.split()))


COURSE_DATA = {"preset": "county"}


def dataset_key(spec: Mapping) -> str:
    """A stable name for a data set description (used for file names and caches)."""
    return json.dumps(dict(spec), sort_keys=True)


def _keep_mask(n: int, spec: Mapping) -> np.ndarray:
    """Which rows a ``keep`` fraction keeps: deterministic in the spec's seed."""
    rng = np.random.default_rng([int(spec.get("seed") or 0), 7919])
    return rng.random(n) < float(spec["keep"])


def open_dataset(spec: Mapping, data: Mapping) -> Any:
    """Open one test data set: a DataFrame (``data.kind: table``) or a read-only SQLite connection
    (``data.kind: database``). ``spec`` gives preset, seed and an optional ``keep`` fraction of the
    voters (varying the hidden data so that no typed-in answer fits every case)."""
    from bootcamp import data as course_data

    if spec is None:  # a question about a value needs no data set
        return None
    preset = spec.get("preset", "county")
    seed = spec.get("seed")
    if data.get("kind", "table") == "table":
        frame = course_data.load(data.get("table", "voters"), preset=preset, seed=seed)
        if spec.get("keep") is not None:
            frame = frame[_keep_mask(len(frame), spec)].reset_index(drop=True)
        return frame
    connection = course_data.connect(preset=preset, seed=seed)
    if spec.get("keep") is None:
        return connection
    copy = sqlite3.connect(":memory:")
    connection.backup(copy)
    connection.close()
    table = data.get("table", "voters")
    rowids = [r[0] for r in copy.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]
    mask = _keep_mask(len(rowids), spec)
    dropped = [(r,) for r, k in zip(rowids, mask, strict=True) if not k]
    copy.executemany(f"DELETE FROM {table} WHERE rowid = ?", dropped)
    copy.commit()
    return copy


def case_arguments(args: Any, dataset: Any) -> list[tuple]:
    """The extra arguments of each case: a list (each item one argument, or a list of several),
    or a Python expression evaluated with ``dataset`` bound to the case's data set."""
    if args is None:
        return [()]
    if isinstance(args, str):
        args = eval(args, {"dataset": dataset, "pd": pd, "np": np})  # trusted: the description
    return [tuple(a) if isinstance(a, list | tuple) else (a,) for a in args]


def plain(value: Any) -> Any:
    """numpy / pandas scalars as plain Python values (arguments written to JSON)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def reference_object(question: Mapping) -> Any:
    """The reference (a function, or the SQL text) made from the question's reference source."""
    if question["kind"] == "query":
        return question["reference"]
    namespace: dict = {"__name__": "__reference__"}
    exec("import sqlite3\nimport numpy as np\nimport pandas as pd\n", namespace)
    from bootcamp import data as course_data

    namespace.update(checks=__import__(__name__, fromlist=["x"]), data=course_data)
    if question["kind"] == "value":  # a value is computed from the notebook's setup
        exec(compile(question.get("setup", ""), "<setup>", "exec"), namespace)
    exec(compile(question["reference"], f"<reference {question['label']}>", "exec"), namespace)
    if question["kind"] == "value":
        return eval(question["name"], namespace)  # trusted: the description's expression
    return namespace[question["name"]]


def call_target(question: Mapping, target: Any, dataset: Any, args: tuple) -> Any:
    """Run the learner's (or the reference's) code on one case."""
    kind = question["kind"]
    if kind == "function":
        if isinstance(dataset, pd.DataFrame):
            dataset = dataset.copy()
        return target(dataset, *args)
    if kind == "query":
        if not isinstance(target, str) or not target.strip():
            raise _one_line(
                f"{question['label']}: the query is empty: write your SQL between the quotes "
                f"of {question['name']} and run the answer cell."
            )
        try:
            return pd.read_sql_query(target, dataset)
        except Exception as exc:
            message = str(exc)
            if message.startswith("Execution failed on sql") and "': " in message:
                message = message.rsplit("': ", 1)[1]  # the database's words, not the query
            raise _SQLError(message) from None
    return target


class _SQLError(Exception):
    """A learner's query did not run; carries the database's message."""


def sql_advice(message: str) -> str:
    """One next step for a database error message."""
    low = message.lower()
    if "misuse of aggregate" in low:
        return (
            "an aggregate such as COUNT(*) cannot go in WHERE (WHERE filters rows before they "
            "are counted); filter the groups with HAVING, after GROUP BY."
        )
    if "no such column" in low:
        return "check the column's spelling against the codebook (and put text values in quotes)."
    if "no such table" in low:
        return "the table is called voters; check its spelling."
    if "syntax error" in low or "incomplete input" in low:
        return (
            "check the commas between columns, the quotes around text values, and the order "
            "SELECT, FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT."
        )
    return "read the database's message above, fix the query and run the answer cell again."


def _has_float(value: Any) -> bool:
    if type(value) in _FLOAT_TYPES:
        return True
    if type(value) is pd.DataFrame:
        return any(pd.api.types.is_float_dtype(t) for t in value.dtypes)
    if type(value) is pd.Series:
        return pd.api.types.is_float_dtype(value.dtype)
    return False


def rounded_versions(value: Any) -> list[Any]:
    """``value`` rounded to 0..4 decimals (and as a whole number): the usual rounded answers."""
    if not _has_float(value):
        return []
    out = []
    for digits in range(5):
        if type(value) in _FLOAT_TYPES:
            out.append(round(float(value), digits))
        else:
            out.append(value.round(digits))
    return out


_ROUNDED = {
    False: "do not round: return the full value (round only when you display a result).",
    True: "do not round: leave out ROUND(...) so the query returns the full values.",
}


def describe_problem(
    got: Any, accepted: list[Any], *, ordered: bool, kind: str = "function"
) -> str | None:
    """None when ``got`` matches one of the ``accepted`` values; otherwise what is wrong, in one
    sentence with one next step, never quoting an accepted value."""
    got_canon = _canon(got, ordered=ordered)
    wants = [_canon(a, ordered=ordered) for a in accepted]
    if any(got_canon == w for w in wants):
        return None
    want = accepted[0]
    if got is None and want is not None:
        what = "your function" if kind == "function" else "your answer"
        return (
            f"{what} returned nothing (None): use `return` to hand back the result "
            "(print only shows it)."
        )
    for value in accepted:
        rounded = [_canon(r, ordered=ordered) for r in rounded_versions(value)]
        if got_canon in rounded:
            return _ROUNDED[kind == "query"]
    return _compare(got_canon, wants[0])


def _target(question: Mapping, namespace: Mapping) -> Any:
    name = question["name"]
    if question["kind"] == "value":
        try:
            return eval(name, dict(namespace))
        except NameError as exc:
            raise _one_line(
                f"{question['label']}: {exc}: run your answer cell first, then this check."
            ) from None
    if name not in namespace:
        raise _one_line(
            f"{question['label']}: `{name}` is not defined yet: run your answer cell first "
            "(keep the name as it is), then this check."
        )
    target = namespace[name]
    if question["kind"] == "function" and not callable(target):
        raise _one_line(
            f"{question['label']}: `{name}` should be a function (keep the `def` line), but it "
            f"is {_KIND_NAMES.get(_kind(target), 'something else')}."
        )
    return target


def learner_call(question: Mapping, target: Any, dataset: Any, args: tuple) -> Any:
    """Call the learner's code on one case, turning its errors into one clear message."""
    label = question["label"]
    try:
        return call_target(question, target, dataset, args)
    except CheckFailed:
        raise
    except _SQLError as exc:
        raise _one_line(
            f"{label}: your query did not run: {exc}. Next step: {sql_advice(str(exc))}"
        ) from None
    except NotImplementedError:
        raise _one_line(
            f"{label}: not answered yet: replace `raise NotImplementedError()` with your code, "
            "then run the answer cell and this check."
        ) from None
    except Exception as exc:
        raise _one_line(
            f"{label}: your code stopped with {type(exc).__name__}: {exc}. Fix that line, run "
            "the answer cell again, then this check."
        ) from None


def _case_text(number: int) -> str:
    """Where a visible case runs: case 1 is the course data, the others smaller test files."""
    if number == 1:
        return "on the course data"
    return "on a second, smaller test file"


class Checker:
    """The visible checks of one exercise notebook, built by ``bootcamp author``.

    The notebook's hidden helper cell makes ``check = checks.Checker(...)``; each check cell is
    one call, ``check("Q6")``. The data holds fingerprints only (never an answer) and the
    targeted hints, compressed, so the page shows no hint before the learner tries.
    """

    def __init__(self, assignment: str, blob: str):
        import base64
        import zlib

        self.assignment = assignment
        self._questions = json.loads(zlib.decompress(base64.b64decode(blob)).decode("utf-8"))

    @staticmethod
    def encode(questions: Mapping) -> str:
        import base64
        import zlib

        text = json.dumps(questions, sort_keys=True, separators=(",", ":"))
        return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")

    def labels(self) -> list[str]:
        return list(self._questions)

    def __call__(self, label: str, namespace: Mapping | None = None) -> None:
        if label not in self._questions:
            raise _one_line(f"no question {label!r} in this notebook ({', '.join(self.labels())})")
        question = self._questions[label]
        if namespace is None:
            import sys

            namespace = sys._getframe(1).f_globals
        target = _target(question, namespace)
        values = []
        for case in question["cases"]:
            dataset = open_dataset(case["data"], question["data"])
            try:
                values.append(learner_call(question, target, dataset, tuple(case["args"])))
            finally:
                if isinstance(dataset, sqlite3.Connection):
                    dataset.close()
        problem = self.verdict(label, values)
        if problem:
            raise _one_line(problem)
        print(f"{label} passed.")

    def verdict(self, label: str, values: list) -> str | None:
        """None when the learner's results (one per visible case) pass; otherwise the message.
        The trusted judge calls this outside the kernel with the results that came back."""
        question = self._questions[label]
        cases = question["cases"]
        got_fps = [fingerprint(v, ordered=question["ordered"]) for v in values]
        first_bad = next(
            (
                (number, value, fp, case)
                for number, (value, fp, case) in enumerate(
                    zip(values, got_fps, cases, strict=True), start=1
                )
                if fp not in case["accept"]
            ),
            None,
        )
        if first_bad is None:
            return None
        number, value, fp, case = first_bad
        for mistake in question.get("mistakes", []):
            if mistake["fps"] == got_fps:
                return f"{label}: not yet right: {mistake['message']}"
        if value is None:
            return (
                f"{label}: your code returned nothing (None): use `return` to hand back the "
                "result (print only shows it)."
            )
        if fp in case.get("rounded", []):
            return f"{label}: {_ROUNDED[question['kind'] == 'query']}"
        if number > 1 and got_fps[0] in cases[0]["accept"]:
            outside = question.get("outside", "voters")
            if question["kind"] == "query":
                return (
                    f"{label}: right on the course database but not on a second, smaller one: "
                    "write the conditions the question asks for, not values read off the screen."
                )
            given = "connection" if question["data"].get("kind") == "database" else "table"
            return (
                f"{label}: right on the course data but not {_case_text(number)} "
                f"(other data or other arguments): inside the function use only the {given} "
                f"and the arguments it receives, never the outside `{outside}` or a value "
                "typed in by hand."
            )
        what = _hashed_problem(fp, case["accept"][0])
        hint = question.get("hint")
        where = _case_text(number)
        return f"{label}: {where}, {what}" + (f" Hint: {hint}" if hint else "")


def _hashed_problem(got_fp: str, expected: str) -> str:
    _, kind, _, shape, labels, _ = expected.split(":")
    _, got_kind, _, got_shape, got_labels, _ = got_fp.split(":")
    if got_kind != kind:
        return _kind_message(got_kind, kind)
    if got_labels != labels:
        if kind == "DataFrame":
            return "the columns are not the ones the question asks for (check names and AS)."
        return "the keys are not the ones the question asks for."
    if got_shape != shape:
        return f"the number of {'rows' if kind == 'DataFrame' else 'items'} is not right."
    if kind in ("int", "float", "str", "bool", "none"):
        return "the value is not right."
    return "the size is right, but some values are not."


def hidden_cases(question: Mapping) -> list[tuple[Mapping, tuple]]:
    """Every (data set, arguments) pair of a question's hidden test."""
    pairs = []
    for spec in question["datasets"]:
        dataset = open_dataset(spec, question["data"])
        try:
            arguments = case_arguments(question.get("args"), dataset)
        finally:
            if isinstance(dataset, sqlite3.Connection):
                dataset.close()
        pairs += [(spec, tuple(plain(a) for a in args)) for args in arguments]
    return pairs


def expected_values(question: Mapping, reference: Any, dataset: Any, args: tuple) -> list[Any]:
    """The accepted results of one case (several when the question accepts ties)."""
    result = call_target(question, reference, dataset, args)
    if question.get("accept_any"):
        return list(result)
    return [result]


def hidden_test(question: Mapping, namespace: Mapping | None = None) -> None:
    """A hidden test run inside the kernel (plain ``nbgrader autograde``): the learner's code and
    the reference on every hidden case. Under ``bootcamp grade`` the trusted judge replaces this
    call and does the same outside the kernel."""
    if namespace is None:
        import sys

        namespace = sys._getframe(1).f_globals
    label = question["label"]
    target = _target(question, namespace)
    reference = reference_object(question)
    for number, (spec, args) in enumerate(hidden_cases(question), start=1):
        dataset = open_dataset(spec, question["data"])
        accepted = expected_values(question, reference, dataset, args)
        if isinstance(dataset, sqlite3.Connection):
            dataset.close()
            dataset = open_dataset(spec, question["data"])
        got = learner_call(question, target, dataset, args)
        problem = describe_problem(
            got, accepted, ordered=question["ordered"], kind=question["kind"]
        )
        if problem:
            hint = question.get("hint")
            raise _one_line(
                f"{label}: on hidden test case {number}, {problem}"
                + (f" Hint: {hint}" if hint else "")
            )
    print(f"{label}: hidden tests passed.")
