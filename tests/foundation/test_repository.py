"""Repository hygiene: the layout the design card promises, notebooks stored without outputs,
lint clean, a README whose two commands are the ones CI runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from book_support import toc_pages

REPO = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).parent / "ruff"


def git_files(pattern: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", pattern],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [REPO / name for name in out if (REPO / name).exists()]


def test_top_level_layout():
    for name in (
        "_config.yml",
        "_toc.yml",
        "chapters",
        "datasets",
        "autograder",
        "environment.yml",
        "tests",
        "README.md",
        "pyproject.toml",
        ".ci/run",
    ):
        assert (REPO / name).exists(), f"missing {name}"


def test_committed_notebooks_have_no_outputs():
    dirty = []
    notebooks = git_files("*.ipynb")
    assert len(notebooks) >= 4, f"only {len(notebooks)} notebooks found: is git ls-files working?"
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            if cell.get("outputs") or cell.get("execution_count") is not None:
                dirty.append(f"{path.relative_to(REPO)} cell {index}")
    assert not dirty, "notebooks must be stored without outputs (clear them):\n" + "\n".join(dirty)


def test_ruff_lint_is_clean():
    result = subprocess.run([RUFF, "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = subprocess.run(
        [RUFF, "format", "--check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_toc_pages_exist_and_are_not_placeholders():
    generated = {"exercises-student"}  # made by `bootcamp release`
    for name in toc_pages():
        if Path(name).name in generated:
            source = REPO / Path(name).parent / "exercises.ipynb"
            assert source.exists(), f"{name} is released from {source}, which is missing"
            continue
        candidates = [REPO / f"{name}{suffix}" for suffix in (".md", ".ipynb")]
        page = next((path for path in candidates if path.exists()), None)
        assert page, f"_toc.yml lists {name}, but no such page"
        text = page.read_text(encoding="utf-8")
        if "```{code-cell}" in text:
            continue  # its text is computed: tests/book checks the rendered page instead
        words = len(re.findall(r"\w+", text))
        assert words > 150, f"{page.relative_to(REPO)} has {words} words: a placeholder?"


def test_readme_starts_with_the_two_commands_ci_runs():
    readme = (REPO / "README.md").read_text()
    head = readme.split("\n## ", 2)
    commands = re.findall(r"```(?:bash|sh)\n(.*?)```", "\n## ".join(head[:2]), re.S)
    lines = [line.split("#")[0].strip() for block in commands for line in block.splitlines()]
    assert [line for line in lines if line] == ["make", "make test"]
    assert "make test" in (REPO / ".ci/run").read_text()


def test_lesson_code_is_lint_clean(tmp_path):
    """Lessons are Markdown notebooks, which ruff cannot read: lint them as .ipynb copies."""
    import jupytext
    from book_support import lesson_paths

    copies = []
    for path in lesson_paths():
        if path.suffix == ".md":
            copy = tmp_path / path.relative_to(REPO).with_suffix(".ipynb")
            copy.parent.mkdir(parents=True, exist_ok=True)
            jupytext.write(jupytext.read(path), copy)
            copies.append(copy)
    assert len(copies) >= 5, f"only {len(copies)} Markdown lessons found to lint"
    result = subprocess.run(
        [RUFF, "check", "--config", REPO / "pyproject.toml", "--no-cache", *copies],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout.replace(str(tmp_path) + "/", "")
