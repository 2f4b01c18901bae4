"""The course is open and citable: licenses, a citation, one version everywhere, a changelog."""

from __future__ import annotations

import re
import tomllib

import yaml
from book_support import REPO

import bootcamp


def citation() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def test_licenses_say_what_they_cover():
    mit = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License") and "Permission is hereby granted" in mit
    content = (REPO / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in content and "creativecommons.org/licenses/by/4.0/legalcode" in content
    assert "MIT" in content  # says what the code license covers instead
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "LICENSE-CONTENT.md" in readme and "CC BY 4.0" in readme and "MIT" in readme
    assert set(citation()["license"]) == {"CC-BY-4.0", "MIT"}


def test_one_version_everywhere():
    """CITATION.cff, the package, pyproject.toml and the newest CHANGELOG release agree."""
    cff = citation()
    version, date = str(cff["version"]), str(cff["date-released"])
    assert cff["cff-version"] == "1.2.0" and cff["title"] and cff["authors"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    assert bootcamp.__version__ == version
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == version
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert releases, "CHANGELOG.md lists no release"
    assert releases[0] == (version, date), "the newest CHANGELOG release is not CITATION.cff's"
