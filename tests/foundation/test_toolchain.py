"""The pinned toolchain: one lock, an environment.yml that agrees with it, and an environment
that really has those versions installed."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements-lock.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert match, f"requirements-lock.txt: not an exact pin: {line!r}"
        pins[canonical(match[1])] = match[2]
    return pins


def read_environment_yml() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                name, _, version = pip_dep.partition("==")
                assert version, f"environment.yml pip entry is not pinned exactly: {pip_dep!r}"
                pins[canonical(name)] = version
        else:
            name, _, version = dep.partition("=")
            if name in ("python", "pip"):
                continue
            assert version, f"environment.yml conda entry is not pinned: {dep!r}"
            pins[canonical(name)] = version.lstrip("=")
    return pins


def test_lock_pins_every_package_exactly():
    assert len(read_lock()) > 100  # the whole transitive closure, not just direct dependencies


def test_environment_yml_agrees_with_lock():
    lock = read_lock()
    assert len(read_environment_yml()) >= 20, "environment.yml pins too few packages to compare"
    disagreements = [
        f"{name}: environment.yml {version} but lock {lock.get(name, 'missing')}"
        for name, version in read_environment_yml().items()
        if lock.get(name) != version
    ]
    assert not disagreements, "environment.yml and requirements-lock.txt disagree:\n" + "\n".join(
        disagreements
    )


def test_environment_yml_python_matches_project():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"


def test_every_direct_dependency_is_locked_and_in_environment_yml():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    direct = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        direct += extra
    names = {canonical(re.split(r"[<>=!\[ ]", dep, maxsplit=1)[0]) for dep in direct}
    lock, env = read_lock(), read_environment_yml()
    assert not names - lock.keys(), f"not in the lock: {sorted(names - lock.keys())}"
    assert not names - env.keys(), f"not in environment.yml: {sorted(names - env.keys())}"


def test_installed_versions_match_lock():
    lock = read_lock()
    wrong = []
    for name, version in lock.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed")
            continue
        if installed != version:
            wrong.append(f"{name}: installed {installed}, lock {version}")
    assert not wrong, "the environment does not match the lock:\n" + "\n".join(wrong)


def test_toolchain_versions_are_the_ones_the_course_is_built_for():
    lock = read_lock()
    assert lock["jupyter-book"] == "1.0.4.post1"
    assert lock["nbgrader"] == "0.9.6"
    assert lock["pandas"].startswith("3.")


@pytest.mark.parametrize("command", [["pip", "check"]])
def test_pip_check_is_clean(command):
    result = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
