"""The nbgrader course directory: configuration, environment and assignment discovery."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from bootcamp.errors import BootcampError

CONFIG_NAME = "nbgrader_config.py"


def prepare_environment() -> None:
    """Put this interpreter's bin folder on PATH.

    nbgrader runs the ``alembic`` executable when it creates gradebook.db, and kernels are found
    through PATH too; both must come from the course's virtual environment even when ``bootcamp``
    is run by absolute path without the environment activated.
    """
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = bin_dir + (os.pathsep + path if path else "")


def load_config(course_dir: Path) -> Config:
    """Read the course's nbgrader_config.py and pin the course root to ``course_dir``."""
    course_dir = Path(course_dir).resolve()
    if not (course_dir / CONFIG_NAME).exists():
        raise BootcampError(f"{course_dir} is not an nbgrader course (no {CONFIG_NAME})")
    config = PyFileConfigLoader(CONFIG_NAME, path=str(course_dir)).load_config()
    config.CourseDirectory.root = str(course_dir)
    if "db_url" not in config.CourseDirectory:
        config.CourseDirectory.db_url = "sqlite:///" + str(course_dir / "gradebook.db")
    return config


_ENGINES: dict = {}


def share_gradebook_engine() -> None:
    """Let every nbgrader ``Gradebook`` in this process share one SQLAlchemy engine per URL.

    nbgrader opens a fresh engine for each ``Gradebook(...)`` (several per submission), which
    throws away SQLAlchemy's compiled-statement cache every time; sharing it roughly halves the
    time spent writing grades. Only the grading process (the single gradebook writer) calls this.
    SQLite runs in WAL mode so the formgrader can read while grades are written.
    """
    import nbgrader.api
    from sqlalchemy import create_engine, event

    if getattr(nbgrader.api.create_engine, "_bootcamp_shared", False):
        return

    def shared(url, **kwargs):
        key = str(url)
        if key not in _ENGINES:
            engine = create_engine(url, **kwargs)
            if key.startswith("sqlite"):

                @event.listens_for(engine, "connect")
                def _pragmas(connection, _record):
                    cursor = connection.cursor()
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA synchronous=NORMAL")
                    cursor.close()

            _ENGINES[key] = engine
        return _ENGINES[key]

    shared._bootcamp_shared = True
    nbgrader.api.create_engine = shared


def coursedir(config: Config, **overrides):
    from nbgrader.coursedir import CourseDirectory

    cd = CourseDirectory(config=config)
    for name, value in overrides.items():
        setattr(cd, name, value)
    return cd


def source_notebooks(course_dir: Path, assignment: str) -> list[Path]:
    folder = Path(course_dir) / "source" / assignment
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise BootcampError(
            f"no source notebooks in {folder}; run `bootcamp release {assignment}` first"
        )
    return notebooks


def quiet_nbgrader(level: int = logging.WARNING) -> None:
    """nbgrader logs every file it touches at INFO; keep the terminal for our own progress."""
    for name in ("traitlets", "nbgrader", "NbGrader", "Autograde", "GenerateAssignment"):
        logging.getLogger(name).setLevel(level)


class ErrorCollector(logging.Handler):
    """Keeps the error messages nbgrader logs, to turn them into one-line reasons."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip().splitlines()
        if message:
            self.messages.append(message[0])
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            self.errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
        elif len(message) > 1 and message[0].startswith("Traceback"):
            self.errors.append(message[-1][:200])  # a logged traceback: its last line

    def cause(self) -> str | None:
        """The underlying error ("KeyError: 'grade_id'"), not nbgrader's "see the traceback"."""
        if self.errors:
            return self.errors[-1]
        useful = [m for m in self.messages if "above traceback" not in m]
        return "; ".join(useful[-2:]) or None
