"""The kernel side of the trusted judge (``bootcamp.grading.judge``).

Under ``bootcamp grade`` each autograded test cell is replaced by one call, ``record("Q6")``. It
runs the learner's function or query on the visible check's and the hidden test's inputs the
judge wrote to ``$BOOTCAMP_INBOX`` (data sets as Parquet / SQLite files, arguments as JSON; the
course data is read from the read-only datasets folder) and writes the plain results to
``$BOOTCAMP_OUTBOX`` (JSON, and Parquet for tables; never pickle). Nothing here
knows the right answers or compares anything: the judge does that outside the kernel, so
replacing or patching this module can only lose the learner's own marks.

The encoding (:func:`encode` / :func:`decode`) keeps each value's exact kind, because the
canonical comparison in :mod:`bootcamp.checks` checks kinds (a whole number, text, a table ...).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
_MAX_TEXT = 2000


def _tag(value: Any) -> Any:
    """One scalar (or a small nested list) as JSON with its exact kind."""
    import numpy as np
    import pandas as pd

    t = type(value)
    if value is None:
        return {"n": 1}
    if t is bool or t is np.bool_:
        return {"b": bool(value)}
    if t is int or (isinstance(value, np.integer) and t.__module__ == "numpy"):
        return {"i": str(int(value))}
    if t is float or t in (np.float16, np.float32, np.float64):
        f = float(value)
        return {"f": "nan" if math.isnan(f) else repr(f)}
    if t is str:
        return {"s": value}
    if value is pd.NA or value is pd.NaT:
        return {"na": 1}
    if t is pd.Timestamp or t is np.datetime64:
        return {"t": pd.Timestamp(value).isoformat()}
    if t in (list, tuple, np.ndarray):
        return {"l": [_tag(v) for v in list(value)]}
    return {"o": f"{t.__module__}.{t.__qualname__}", "r": _safe_str(value)}


def _safe_str(value: Any) -> str:
    try:
        return str(value)[:_MAX_TEXT]
    except Exception:
        return "?"


def _untag(item: Any) -> Any:
    import numpy as np
    import pandas as pd

    if "n" in item:
        return None
    if "b" in item:
        return bool(item["b"])
    if "i" in item:
        return int(item["i"])
    if "f" in item:
        return float(item["f"])
    if "s" in item:
        return str(item["s"])
    if "na" in item:
        return pd.NA
    if "t" in item:
        return pd.Timestamp(item["t"])
    if "l" in item:
        return [_untag(v) for v in item["l"]]
    # an object of a kind no question asks for: rebuilt as a stand-in of that type's name, so
    # the comparison reports "expected ..., but got an object of type ..."
    module, _, name = str(item.get("o", "object")).rpartition(".")
    text = str(item.get("r", ""))[:_MAX_TEXT]
    stand_in = type(name or "object", (), {"__str__": lambda self: text})
    stand_in.__module__ = module or "builtins"
    del np
    return stand_in()


def encode(value: Any, base: Path) -> None:
    """Write ``value`` as ``base.json`` (plus ``base.parquet`` for a DataFrame or Series)."""
    import pandas as pd

    t = type(value)
    record: dict[str, Any]
    if t is pd.DataFrame or t is pd.Series:
        frame = value.to_frame(name="value") if t is pd.Series else value
        columns = [str(c) for c in frame.columns]
        record = {"kind": "DataFrame" if t is pd.DataFrame else "Series", "columns": columns}
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq

            plain = frame.reset_index(drop=True)
            plain.columns = [f"c{i}" for i in range(len(columns))]
            pq.write_table(pa.Table.from_pandas(plain, preserve_index=False), f"{base}.parquet")
            record["parquet"] = f"{base.name}.parquet"
        except Exception:  # mixed or unusual columns: every cell as tagged JSON instead
            record["rows"] = [[_tag(v) for v in row] for row in frame.itertuples(index=False)]
    elif t in (set, frozenset):
        record = {"kind": "set", "items": [_tag(v) for v in value]}
    elif t is dict:
        record = {"kind": "dict", "items": [[_tag(k), _tag(v)] for k, v in value.items()]}
    else:
        record = {"kind": "value", "value": _tag(value)}
    Path(f"{base}.json").write_text(json.dumps(record), encoding="utf-8")


def decode(base: Path, *, max_bytes: int = 50_000_000) -> Any:
    """Read a value written by :func:`encode` (in the judge, outside the kernel)."""
    import pandas as pd

    path = Path(f"{base}.json")
    if path.stat().st_size > max_bytes:
        raise ValueError("the result is too large")
    record = json.loads(path.read_text(encoding="utf-8"))
    kind = record.get("kind")
    if kind in ("DataFrame", "Series"):
        columns = [str(c) for c in record["columns"]]
        if "parquet" in record:
            parquet = base.parent / Path(record["parquet"]).name
            if parquet.stat().st_size > max_bytes:
                raise ValueError("the result is too large")
            from bootcamp.data import read

            frame = read(parquet.parent, parquet.stem)
            frame.columns = columns
        else:
            frame = pd.DataFrame(
                [[_untag(v) for v in row] for row in record["rows"]], columns=columns
            )
        return frame.iloc[:, 0].rename(None) if kind == "Series" else frame
    if kind == "set":
        return {_hashable(_untag(v)) for v in record["items"]}
    if kind == "dict":
        return {_hashable(_untag(k)): _untag(v) for k, v in record["items"]}
    if kind == "value":
        value = _untag(record["value"])
        return value
    raise ValueError(f"unknown result kind {kind!r}")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def open_case(inbox: Path, case: dict) -> Any:
    """A case's data set, as the learner's code receives it."""
    if case.get("format") == "course":  # the course data, read-only in the sandbox
        from bootcamp import checks

        return checks.open_dataset(case["dataset"], case["data"])
    if case.get("file") is None:
        return None
    path = inbox / case["file"]
    if case["format"] == "database":
        return sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
    from bootcamp.data import read

    return read(path.parent, path.stem)


def _call(question: dict, namespace: dict, dataset: Any, args: list) -> Any:
    import pandas as pd

    name = question["name"]
    if question["kind"] == "value":
        return eval(name, namespace)
    if name not in namespace:
        raise NameError(f"name {name!r} is not defined")
    target = namespace[name]
    if question["kind"] == "query":
        if not isinstance(target, str):
            raise TypeError(f"{name} should be the text of a query (in quotes)")
        return pd.read_sql_query(target, dataset)
    return target(dataset, *args)


def record(label: str, namespace: dict | None = None) -> None:
    """Run the learner's code for question ``label`` on every hidden case; write the results."""
    inbox = Path(os.environ["BOOTCAMP_INBOX"])
    outbox = Path(os.environ["BOOTCAMP_OUTBOX"])
    manifest = json.loads((inbox / MANIFEST).read_text(encoding="utf-8"))
    question = manifest["questions"][label]
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    folder = outbox / question["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    runs = [(f"visible-{n}", case) for n, case in enumerate(question.get("visible", []))]
    runs += [(f"case-{n}", case) for n, case in enumerate(question["cases"])]
    for name, case in runs:
        base = folder / name
        dataset = None
        try:
            dataset = open_case(inbox, case)
            value = _call(question, namespace, dataset, list(case["args"]))
            encode(value, base)
        except BaseException as exc:  # the learner's error is their result for this case
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            error = {"error": type(exc).__name__, "message": _safe_str(exc)[:500]}
            Path(f"{base}.json").write_text(json.dumps(error), encoding="utf-8")
        finally:
            if isinstance(dataset, sqlite3.Connection):
                dataset.close()
    print(f"{label}: answer recorded; the grader checks it outside this notebook.")
