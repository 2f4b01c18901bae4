"""The command line and the notebook API: errors are one line and write nothing; loads are safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bootcamp import data
from bootcamp.synth import build as build_module
from bootcamp.synth import schema
from bootcamp.synth.config import Config

BOOTCAMP = [sys.executable, "-m", "bootcamp.cli"]


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BOOTCAMP, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "galaxy"], "unknown preset"),
        (["--format", "parquet,xlsx"], "unknown format"),
        (["--size", "0"], "positive"),
        (["--size", "-5"], "positive"),
        (["--seed", "-1"], "seed"),
    ],
)
def test_bad_options_give_one_line_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    result = _run(
        "data",
        "--preset",
        "tiny",
        "--out",
        str(out),
        *args,
        env={"BOOTCAMP_DATA_DIR": str(tmp_path / "datasets")},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert _tree(tmp_path) == []


def test_non_empty_output_needs_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = _run("data", "--preset", "tiny", "--out", str(out), "--quiet")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--force" in result.stderr
    assert _tree(tmp_path) == ["out", "out/notes.txt"]
    forced = _run("data", "--preset", "tiny", "--out", str(out), "--quiet", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / "voters.parquet").exists() and not (out / "notes.txt").exists()
    again = _run("data", "--preset", "tiny", "--out", str(out), "--quiet")
    assert again.returncode == 0 and "up to date" in again.stderr


def test_unwritable_output_gives_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = _run("data", "--preset", "tiny", "--out", str(blocker / "sub"))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "cannot write" in result.stderr
    if os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = _run("data", "--preset", "tiny", "--out", str(locked / "data"))
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert _tree(tmp_path) == ["a-file"] + (["locked"] if os.geteuid() != 0 else [])


def test_interrupted_build_leaves_nothing_to_load(tmp_path, monkeypatch):
    from bootcamp.synth import writers

    def boom(self, name, table):
        raise KeyboardInterrupt

    monkeypatch.setattr(writers.SqliteSink, "write", boom)
    out = tmp_path / "data"
    with pytest.raises(KeyboardInterrupt):
        build_module.build(Config("tiny"), out, ("parquet", "sqlite"))
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".locks")] == []


def test_load_generates_caches_and_names_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path))
    voters = data.load("voters", preset="tiny", seed=7)
    assert (tmp_path / "tiny-seed7" / "manifest.json").exists()
    assert list(voters.columns) == list(schema.TABLE_BY_NAME["voters"].column_names)
    assert str(voters["registr_dt"].dtype).startswith("datetime64")
    assert str(voters["birth_year"].dtype) == "Int16"
    assert voters["email"].isna().any()  # real missing values
    assert (voters["race_code"] == "U").any()  # "undesignated" is a value
    con = data.connect(preset="tiny", seed=7)
    assert con.execute("SELECT COUNT(*) FROM voters").fetchone()[0] == len(voters)
    with pytest.raises(Exception, match="readonly"):
        con.execute("DELETE FROM voters")
    # lesson 2.1 says the database enforces foreign keys: it must (SQLite's default is off)
    assert con.execute("PRAGMA foreign_keys").fetchone() == (1,)
    truth = data.load("truth_voters", preset="tiny", seed=7)
    assert "civic_propensity" in truth.columns


def test_unknown_table_is_one_clear_error():
    with pytest.raises(data.UnknownTableError, match="valid names: precincts"):
        data.load("voter")
    with pytest.raises(ValueError):
        data.load("voter")


def test_table_lists_match_the_schema():
    assert data.tables() == list(schema.PUBLIC_TABLES)
    assert data.truth_tables() == list(schema.TRUTH_TABLES)
    assert not set(data.tables()) & set(data.truth_tables())


def test_parallel_first_loads_build_once(tmp_path):
    code = (
        "from bootcamp import data; print(len(data.load('vote_history', preset='tiny', seed=21)))"
    )
    env = {**os.environ, "BOOTCAMP_DATA_DIR": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert len({out for out, _ in outputs}) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", "tiny-seed21"]


def test_import_is_cheap():
    code = "import sys, bootcamp.data; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"]


def test_codebook_covers_every_table_and_column():
    text = schema.codebook_markdown()
    for table in schema.TABLES:
        assert f"## `{table.name}`" in text
        for column in table.columns:
            assert f"`{column.name}`" in text
    page = (Path(__file__).resolve().parents[2] / "appendices" / "codebook.md").read_text()
    assert "codebook_markdown()" in page and "remove-input" in page


def test_voters_columns_are_the_promised_ones():
    promised = (
        "ncid county_id county_desc voter_reg_num status_cd voter_status_desc reason_cd "
        "voter_status_reason_desc last_name first_name middle_name name_suffix_lbl "
        "res_street_address res_city_desc state_cd zip_code mail_addr1 mail_city mail_state "
        "mail_zipcode full_phone_number email registr_dt race_code ethnic_code party_cd "
        "gender_code birth_year age_at_year_end birth_state precinct_abbrv precinct_desc "
        "municipality_desc ward_abbrv cong_dist_abbrv lk_senate_abbrv lk_house_abbrv household_id"
    ).split()
    assert list(schema.TABLE_BY_NAME["voters"].column_names) == promised
    assert list(schema.TABLE_BY_NAME["vote_history"].column_names) == [
        "ncid",
        "election_lbl",
        "election_desc",
        "voting_method",
        "voted_party_cd",
        "pct_label",
        "county_desc",
    ]
