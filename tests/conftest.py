"""Shared test settings: paths, and the rule that CI never silently skips browser tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# Tools that shell out (nbgrader -> alembic, jupyter -> kernels) must find the environment's bin.
os.environ["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def lesson_cache(tmp_path_factory) -> Path:
    """Every lesson executed once per test session, in parallel (``bootcamp execute``, as
    ``make`` does), into an execution cache that tests building a book copy from."""
    import subprocess

    cache = tmp_path_factory.mktemp("lesson-cache") / ".jupyter_cache"
    result = subprocess.run(
        [VENV_BIN / "bootcamp", "execute", "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    (cache.parent / "execute.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return cache
