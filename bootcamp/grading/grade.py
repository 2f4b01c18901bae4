"""``bootcamp grade``: nbgrader autograde, with notebooks executed in parallel.

nbgrader's ``autograde`` runs two pipelines per notebook: *sanitize* (ClearOutput, DeduplicateIds,
OverwriteKernelspec, OverwriteCells, CheckCellMetadata: restores locked and deleted test cells
from the gradebook's copy of the source) and *autograde* (Execute, IgnorePattern, LimitOutput,
SaveAutoGrades, AssignLatePenalties, CheckCellMetadata). Here the same preprocessors run in three
stages so that only the slow part is parallel and only this process writes to gradebook.db:

1. this process: validate the file, then sanitize it with nbgrader's ``Autograde`` converter
   (student and submission rows, timestamps, copying, OverwriteCells);
2. worker processes (``bootcamp.grading.worker``): Execute + IgnorePattern + LimitOutput, with a
   per-cell timeout, a per-notebook deadline, a memory limit and an output cap;
3. this process: SaveAutoGrades + AssignLatePenalties + CheckCellMetadata.

A notebook that cannot be graded automatically still gets its grade rows (zero for tests that
did not run) with ``needs_manual_grade`` set, and a reason in ``reports/ASSIGNMENT/flags.csv``.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from bootcamp.errors import BootcampError
from bootcamp.grading import KERNEL_MEMORY_MB, course, release
from bootcamp.paths import AUTOGRADER_DIR, CHAPTERS_DIR

FLAG_FIELDS = ["student", "notebook", "kind", "reason"]


@dataclass
class Outcome:
    """What happened to one student's submission."""

    student: str
    flags: list[tuple[str, str]] = field(default_factory=list)  # (notebook, reason): manual
    notes: list[tuple[str, str]] = field(default_factory=list)  # (notebook, remark): informative
    seconds: float = 0.0


# --------------------------------------------------------------------------- validation


def _read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """Parse a submitted file; return (notebook, None) or (None, reason)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start}); was it saved by another program?"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON (line {exc.lineno}): the file is damaged or not a notebook"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        return None, f"not a valid Jupyter notebook: {str(exc).splitlines()[0][:120]}"
    return nb, None


def _released_cells(course_dir: Path, assignment: str, name: str) -> dict[str, dict]:
    """grade_id -> {locked, checksum, grade} of the released notebook (what nbgrader restores)."""
    path = course_dir / "release" / assignment / f"{name}.ipynb"
    cells = {}
    for cell in nbformat.read(path, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id"):
            cells[meta["grade_id"]] = {
                "locked": bool(meta.get("locked")),
                "grade": bool(meta.get("grade")),
                "checksum": meta.get("checksum"),
            }
    return cells


def _tampering(nb, released: dict[str, dict]) -> list[str]:
    """Describe changes to locked or test cells (nbgrader undoes them; instructors may ask why)."""
    from nbgrader.utils import compute_checksum

    seen = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id and grade_id not in seen:
            seen[grade_id] = cell
    remarks = []
    missing = [g for g, info in released.items() if info["grade"] and g not in seen]
    if missing:
        remarks.append(
            "graded cells deleted or their nbgrader metadata removed "
            f"({', '.join(missing)}); restored from the source before grading"
        )
    edited = [
        g
        for g, info in released.items()
        if info["locked"] and g in seen and compute_checksum(seen[g]) != info["checksum"]
    ]
    if edited:
        remarks.append(f"locked cells edited ({', '.join(edited)}); restored from the source")
    return remarks


# --------------------------------------------------------------------------- nbgrader stages


def _sanitizer(config, student: str, assignment: str, skip: set[str]):
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter

    class Sanitize(Autograde):
        """nbgrader's autograde converter, stopped after its sanitize pipeline."""

        def convert_single_notebook(self, notebook_filename: str) -> None:
            if Path(notebook_filename).stem in skip:
                return
            self._sanitizing = True
            self._init_preprocessors()
            BaseConverter.convert_single_notebook(self, notebook_filename)

    cd = course.coursedir(config, assignment_id=assignment, student_id=student)
    converter = Sanitize(coursedir=cd, config=config)
    converter.force = True
    return converter


def _zero_notebook(db_url: str, assignment: str, student: str, name: str) -> None:
    """Give a notebook that cannot be run zero autograded points and flag it for a person."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            gb.update_or_create_submission(assignment, student)
        submission = gb.find_submission_notebook(name, assignment, student)
        for grade in submission.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = True
        gb.db.commit()


def _flag_notebook(db_url: str, assignment: str, student: str, name: str) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        for grade in gb.find_submission_notebook(name, assignment, student).grades:
            grade.needs_manual_grade = True
        gb.db.commit()


def fail_unrun_tests(nb, executed: set[int] | None = None) -> None:
    """Give every test cell that did not run an error output, so nbgrader scores it zero."""
    from nbgrader import utils

    executed = executed or set()
    for index, cell in enumerate(nb.cells):
        if index in executed or not utils.is_grade(cell) or cell.cell_type != "code":
            continue
        if any(o.output_type == "error" for o in cell.get("outputs", [])):
            continue
        cell.outputs = [
            nbformat.NotebookNode(
                output_type="error",
                ename="NotRun",
                evalue="this test did not run because the notebook was stopped",
                traceback=["NotRun: this test did not run because the notebook was stopped"],
            )
        ]


def _save_grades(config, db_url: str, assignment: str, student: str, path: Path) -> None:
    from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, SaveAutoGrades

    nb = nbformat.read(path, as_version=4)
    resources = {
        "nbgrader": {
            "notebook": path.stem,
            "assignment": assignment,
            "student": student,
            "db_url": db_url,
        }
    }
    for step in (SaveAutoGrades, AssignLatePenalties, CheckCellMetadata):
        nb, resources = step(config=config).preprocess(nb, resources)


# --------------------------------------------------------------------------- workers


#: Grading runs one notebook per core, so each kernel's numeric libraries get one thread: with
#: their default of a thread per core, parallel kernels fight over the cores (BLAS threads spin).
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class _Worker:
    def __init__(self, course_dir: Path, log_path: Path):
        self.log = open(log_path, "ab")  # noqa: SIM115 (lives as long as the worker)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bootcamp.grading.worker", str(course_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            env={**os.environ, **SINGLE_THREADED},
        )
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buffer = b""
        self.task: dict | None = None
        self.deadline = 0.0
        self.kernel_pid: int | None = None

    def submit(self, task: dict, deadline: float) -> None:
        self.task = task
        self.deadline = deadline
        self.kernel_pid = None
        self.proc.stdin.write((json.dumps(task) + "\n").encode())
        self.proc.stdin.flush()

    def messages(self) -> list[dict]:
        try:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return []
        if not chunk:
            raise EOFError
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def kill(self) -> None:
        for pid in (self.kernel_pid, self.proc.pid):
            if pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)
        with contextlib.suppress(Exception):
            self.proc.stdout.close()
        self.log.close()

    def close(self) -> None:
        """Every result is already in: stop the worker now rather than wait for its shutdown."""
        with contextlib.suppress(Exception):
            self.proc.stdin.close()
        self.kill()


# --------------------------------------------------------------------------- the batch


def _collect_zip(zip_path: Path, assignment: str, course_dir: Path) -> None:
    if not zip_path.exists():
        raise BootcampError(f"no such file: {zip_path}")
    archive = course_dir / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(zip_path, archive / zip_path.name)
    nbgrader = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run(
        [str(nbgrader), "zip_collect", assignment, "--force"],
        cwd=course_dir,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise BootcampError(f"nbgrader zip_collect failed: {tail[0]}")


def ensure_assignment(assignment: str, course_dir: Path, chapters_dir: Path = CHAPTERS_DIR) -> None:
    """Source in the course (from the chapter if needed) and an up-to-date release/gradebook."""
    chapter_nb = Path(chapters_dir) / assignment / release.SOURCE_NAME
    if not (course_dir / "source" / assignment).is_dir() and chapter_nb.exists():
        release.sync_source(chapter_nb, course_dir, assignment)
    if release.needs_generate(assignment, course_dir):
        release.generate(assignment, course_dir)


def grade(
    assignment: str,
    *,
    course_dir: Path = AUTOGRADER_DIR,
    jobs: int | None = None,
    students: list[str] | None = None,
    cell_timeout: int | None = None,
    notebook_timeout: int = 600,
    memory_mb: int = KERNEL_MEMORY_MB,
    progress: bool = True,
) -> list[Outcome]:
    """Grade every submission of ``assignment``; returns one Outcome per student."""
    import warnings

    # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warning; harmless.
    warnings.filterwarnings("ignore", message="Object of type .* not in session")
    course.prepare_environment()
    course.share_gradebook_engine()
    course_dir = Path(course_dir).resolve()
    ensure_assignment(assignment, course_dir)
    config = course.load_config(course_dir)
    db_url = config.CourseDirectory.db_url
    course.quiet_nbgrader(logging.ERROR)
    names = [p.stem for p in course.source_notebooks(course_dir, assignment)]
    released = {name: _released_cells(course_dir, assignment, name) for name in names}

    submitted = course_dir / "submitted"
    found = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())
    if students:
        unknown = sorted(set(students) - set(found))
        if unknown:
            raise BootcampError(f"no submission of {assignment} from: {', '.join(unknown)}")
        found = [s for s in found if s in students]
    if not found:
        raise BootcampError(f"no submissions in {submitted}/*/{assignment}/")

    jobs = max(1, jobs or os.cpu_count() or 1)
    state_dir = course_dir / ".bootcamp"
    state_dir.mkdir(exist_ok=True)
    outcomes = {s: Outcome(s) for s in found}
    queue = list(found)  # students still to sanitize
    ready: list[tuple[str, Path]] = []  # sanitized notebooks waiting for a worker
    started: dict[str, float] = {}
    total = len(found) * len(names)
    bar = _progress(total, progress)

    def finish(student: str, path: Path, result: dict | None, reason: str | None) -> None:
        outcome = outcomes[student]
        name = path.stem
        problems = list(result.get("problems", [])) if result else []
        if result and result.get("error"):
            problems.append(f"could not be executed: {result['error']}")
        if reason:
            problems.append(reason)
        if problems or result is None:
            nb = nbformat.read(path, as_version=4)
            if result is None or result.get("error"):
                fail_unrun_tests(nb)  # nothing ran (or we cannot trust what did)
                nbformat.write(nb, path)
        _save_grades(config, db_url, assignment, student, path)
        if problems:
            _flag_notebook(db_url, assignment, student, name)
            outcome.flags += [(name, p) for p in problems]
        if result and result.get("truncated"):
            outcome.notes.append((name, "output was truncated (very long output)"))
        outcome.seconds = round(time.monotonic() - started.get(student, time.monotonic()), 1)
        bar.update(1)

    def sanitize(student: str) -> None:
        outcome = outcomes[student]
        started[student] = time.monotonic()
        folder = submitted / student / assignment
        skip: set[str] = set()
        present = {p.stem: p for p in folder.glob("*.ipynb")}
        for name in names:
            if name not in present:
                others = sorted(p.name for p in present.values() if p.stem not in names)
                why = f"no {name}.ipynb in the submission"
                if others:
                    why += f" (found {', '.join(others)}: wrongly named? rename it and regrade)"
                outcome.flags.append((name, why))
                skip.add(name)
                continue
            nb, problem = _read_notebook(present[name])
            if problem:
                outcome.flags.append((name, problem))
                skip.add(name)
                continue
            outcome.notes += [(name, r) for r in _tampering(nb, released[name])]
        if len(skip) < len(names):
            converter = _sanitizer(config, student, assignment, skip)
            collector = course.ErrorCollector()
            converter.log.addHandler(collector)
            try:
                converter.start()
            except Exception:
                reason = "; ".join(collector.messages[-2:]) or "nbgrader could not sanitize it"
                for name in names:
                    if name not in skip:
                        outcome.flags.append((name, f"could not be prepared: {reason}"))
                        skip.add(name)
            finally:
                converter.log.removeHandler(collector)
        for name in names:
            if name in skip:
                _zero_notebook(db_url, assignment, student, name)
                bar.update(1)
            else:
                path = course_dir / "autograded" / student / assignment / f"{name}.ipynb"
                ready.append((student, path))

    workers = [_Worker(course_dir, state_dir / f"worker-{i}.log") for i in range(jobs)]
    selector = selectors.DefaultSelector()
    for worker in workers:
        selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)
    idle: list[_Worker] = []
    busy: dict[_Worker, tuple[str, Path]] = {}
    try:
        while queue or ready or busy:
            while idle and ready:
                worker = idle.pop()
                student, path = ready.pop(0)
                task = {"path": str(path), "cell_timeout": cell_timeout, "memory_mb": memory_mb}
                worker.submit(task, time.monotonic() + notebook_timeout)
                busy[worker] = (student, path)
            if queue and len(ready) < max(1, len(idle)) + jobs:
                sanitize(queue.pop(0))  # keep the workers fed while they run
                if len(ready) < jobs or not busy:
                    continue
            now = time.monotonic()
            deadlines = [w.deadline for w in busy] or [now + 1]
            wait = max(0.0, min(min(deadlines) - now, 1.0 if queue else 5.0))
            for key, _ in selector.select(timeout=wait):
                worker = key.data
                try:
                    messages = worker.messages()
                except EOFError:
                    messages = [{"event": "died"}]
                for message in messages:
                    event = message.get("event")
                    if event == "ready":
                        idle.append(worker)
                    elif event == "kernel":
                        worker.kernel_pid = message["pid"]
                    elif event == "done":
                        student, path = busy.pop(worker)
                        finish(student, path, message, None)
                        idle.append(worker)
                    elif event == "died":
                        selector.unregister(worker.proc.stdout)
                        job = busy.pop(worker, None)
                        worker.kill()
                        if worker in idle:
                            idle.remove(worker)
                        replacement = _replace(workers, worker, course_dir, state_dir, selector)
                        if job:
                            finish(*job, None, "the grading process died while running it")
                        del replacement
            now = time.monotonic()
            for worker in [w for w in busy if w.deadline < now]:
                selector.unregister(worker.proc.stdout)
                student, path = busy.pop(worker)
                worker.kill()
                _replace(workers, worker, course_dir, state_dir, selector)
                finish(
                    student,
                    path,
                    None,
                    f"stopped after {notebook_timeout} s for the whole notebook "
                    "(endless loop or a kernel that ignores interrupts?)",
                )
    finally:
        for worker in workers:
            worker.close()
        bar.close()
    results = [outcomes[s] for s in found]
    _write_flags(course_dir, assignment, results)
    return results


def _replace(workers, dead, course_dir, state_dir, selector) -> _Worker:
    index = workers.index(dead)
    fresh = _Worker(course_dir, state_dir / f"worker-{index}.log")
    workers[index] = fresh
    selector.register(fresh.proc.stdout, selectors.EVENT_READ, fresh)
    return fresh


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", desc="grading", file=sys.stderr)


def flags_path(course_dir: Path, assignment: str) -> Path:
    return Path(course_dir) / "reports" / assignment / "flags.csv"


def read_flags(course_dir: Path, assignment: str) -> list[dict]:
    path = flags_path(course_dir, assignment)
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_flags(course_dir: Path, assignment: str, outcomes: list[Outcome]) -> None:
    regraded = {o.student for o in outcomes}
    rows = [r for r in read_flags(course_dir, assignment) if r["student"] not in regraded]
    for o in outcomes:
        rows += [
            {"student": o.student, "notebook": n, "kind": "manual", "reason": r} for n, r in o.flags
        ]
        rows += [
            {"student": o.student, "notebook": n, "kind": "note", "reason": r} for n, r in o.notes
        ]
    path = flags_path(course_dir, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FLAG_FIELDS)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["student"], r["notebook"], r["kind"])))


def scores(course_dir: Path, assignment: str) -> dict[str, tuple[float, float]]:
    """student -> (autograded score, autograded maximum) from the gradebook."""
    from nbgrader.api import Gradebook

    config = course.load_config(course_dir)
    out = {}
    with Gradebook(config.CourseDirectory.db_url) as gb:
        for submission in gb.assignment_submissions(assignment):
            score = max_score = 0.0
            for nb in submission.notebooks:
                for grade in nb.grades:
                    if grade.cell.cell_type == "code":
                        score += grade.score or 0
                        max_score += grade.max_score
            out[submission.student.id] = (score, max_score)
    return out


def main(args) -> int:
    import warnings

    warnings.filterwarnings("ignore", module="nbformat")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    course_dir = Path(args.course_dir).resolve()
    if args.zip:
        course.prepare_environment()
        _collect_zip(Path(args.zip), args.assignment, course_dir)
    started = time.monotonic()
    outcomes = grade(
        args.assignment,
        course_dir=course_dir,
        jobs=args.jobs,
        students=args.student,
        cell_timeout=args.cell_timeout,
        notebook_timeout=args.notebook_timeout,
        memory_mb=args.memory_mb,
        progress=not args.quiet,
    )
    points = scores(course_dir, args.assignment)
    flagged = [o for o in outcomes if o.flags]
    print(
        f"graded {len(outcomes)} submissions of {args.assignment} in "
        f"{time.monotonic() - started:.1f} s; {len(flagged)} need a person"
    )
    for o in outcomes:
        score, max_score = points.get(o.student, (0.0, 0.0))
        status = "MANUAL" if o.flags else "ok"
        print(f"  {o.student:<24} {score:>5g} / {max_score:<5g} {status}")
        for name, reason in o.flags:
            print(f"      ! {name}: {reason}")
        for name, remark in o.notes:
            print(f"      - {name}: {remark}")
    print(f"flags: {flags_path(course_dir, args.assignment)}")
    return 0
