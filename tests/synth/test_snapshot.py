"""The weekly update: snapshot 1 is the same state a week later, and truth_changes says how."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from bootcamp import data
from bootcamp.errors import BootcampError
from bootcamp.synth import schema, weekly
from bootcamp.synth.build import build
from bootcamp.synth.config import FORMATS, Config

ADDRESS = ["res_street_address", "household_id", "precinct_abbrv"]


@pytest.fixture(scope="module", params=[1, 2, 3], ids=lambda s: f"seed{s}")
def weeks(request, make_dataset):
    """Snapshot 0 and 1 of the county preset (enough changes of every kind) on three seeds."""
    seed = request.param
    return (
        make_dataset("county", seed, formats=("parquet",)),
        make_dataset("county", seed, formats=("parquet",), snapshot=1),
    )


def _digests(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in ("manifest.json",)
    }


def test_truth_changes_is_exactly_the_difference(weeks):
    before, after = weeks
    v0 = before["voters"].set_index("ncid")
    v1 = after["voters"].set_index("ncid")
    changes = after["truth_changes"].set_index("ncid")
    assert changes.index.is_unique
    assert set(changes["change"]) == {"new", "moved", "changed", "removed"}
    assert (changes["snapshot"] == 1).all()

    new = v1.index.difference(v0.index)
    assert set(new) == set(changes.index[changes["change"] == "new"])
    assert v0.index.difference(v1.index).empty, "records are never deleted, only removed"
    # records keep their row; new ones come after the old ones of their chunk
    assert set(before["voters"]["ncid"]) <= set(after["voters"]["ncid"])

    common = v0.index
    b, a = v0.loc[common], v1.loc[common]
    differs = (b.ne(a) & ~(b.isna() & a.isna())).any(axis=1)
    listed = changes.index[changes["change"] != "new"]
    assert set(common[differs]) == set(listed), "a change that truth_changes does not list"

    moved = changes.index[changes["change"] == "moved"]
    assert (b.loc[moved, "household_id"] != a.loc[moved, "household_id"]).all()
    assert (b.loc[moved, "res_street_address"] != a.loc[moved, "res_street_address"]).all()
    across = changes.loc[moved, "from_county_id"] != changes.loc[moved, "to_county_id"]
    assert across.any() and (~across).any()
    assert (a.loc[moved, "county_id"] == changes.loc[moved, "to_county_id"]).all()
    assert (b.loc[moved[across], "voter_reg_num"] != a.loc[moved[across], "voter_reg_num"]).all()

    still = changes.index[changes["change"].isin(["changed", "removed"])]
    assert (b.loc[still, ADDRESS] == a.loc[still, ADDRESS]).all().all()
    for ncid, row in changes.loc[still].iterrows():
        assert str(b.at[ncid, row["field"]]) == row["old_value"]
        assert str(a.at[ncid, row["field"]]) == row["new_value"]
    removed = changes.index[changes["change"] == "removed"]
    assert (a.loc[removed, "status_cd"] == "R").all() and (b.loc[removed, "status_cd"] != "R").all()
    truth = after["truth_voters"].set_index("ncid")
    assert (truth.loc[removed, "removal_dt"] == changes.loc[removed, "change_dt"]).all()

    # new registrants: recent registration, pending verification, and a truth row each
    fresh = v1.loc[new]
    assert (fresh["registr_dt"].dropna() > pd.Timestamp("2026-12-01")).all()
    assert (fresh["reason_cd"] == "AP").all()
    assert set(new) <= set(truth.index)
    dates = changes["change_dt"]
    assert dates.between(pd.Timestamp("2026-12-02"), pd.Timestamp("2026-12-08")).all()


def test_weekly_rates(weeks):
    before, after = weeks
    n = len(before["voters"])
    counts = after["truth_changes"]["change"].value_counts()
    # stated rates (reference.WEEKLY_*) with a tolerance of about four standard errors
    for change, rate in (("new", 0.0015), ("changed", 0.002), ("removed", 0.001)):
        expected = rate * n
        assert abs(counts[change] - expected) <= 4 * expected**0.5 + 2, (change, counts[change])
    assert 0.001 * n <= counts["moved"] <= 0.01 * n
    assert after["vote_history"].shape == before["vote_history"].shape, "no election that week"


def test_snapshot_zero_never_runs_the_update(tmp_path, monkeypatch):
    build(Config("tiny", seed=5), tmp_path / "a", FORMATS)

    def boom(*args, **kwargs):
        raise AssertionError("snapshot 0 called the weekly update")

    monkeypatch.setattr(weekly, "update", boom)
    build(Config("tiny", seed=5), tmp_path / "b", FORMATS)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    empty = pq.read_table(tmp_path / "b" / "truth_changes.parquet")
    assert empty.num_rows == 0 and empty.schema.names == list(
        schema.TABLE_BY_NAME["truth_changes"].column_names
    )


def test_same_seed_same_snapshot_and_stable_raw_rows(tmp_path):
    build(Config("tiny", seed=4, snapshot=2), tmp_path / "a", FORMATS)
    build(Config("tiny", seed=4, snapshot=2), tmp_path / "b", FORMATS)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    # week 1 is the same whether one or two weeks are generated
    build(Config("tiny", seed=4, snapshot=1), tmp_path / "w1", ("parquet",))
    build(Config("tiny", seed=4), tmp_path / "w0", ("parquet", "txt"))
    build(Config("tiny", seed=4, snapshot=1), tmp_path / "w1txt", ("txt",))
    w1 = data.read(tmp_path / "w1", "voters").set_index("ncid")
    w2 = data.read(tmp_path / "a", "voters").set_index("ncid")
    changed2 = set(data.read(tmp_path / "a", "truth_changes")["ncid"])
    keep = w1.index.difference(list(changed2))
    pd.testing.assert_frame_equal(w1.loc[keep], w2.loc[keep])
    # the raw download of an unchanged record is the same text in both weeks
    changed1 = set(data.read(tmp_path / "w1", "truth_changes")["ncid"])
    lines0 = (tmp_path / "w0" / "raw" / "lkvoter_statewide.txt").read_text().splitlines()
    lines1 = set((tmp_path / "w1txt" / "raw" / "lkvoter_statewide.txt").read_text().splitlines())
    unchanged = [line for line in lines0[1:] if line.split("\t")[0].strip('"') not in changed1]
    assert len(unchanged) > 1000
    assert all(line in lines1 for line in unchanged)


def test_api_and_cli(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path))
    changes = data.load("truth_changes", preset="tiny", seed=8, snapshot=1)
    assert (tmp_path / "tiny-seed8-snapshot1" / "manifest.json").exists()
    assert set(changes["change"]) <= {"new", "moved", "changed", "removed"}
    con = data.connect(preset="tiny", seed=8, snapshot=1)
    n = con.execute("SELECT COUNT(*) FROM voters").fetchone()[0]
    assert n == len(data.load("voters", preset="tiny", seed=8, snapshot=1))
    with pytest.raises(BootcampError, match="snapshot"):
        data.load("voters", preset="tiny", snapshot=9)
    out = tmp_path / "cli"
    env = {**os.environ, "BOOTCAMP_DATA_DIR": str(tmp_path)}
    run = [sys.executable, "-m", "bootcamp.cli", "data", "--preset", "tiny", "--quiet"]
    ok = subprocess.run([*run, "--snapshot", "1", "--out", str(out)], capture_output=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert (out / "raw" / "lkvoter_statewide.txt").exists()
    assert (out / "truth_changes.parquet").exists()
    bad = subprocess.run(
        [*run, "--snapshot", "-1", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "snapshot" in bad.stderr and not (tmp_path / "x").exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_snapshot_keeps_schema_keys_and_sqlite_integrity(make_dataset, seed):
    import sqlite3

    from bootcamp.synth.writers import SQLITE_NAME

    ds = make_dataset("tiny", seed, formats=FORMATS, snapshot=2)
    for table in schema.TABLES:
        problems = schema.check_table(
            table.name, pq.read_table(ds.folder / f"{table.name}.parquet")
        )
        assert not problems, problems
        frame = ds[table.name]
        for col in table.columns:
            if col.references:
                ref_table, ref_col = col.references.split(".")
                values = frame[col.name].dropna()
                assert values.isin(ds[ref_table][ref_col]).all(), (table.name, col.name)
        if table.primary_key:
            assert not frame.duplicated(list(table.primary_key)).any(), table.name
    con = sqlite3.connect(ds.folder / SQLITE_NAME)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("SELECT COUNT(*) FROM voters").fetchone()[0] == len(ds["voters"])
    assert (ds["truth_changes"]["snapshot"] == 2).all()
