"""Same seed, same bytes (Parquet, SQLite, text); another seed, other data."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bootcamp.synth.build import build
from bootcamp.synth.config import FORMATS, Config


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build(Config("tiny", seed=11), first, FORMATS)
    build(Config("tiny", seed=11), second, FORMATS)
    a, b = _digests(first), _digests(second)
    assert any(name.endswith(".sqlite") for name in a)
    assert any(name.endswith(".parquet") for name in a)
    assert any(name.endswith(".txt") for name in a)
    assert a == b


def test_different_seeds_differ(tmp_path):
    build(Config("tiny", seed=11), tmp_path / "a", ("parquet",))
    build(Config("tiny", seed=12), tmp_path / "b", ("parquet",))
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    for name in ("voters.parquet", "vote_history.parquet", "households.parquet"):
        assert a[name] != b[name]
