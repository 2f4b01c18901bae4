"""``bootcamp release``: chapters' source notebooks -> nbgrader source/ -> release/ -> the book.

The nbgrader assignment id is the chapter folder name. The student copy goes to
``autograder/release/NN-slug/exercises.ipynb`` (nbgrader's own release, for handing out) and to
``chapters/NN-slug/exercises-student.ipynb`` (committed; the book publishes it, Colab opens it).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from bootcamp.errors import BootcampError
from bootcamp.grading import course
from bootcamp.paths import AUTOGRADER_DIR, CHAPTERS_DIR

SOURCE_NAME = "exercises.ipynb"
STUDENT_NAME = "exercises-student.ipynb"


def chapter_sources(chapters_dir: Path, chapters: list[str] | None = None) -> list[Path]:
    """Every ``chapters/NN-slug/exercises.ipynb`` (or only the named chapters)."""
    found = sorted(Path(chapters_dir).glob(f"*/{SOURCE_NAME}"))
    if chapters:
        by_name = {p.parent.name: p for p in found}
        missing = [c for c in chapters if c.rstrip("/").split("/")[-1] not in by_name]
        if missing:
            raise BootcampError(f"no {SOURCE_NAME} in chapter(s): {', '.join(missing)}")
        found = [by_name[c.rstrip("/").split("/")[-1]] for c in chapters]
    return found


def sync_source(notebook: Path, course_dir: Path, assignment: str | None = None) -> str:
    """Copy a source notebook into the course's source/ (only when it changed)."""
    assignment = assignment or notebook.parent.name
    dest = Path(course_dir) / "source" / assignment / SOURCE_NAME
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists() or dest.read_bytes() != notebook.read_bytes():
        shutil.copyfile(notebook, dest)
    return assignment


def generate(assignment: str, course_dir: Path = AUTOGRADER_DIR) -> Path:
    """nbgrader generate_assignment (in process): release/ASSIGNMENT and the gradebook entry."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException

    course.prepare_environment()
    course_dir = Path(course_dir).resolve()
    course.source_notebooks(course_dir, assignment)
    config = course.load_config(course_dir)
    collector = course.ErrorCollector()
    course.quiet_nbgrader()
    cd = course.coursedir(config, assignment_id=assignment)
    converter = GenerateAssignment(coursedir=cd, config=config)
    converter.force = True
    converter.create_assignment = True
    converter.log.addHandler(collector)
    converter.log.setLevel(logging.WARNING)
    try:
        converter.start()
    except NbGraderException:
        reason = "; ".join(collector.messages) or "see nbgrader's log above"
        raise BootcampError(f"nbgrader generate_assignment {assignment} failed: {reason}") from None
    finally:
        converter.log.removeHandler(collector)
    for notebook in (course_dir / "release" / assignment).glob("*.ipynb"):
        show_broken_code(notebook)
    from bootcamp.grading import integrity  # the pristine copy regrades are checked against

    integrity.record(course_dir, assignment, config.CourseDirectory.db_url)
    return course_dir / "release" / assignment


def show_broken_code(notebook: Path) -> None:
    """Debugging questions: learners get the broken code (cell metadata ``bootcamp.broken``) in
    place of nbgrader's stub, with the checksum nbgrader uses to tell an untouched answer."""
    import nbformat
    from nbgrader.utils import compute_checksum

    nb = nbformat.read(notebook, as_version=4)
    changed = False
    for cell in nb.cells:
        broken = cell.metadata.get("bootcamp", {}).get("broken")
        if broken is not None and cell.source != broken:
            cell.source = broken
            cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
            changed = True
    if changed:
        nbformat.write(nb, notebook)


def needs_generate(assignment: str, course_dir: Path) -> bool:
    """True when the release is missing or older than the source (then regenerate)."""
    course_dir = Path(course_dir)
    sources = course.source_notebooks(course_dir, assignment)
    for src in sources:
        rel = course_dir / "release" / assignment / src.name
        if not rel.exists() or rel.stat().st_mtime < src.stat().st_mtime:
            return True
    return not (course_dir / "gradebook.db").exists()


def release(
    chapters: list[str] | None = None,
    *,
    course_dir: Path = AUTOGRADER_DIR,
    chapters_dir: Path = CHAPTERS_DIR,
    verbose: bool = True,
) -> list[Path]:
    """Release every chapter (or the named ones); returns the student notebooks written."""
    course_dir = Path(course_dir).resolve()
    assignments = [sync_source(nb, course_dir) for nb in chapter_sources(chapters_dir, chapters)]
    if not chapters:  # also whatever already sits in source/ (e.g. an instructor's own)
        extra = sorted(p.name for p in (course_dir / "source").glob("*") if p.is_dir())
        assignments += [a for a in extra if a not in assignments]
    if not assignments:
        raise BootcampError(f"no exercise notebooks found in {chapters_dir}/*/{SOURCE_NAME}")
    written = []
    for assignment in assignments:
        out = generate(assignment, course_dir)
        chapter = Path(chapters_dir) / assignment
        student = out / SOURCE_NAME
        if chapter.is_dir() and student.exists():
            shutil.copyfile(student, chapter / STUDENT_NAME)
            written.append(chapter / STUDENT_NAME)
        else:
            written.append(student)
        if verbose:
            print(f"released {assignment}: {written[-1]}")
    return written
