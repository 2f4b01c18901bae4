"""Chapter 11's scale lesson: its committed state-scale measurements match the code and the data.

The lesson shows measurements that ``make scale`` made (``bootcamp/scale.py``) and committed to
``bootcamp/scale-results.json``. These tests fail when that file no longer describes
what a fresh run would give: a changed generator, changed SQL, engines that disagree, or a rerun
whose counts and results (not its timings) differ from the committed check run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib.util import find_spec
from pathlib import Path

import pytest

from bootcamp import scale
from bootcamp.synth.config import PRESETS, generator_version

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def committed() -> dict:
    assert scale.RESULTS.exists(), f"{scale.RESULTS} is missing: run make scale"
    return json.loads(scale.RESULTS.read_text())


def test_results_describe_the_state_preset_of_this_generator(committed):
    dataset = committed["dataset"]
    assert dataset["preset"] == "state" and dataset["size"] is None
    assert dataset["generator_version"] == generator_version(), (
        "the data generator changed since the scale results were measured: run make scale"
    )
    # the state preset's registrants, plus the injected duplicates (a few percent)
    assert PRESETS["state"] <= dataset["rows"]["voters"] < 1.1 * PRESETS["state"]
    assert committed["check"]["dataset"]["size"] == scale.CHECK_SIZE
    for run in (committed, committed["check"]):
        assert run["sql"] == dict(scale.QUERIES, county_party=scale.COUNTY_PARTY_SQL), (
            "the SQL in bootcamp/scale.py changed since the results were measured: run make scale"
        )


def test_duckdb_and_spark_agree_and_sum_to_the_file(committed):
    for run in (committed, committed["check"]):
        duck, spark = run["duckdb"]["results"], run["spark"]["results"]
        assert scale.same_results(duck["party"], spark["party"])
        assert scale.same_results(duck["turnout"], spark["turnout"])
        assert len(duck["turnout"]) == 8  # Lakeland's counties
        assert len(run["spark"]["county_folders"]) == 8
        one_county = sum(row["active_voters"] for row in spark["county_party"])
        statewide = sum(row["active_voters"] for row in duck["party"])
        assert 0 < one_county < statewide
        assert "PartitionFilters: [isnotnull(county_desc" in run["spark"]["plans"]["county_party"]
        assert "Exchange hashpartitioning" in run["spark"]["plans"]["turnout"]
        assert str(REPO) not in json.dumps(run), "a machine path in the committed results"


def test_pandas_curve_grows_and_stops_below_the_state(committed):
    points = committed["pandas"]
    labels = [p["label"] for p in points]
    assert labels[:2] == ["tiny", "county"] and len(points) >= 4, labels
    sizes = [p["registrants"] for p in points]
    assert sizes == sorted(sizes) and sizes[-1] < committed["dataset"]["rows"]["voters"]
    assert all(
        a["peak_rss_mb"] < b["peak_rss_mb"] for a, b in zip(points, points[1:], strict=False)
    )


def test_stable_ignores_timings_only():
    run = {
        "seconds": {"a": 1},
        "results": {"x": [{"n": 1}]},
        "pandas": [{"peak_rss_mb": 3, "n": 2}],
    }
    other = {
        "seconds": {"a": 9},
        "results": {"x": [{"n": 1}]},
        "pandas": [{"peak_rss_mb": 7, "n": 2}],
    }
    assert scale.stable(run) == scale.stable(other)
    other["pandas"][0]["n"] = 3
    assert scale.stable(run) != scale.stable(other)


def test_same_results_tolerates_rounding_not_different_counts():
    a = [{"county_desc": "OSPREY", "voted": 10, "turnout_pct": 50.0000001}]
    assert scale.same_results(a, [{"county_desc": "OSPREY", "voted": 10, "turnout_pct": 50.0}])
    assert not scale.same_results(a, [{"county_desc": "OSPREY", "voted": 11, "turnout_pct": 50.0}])
    assert not scale.same_results(a, a + a)


def test_spark_code_on_the_page_is_the_code_that_ran():
    """The lesson's Spark code blocks are lines of bootcamp/scale.py, which make scale runs."""
    lesson = scale.LESSON.read_text()
    section = lesson[lesson.index("## Spark: the same SQL") : lesson.index("## The measurements")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the Spark section shows the session code and the partitioned write"
    source = {line.strip() for line in Path(scale.__file__).read_text().splitlines()}
    lines = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert len(lines) >= 9
    missing = [line for line in lines if line not in source]
    assert not missing, f"shown on the page but not run by bootcamp/scale.py: {missing}"


def test_scale_toolchain_is_pinned_and_kept_out_of_make():
    pins = [
        line
        for line in (REPO / "requirements-scale.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {pin.split("==")[0] for pin in pins} == {"pyspark", "py4j"}
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9.]+", pin) for pin in pins), pins
    assert "pyspark" not in (REPO / "requirements-lock.txt").read_text().lower()
    makefile = (REPO / "Makefile").read_text()
    scale_target = makefile[makefile.index("\nscale:") : makefile.index("\nserve:")]
    for step in ("requirements-scale.txt", "ensure-java.sh", "--preset state", "bootcamp.scale"):
        assert step in scale_target, step


def _ensure_java() -> bool:
    if shutil.which("java") is None:
        subprocess.run(["bash", str(REPO / "scripts" / "ensure-java.sh")], check=False)
    return shutil.which("java") is not None


@pytest.mark.slow
def test_a_fresh_check_run_reproduces_the_committed_one(committed):
    """Rerun the whole pipeline on the small state-like file; everything but timings must match."""
    with_spark = find_spec("pyspark") is not None and _ensure_java()
    fresh = scale.measure("state", scale.CHECK_SIZE, spark=with_spark)
    expected = dict(committed["check"])
    if not with_spark:
        expected.pop("spark")
    assert scale.stable(fresh) == scale.stable(expected), (
        "a fresh run of bootcamp.scale no longer matches scale-results.json: run make scale"
    )
    if not with_spark:
        pytest.skip(
            "pandas and DuckDB match; Spark not checked: PySpark or Java is missing "
            "(make scale installs both)"
        )


@pytest.mark.slow
def test_state_results_match_duckdb_on_the_state_file(committed):
    """When the state file is on this machine (make scale made it), DuckDB's answer matches."""
    from bootcamp.paths import datasets_dir
    from bootcamp.synth.build import is_current
    from bootcamp.synth.config import Config

    folder = datasets_dir() / "state"
    if not is_current(folder, Config(preset="state"), ("parquet",)):
        pytest.skip("the state preset is not generated here (make scale generates it)")
    fresh = scale.duckdb_point(folder)
    for name in scale.QUERIES:
        assert scale.same_results(fresh["results"][name], committed["duckdb"]["results"][name])
