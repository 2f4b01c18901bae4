"""The scale lesson's measurements (chapter 11, "When the file outgrows a laptop").

The lesson runs chapters 2-3's SQL on the course file as it builds; the measurements on the
``state`` preset (7.6 million registrants) take minutes and need Spark and Java, so they are made
here, once, by ``make scale``, and written to ``bootcamp/scale-results.json``, which
the lesson reads and shows::

    python -m bootcamp.scale                      # the state preset: what the book shows
    python -m bootcamp.scale --size 20000 --out F # a small state-like file (the drift test)

Each measurement that needs its own peak memory (pandas at each size, DuckDB on the state file)
runs in a fresh Python process. The file also holds a small *check run* (the same pipeline on a
state-like file of ``CHECK_SIZE`` registrants): ``tests/book/test_ch11_scale.py`` reruns it and
fails when its results (not its timings) differ from the committed ones.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bootcamp.errors import BootcampError
from bootcamp.paths import CHAPTERS_DIR, REPO_ROOT

RESULTS = Path(__file__).with_name("scale-results.json")  # package data: runnable copies need it
LESSON = CHAPTERS_DIR / "11-capstone" / "03-when-the-file-outgrows-a-laptop.md"
#: Registrants of the small state-like file the drift test reruns.
CHECK_SIZE = 20_000
#: The county whose files the partitioned Spark query reads (a small, rural one).
PARTITION_COUNTY = "OSPREY"

#: Chapter 2's count by party, word for word: the same SQL on SQLite, DuckDB and Spark.
PARTY_SQL = """
SELECT party_cd, COUNT(*) AS active_voters
FROM voters
WHERE status_cd = 'A'
GROUP BY party_cd
ORDER BY active_voters DESC
"""

#: Chapter 3's turnout with a join, by county instead of by precinct.
TURNOUT_SQL = """
WITH registered AS (
    SELECT ncid, county_desc
    FROM voters
    WHERE status_cd IN ('A', 'I')
),
voted AS (
    SELECT DISTINCT ncid
    FROM vote_history
    WHERE election_lbl = '11/03/2026'
)
SELECT r.county_desc,
       COUNT(*) AS registered,
       COUNT(v.ncid) AS voted,
       100.0 * COUNT(v.ncid) / COUNT(*) AS turnout_pct
FROM registered AS r
LEFT JOIN voted AS v ON r.ncid = v.ncid
GROUP BY r.county_desc
ORDER BY turnout_pct DESC
"""

#: The count by party of one county, on the voter file written in one folder per county.
COUNTY_PARTY_SQL = f"""
SELECT party_cd, COUNT(*) AS active_voters
FROM voters_by_county
WHERE status_cd = 'A' AND county_desc = '{PARTITION_COUNTY}'
GROUP BY party_cd
ORDER BY active_voters DESC
"""

QUERIES = {"party": PARTY_SQL, "turnout": TURNOUT_SQL}


# -- helpers ----------------------------------------------------------------------------------


def same_sql(a: str, b: str) -> bool:
    """Two SQL texts equal up to spacing (the lesson's cell and this module's constant)."""
    return " ".join(a.split()) == " ".join(b.split())


def _records(frame) -> list[dict]:
    """A small result table as JSON records (Spark's decimals and numpy's numbers made plain)."""
    return [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]


def _plain(value):
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def same_results(a: list[dict], b: list[dict]) -> bool:
    """Two engines' answers agree: same rows in the same order, counts equal, rates to 1e-4."""
    if len(a) != len(b):
        return False
    for row_a, row_b in zip(a, b, strict=True):
        if row_a.keys() != row_b.keys():
            return False
        for key, value in row_a.items():
            other = row_b[key]
            if isinstance(value, float) or isinstance(other, float):
                if abs(value - other) > 1e-4:
                    return False
            elif value != other:
                return False
    return True


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB: Linux's ``VmHWM``, which starts afresh
    with each program (``getrusage``'s ``ru_maxrss`` would carry over the parent's peak)."""
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    if match:
        return int(match.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_child(*args: str) -> dict:
    """Run one measurement in a fresh Python (its own peak memory); its JSON answer."""
    proc = subprocess.run(
        [sys.executable, "-m", "bootcamp.scale", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BootcampError(f"measurement {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _folder_mb(folder: Path, names: tuple[str, ...]) -> float:
    return sum((folder / f"{name}.parquet").stat().st_size for name in names) / 1e6


# -- pandas: one size per process ---------------------------------------------------------------


def pandas_point(folder: Path) -> dict:
    """Load voters and vote history with pandas (all columns, as a lesson does) and compute turnout
    by county as chapter 3 would in pandas: rows, memory of the frames, peak memory, time."""
    from bootcamp import data

    start = time.perf_counter()
    voters = data.read(folder, "voters")
    history = data.read(folder, "vote_history")
    loaded = time.perf_counter()
    registered = voters[voters["status_cd"].isin(["A", "I"])]
    voted = history.loc[history["election_lbl"] == "11/03/2026", "ncid"].drop_duplicates()
    registered = registered.assign(voted=registered["ncid"].isin(voted))
    turnout = registered.groupby("county_desc")["voted"].agg(["size", "sum"])
    done = time.perf_counter()
    return {
        "registrants": len(voters),
        "history_rows": len(history),
        "registered": int(turnout["size"].sum()),
        "voted": int(turnout["sum"].sum()),
        "frame_mb": round(
            (voters.memory_usage(deep=True).sum() + history.memory_usage(deep=True).sum()) / 1e6,
            3,
        ),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "load_seconds": round(loaded - start, 3),
        "query_seconds": round(done - loaded, 3),
    }


#: Registrants in the slices of the state file pandas is given (about: whole precincts).
PANDAS_SLICES = (150_000, 400_000, 1_200_000)


def pandas_slices(folder: Path) -> list[tuple[str, list[str]]]:
    """Slices of the state file of about ``PANDAS_SLICES`` registrants each, whole precincts in
    code order (county by county): (label, precincts). Bigger slices would take the shared
    machine's memory from everyone else on it."""
    import duckdb

    sizes = duckdb.sql(
        f"SELECT precinct_abbrv, COUNT(*) AS n FROM read_parquet('{folder / 'voters.parquet'}') "
        "GROUP BY precinct_abbrv ORDER BY precinct_abbrv"
    ).fetchall()
    slices = []
    for target in PANDAS_SLICES:
        chosen, total = [], 0
        for precinct, n in sizes:
            if total >= target:
                break
            chosen.append(precinct)
            total += n
        slices.append((f"{len(chosen)} precincts", chosen))
    return slices


def pandas_on_slices(folder: Path) -> list[dict]:
    """pandas on each slice of the state file, each slice first written to its own Parquet files
    (so the measured process loads a whole, small dataset, as a learner would)."""
    import pyarrow.parquet as pq

    points = []
    for label, precincts in pandas_slices(folder):
        print(f"    pandas on {label} of the state file", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="bootcamp-slice-") as tmp:
            for name, column in (("voters", "precinct_abbrv"), ("vote_history", "pct_label")):
                table = pq.read_table(
                    folder / f"{name}.parquet", filters=[(column, "in", precincts)]
                )
                pq.write_table(table, Path(tmp) / f"{name}.parquet")
                del table
            points.append(
                {"label": label, "precincts": len(precincts)} | _run_child("_pandas", tmp)
            )
    return points


# -- DuckDB: over the Parquet files ---------------------------------------------------------------


def duckdb_connect(folder: Path):
    """An in-memory DuckDB whose views ``voters`` and ``vote_history`` read the Parquet files."""
    import duckdb

    con = duckdb.connect()
    for table in ("voters", "vote_history"):
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder / table}.parquet')"
        )
    return con


def duckdb_point(folder: Path) -> dict:
    """Chapters 2-3's queries with DuckDB on one dataset: results, times, peak memory."""
    start = time.perf_counter()
    con = duckdb_connect(folder)
    out = {"results": {}, "seconds": {}}
    for name, sql in QUERIES.items():
        t0 = time.perf_counter()
        out["results"][name] = _records(con.sql(sql).df())
        out["seconds"][name] = round(time.perf_counter() - t0, 3)
    out["seconds"]["total"] = round(time.perf_counter() - start, 3)
    out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    out["threads"] = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    return out


# -- Spark: local mode, the step to a cluster ------------------------------------------------


def spark_point(folder: Path) -> dict:
    """Chapters 2-3's queries on Spark (local mode, every core): results, plans, times; then the
    voter file written one folder per county and one county's count, with its plan.

    The lesson shows the lines between ``SparkSession.builder`` and ``frame.explain()`` as they are
    here (a test checks it): keep them plain.
    """
    import warnings

    from pyspark.sql import SparkSession

    # PySpark 4.3 warns that it does not fully support pandas 3; toPandas() of these small
    # answers (text, whole numbers, decimals) is checked against DuckDB's instead
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # set before Java starts: the driver's heap, and no web UI
    os.environ["PYSPARK_SUBMIT_ARGS"] = (
        "--driver-memory 4g --conf spark.ui.enabled=false "
        "--conf spark.ui.showConsoleProgress=false pyspark-shell"
    )
    t0 = time.perf_counter()
    spark = SparkSession.builder.master("local[*]").appName("bootcamp-scale").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.shuffle.partitions", "8")
    out = {"results": {}, "seconds": {"start": round(time.perf_counter() - t0, 3)}, "plans": {}}
    voters = spark.read.parquet(str(folder / "voters.parquet"))
    history = spark.read.parquet(str(folder / "vote_history.parquet"))
    voters.createOrReplaceTempView("voters")
    history.createOrReplaceTempView("vote_history")
    out["input_partitions"] = {
        "voters": voters.rdd.getNumPartitions(),
        "vote_history": history.rdd.getNumPartitions(),
    }
    for name, sql in QUERIES.items():
        t1 = time.perf_counter()
        frame = spark.sql(sql)
        out["results"][name] = _records(frame.toPandas())
        out["seconds"][name] = round(time.perf_counter() - t1, 3)
        out["plans"][name] = _explain(frame)
    with tempfile.TemporaryDirectory(prefix="bootcamp-spark-") as tmp:
        lake = Path(tmp) / "voters_by_county"
        t1 = time.perf_counter()
        voters.write.partitionBy("county_desc").parquet(str(lake))
        out["seconds"]["write_by_county"] = round(time.perf_counter() - t1, 3)
        out["county_folders"] = sorted(p.name for p in lake.iterdir() if p.is_dir())
        spark.read.parquet(str(lake)).createOrReplaceTempView("voters_by_county")
        t1 = time.perf_counter()
        frame = spark.sql(COUNTY_PARTY_SQL)
        out["results"]["county_party"] = _records(frame.toPandas())
        out["seconds"]["county_party"] = round(time.perf_counter() - t1, 3)
        out["plans"]["county_party"] = _explain(frame)
    out["cores"] = spark.sparkContext.defaultParallelism
    out["version"] = spark.version
    out["peak_rss_mb"] = _java_peak_mb(spark)
    spark.stop()
    return out


def _explain(frame) -> str:
    """The physical plan Spark prints for a query (``frame.explain()``), without this machine's
    paths."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        frame.explain()
    text = buffer.getvalue().strip()
    # after the query has run, Spark prints the final plan and then the initial one: keep the final
    text = text.split("+- == Initial Plan ==")[0].rstrip()
    text = text.replace(f"file:{REPO_ROOT}/", "").replace(f"{REPO_ROOT}/", "")
    return re.sub(r"(file:)?/tmp/bootcamp-spark-[^/]*/", "", text)


def _java_peak_mb(spark) -> float | None:
    """Peak resident memory of Spark's Java process (Linux ``VmHWM``), in MB."""
    try:
        pid = spark.sparkContext._gateway.proc.pid
        status = Path(f"/proc/{pid}/status").read_text()
    except (AttributeError, OSError):
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return round(int(match.group(1)) / 1024, 1) if match else None


# -- the whole run ------------------------------------------------------------------------------


def _java_version() -> str | None:
    try:
        proc = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    first = (proc.stderr or proc.stdout).splitlines()
    return first[0].strip() if first else None


def data_folder(preset: str, size: int | None = None) -> Path:
    from bootcamp import data

    return data.path(preset, size=size, formats=("parquet",))


def pandas_curve(folder: Path, full_state: bool) -> list[dict]:
    """pandas on the tiny preset, the course file and (for the full state) slices of ``folder``."""
    from bootcamp import data

    print(f"==> pandas at each size ({folder.name})", file=sys.stderr)
    points = []
    for label, preset_name in (("tiny", "tiny"), ("county", "county")):
        small = data.path(preset_name, formats=("parquet",))
        points.append({"label": label} | _run_child("_pandas", str(small)))
    if full_state:
        points += pandas_on_slices(folder)
    return points


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def measure(preset: str = "state", size: int | None = None, spark: bool = True) -> dict:
    """Every measurement on one dataset (generated first when missing)."""
    import duckdb
    import pandas as pd

    from bootcamp import data
    from bootcamp.synth.config import DEFAULT_SEED, generator_version

    folder = data.path(preset, size=size, formats=("parquet",))
    manifest = json.loads((folder / "manifest.json").read_text())
    out: dict = {
        "dataset": {
            "preset": preset,
            "size": size,
            "seed": DEFAULT_SEED,
            "folder": folder.name,
            "generator_version": generator_version(),
            "rows": {name: manifest["rows"][name] for name in ("voters", "vote_history")},
            "parquet_mb": round(_folder_mb(folder, ("voters", "vote_history")), 1),
        },
        "sql": dict(QUERIES, county_party=COUNTY_PARTY_SQL),
    }
    out["pandas"] = pandas_curve(folder, full_state=preset == "state" and size is None)
    print("==> DuckDB", file=sys.stderr)
    out["duckdb"] = _run_child("_duckdb", str(folder))
    if spark:
        print("==> Spark (local mode)", file=sys.stderr)
        out["spark"] = spark_point(folder)
    out["versions"] = {
        "pandas": pd.__version__,
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "java": _java_version() if spark else None,
    }
    return out


def run(preset: str = "state", size: int | None = None, spark: bool = True) -> dict:
    """The committed results file: the measurements, the check run and the machine they ran on."""
    start = time.perf_counter()
    results = measure(preset, size, spark)
    print(f"==> The check run ({CHECK_SIZE:,} registrants, state-like)", file=sys.stderr)
    results["check"] = measure("state", CHECK_SIZE, spark)
    load = os.getloadavg()
    results["machine"] = {
        "measured_at": _now(),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(terse=True),
        "load_average": round(load[0], 1),
        "run_seconds": round(time.perf_counter() - start, 1),
    }
    return results


#: Fields that depend on the machine or the moment, not on the data and the code.
TIMING_KEYS = {
    "seconds",
    "load_seconds",
    "query_seconds",
    "peak_rss_mb",
    "plans",
    "cores",
    "threads",
    "input_partitions",
    "machine",
    "versions",
    "parquet_mb",
}


def stable(results: dict) -> dict:
    """The results without timings, memory and machine: what a fresh run must reproduce."""
    if isinstance(results, dict):
        return {k: stable(v) for k, v in results.items() if k not in TIMING_KEYS}
    if isinstance(results, list):
        return [stable(v) for v in results]
    return results


def invalidate_lesson_cache(build_dir: Path = REPO_ROOT / "_build") -> int:
    """Drop the lesson's executed copy from the book's cache (the notebook's code is unchanged,
    so the cache would otherwise serve the old results): the next build shows the new ones."""
    cache_dir = build_dir / ".jupyter_cache"
    if not cache_dir.exists():
        return 0
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    removed = 0
    for record in cache.list_cache_records():
        if record.uri and Path(record.uri).name == LESSON.name:
            cache.remove_cache(record.pk)
            removed += 1
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bootcamp.scale", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("_pandas")
    child.add_argument("folder", type=Path)
    child = sub.add_parser("_duckdb")
    child.add_argument("folder", type=Path)
    parser.add_argument("--preset", default="state")
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--no-spark", action="store_true", help="skip Spark (no Java needed)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"default: {RESULTS}")
    parser.add_argument(
        "--only-local",
        action="store_true",
        help="remeasure only pandas and DuckDB (not Spark) on the state preset into the existing "
        "--out file",
    )
    args = parser.parse_args(argv)
    if args.command == "_pandas":
        print(json.dumps(pandas_point(args.folder)))
        return 0
    if args.command == "_duckdb":
        print(json.dumps(duckdb_point(args.folder)))
        return 0
    if args.only_local:
        results = json.loads(args.out.read_text())
        folder = data_folder("state")
        results["pandas"] = pandas_curve(folder, full_state=True)
        results["duckdb"] = _run_child("_duckdb", str(folder))
        results["machine"]["local_measured_at"] = _now()
        results["machine"]["local_load_average"] = round(os.getloadavg()[0], 1)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
        if args.out == RESULTS:
            invalidate_lesson_cache()
        return 0
    if not args.no_spark and shutil.which("java") is None:
        raise BootcampError("Spark needs Java: run scripts/ensure-java.sh (or pass --no-spark)")
    results = run(args.preset, args.size, spark=not args.no_spark)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"==> Wrote {args.out}", file=sys.stderr)
    if args.out == RESULTS:
        invalidate_lesson_cache()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BootcampError as error:
        sys.exit(f"bootcamp.scale: {error}")
