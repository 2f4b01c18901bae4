"""The built book, shared by the build and browser tests: built once per test session, from a
clean state into a temporary folder, then built again to prove the execution cache works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class BuiltBook:
    html: Path
    execute_log: str
    first_log: str
    first_returncode: int
    second_log: str
    second_returncode: int


def _build(out: Path) -> subprocess.CompletedProcess:
    # As `make test` runs it: MPLBACKEND=Agg in the environment. The book's kernels must still
    # show every chart (bootcamp.book_chapters keeps them on the inline backend).
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [
        BIN / "jupyter-book",
        "build",
        str(REPO),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=1800, env=env)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, lesson_cache) -> BuiltBook:
    # The book publishes the committed student copies of the exercise notebooks as they are;
    # test_build.py checks they are what `bootcamp release` makes today (without rewriting them).
    out = tmp_path_factory.mktemp("book")
    # As `make` does: the lessons are executed in parallel into the cache first (bootcamp
    # execute, once per test session), then the book build finds every one cached.
    shutil.copytree(lesson_cache, out / "_build" / ".jupyter_cache")
    first = _build(out)
    second = _build(out)
    return BuiltBook(
        html=out / "_build" / "html",
        execute_log=(lesson_cache.parent / "execute.log").read_text(encoding="utf-8"),
        first_log=first.stdout + first.stderr,
        first_returncode=first.returncode,
        second_log=second.stdout + second.stderr,
        second_returncode=second.returncode,
    )
