"""Where things live, resolved once so every module agrees."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository checkout (the package is installed editable from it).
REPO_ROOT = Path(__file__).resolve().parent.parent
CHAPTERS_DIR = REPO_ROOT / "chapters"
AUTOGRADER_DIR = REPO_ROOT / "autograder"
#: Where the book build (myst-nb, ``execute_notebooks: cache``) keeps executed lessons.
BOOK_CACHE = REPO_ROOT / "_build" / ".jupyter_cache"


def datasets_dir() -> Path:
    """Where generated datasets live: ``$BOOTCAMP_DATA_DIR`` or the checkout's ``datasets/``.

    Outside a checkout (the package installed from a wheel, on Colab for example) it falls back
    to a per-user cache folder, so ``data.load`` still works with nothing set up.
    """
    env = os.environ.get("BOOTCAMP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    in_repo = REPO_ROOT / "datasets"
    if (REPO_ROOT / "pyproject.toml").exists():
        return in_repo
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bootcamp"
