"""Chapter 4's PostgreSQL lesson starts a real server and leaves nothing running."""

from __future__ import annotations

import jupytext
import nbclient
import psutil
import pytest
from book_support import REPO

LESSON = REPO / "chapters" / "04-managing-a-database" / "05-roles-and-permissions.md"


def _glued(notebook, key):
    """The value a lesson glued under `key` (myst-nb stores it in the output's metadata)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                return output["data"]["application/papermill.record/text/plain"].strip("'")
    raise AssertionError(f"the lesson glued no {key!r}")


def _postgres_processes():
    """Running postgres processes (an ended one may linger as a zombie until it is reaped)."""
    found = {}
    for process in psutil.process_iter(["name", "cmdline", "status"]):
        if process.info["name"] == "postgres" and process.info["status"] != psutil.STATUS_ZOMBIE:
            found[process.pid] = " ".join(process.info["cmdline"] or [])
    return found


@pytest.mark.slow
def test_postgres_lesson_starts_a_server_and_leaves_none_running():
    before = _postgres_processes()
    notebook = jupytext.read(LESSON)
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(LESSON.parent)}},
    )
    client.execute()  # raises if any cell not tagged raises-exception fails

    # The lesson really ran a PostgreSQL 16 server ...
    assert _glued(notebook, "pg_version").startswith("16.")
    pid = int(_glued(notebook, "pg_pid"))
    assert pid not in before
    # ... and after it, that server and every postgres process it started are gone.
    assert pid not in _postgres_processes()
    left = {
        pid: cmd
        for pid, cmd in _postgres_processes().items()
        if pid not in before and "bootcamp-pg-" in cmd
    }
    assert not left, f"postgres processes left running after the lesson: {left}"
