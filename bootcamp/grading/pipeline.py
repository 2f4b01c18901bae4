"""The grading pipeline behind ``bootcamp grade``: nbgrader autograde, split so that only the slow
part runs in parallel, only this process writes the gradebook, and learner code runs sandboxed.

nbgrader's ``autograde`` runs two preprocessor lists per notebook, both read from the course
config (``c.Autograde.sanitize_preprocessors`` and ``c.Autograde.autograde_preprocessors``):

1. here: validate the file, then the *sanitize* list through nbgrader's ``Autograde`` converter
   (student and submission rows, timestamps, copying, OverwriteCells restoring test cells);
   then each trusted step's ``before`` (:mod:`bootcamp.grading.steps`);
2. worker processes (:mod:`bootcamp.grading.worker`): the *autograde* list up to SaveAutoGrades
   (Execute becomes :class:`~bootcamp.grading.preprocessors.GuardedExecute`: per-cell timeout,
   memory limit, output cap), with the kernel inside a sandbox (:mod:`bootcamp.grading.sandbox`);
3. here, after the sandbox is gone: each trusted step's ``after``, then SaveAutoGrades and the
   rest of the autograde list.

A notebook that cannot be graded automatically still gets its grade rows (zero for tests that
did not run) with ``needs_manual_grade`` set, and a reason in ``reports/ASSIGNMENT/flags.csv``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from bootcamp.errors import BootcampError
from bootcamp.grading import (
    KERNEL_MEMORY_MB,
    course,
    datasets,
    gradebook,
    intake,
    integrity,
    release,
    sandbox,
    steps,
)
from bootcamp.grading.flags import Outcome, write_flags
from bootcamp.grading.pool import Job, Pool
from bootcamp.paths import AUTOGRADER_DIR, CHAPTERS_DIR, datasets_dir


@dataclass(frozen=True)
class Stages:
    """nbgrader's autograde preprocessors, as configured, cut where grading crosses processes."""

    sanitize: list[type]  # in this process, before execution
    execute: list[type]  # in a worker (Execute and what follows it, up to SaveAutoGrades)
    save: list[type]  # in this process, after execution (SaveAutoGrades onwards)


def _import(item) -> type:
    if isinstance(item, str):
        import importlib

        module, _, name = item.rpartition(".")
        return getattr(importlib.import_module(module), name)
    return item


def stages(config) -> Stages:
    """Read nbgrader's two autograde lists from ``config`` (nbgrader's defaults when unset)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    from bootcamp.grading.preprocessors import GuardedExecute

    defaults = Autograde.class_traits()
    section = config.get("Autograde", {})
    sanitize = section.get("sanitize_preprocessors") or defaults["sanitize_preprocessors"].default()
    autograde = (
        section.get("autograde_preprocessors") or defaults["autograde_preprocessors"].default()
    )
    sanitize = [_import(p) for p in sanitize]
    autograde = [_import(p) for p in autograde]
    cut = next((i for i, p in enumerate(autograde) if issubclass(p, SaveAutoGrades)), None)
    if cut is None:
        raise BootcampError("Autograde.autograde_preprocessors has no SaveAutoGrades")
    execute = [GuardedExecute if issubclass(p, Execute) else p for p in autograde[:cut]]
    if GuardedExecute not in execute:
        raise BootcampError("Autograde.autograde_preprocessors has no Execute step")
    return Stages(sanitize=sanitize, execute=execute, save=autograde[cut:])


def dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# --------------------------------------------------------------------------- nbgrader stages


def _sanitizer(config, student: str, assignment: str, skip: set[str], preprocessors: list[type]):
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter

    class Sanitize(Autograde):
        """nbgrader's autograde converter, stopped after its sanitize pipeline."""

        def _init_preprocessors(self) -> None:
            self.exporter._preprocessors = []
            for pp in preprocessors:
                self.exporter.register_preprocessor(pp)

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


def fail_unrun_tests(nb: NotebookNode) -> NotebookNode:
    """Give every test cell without an error output one, so nbgrader scores it zero."""
    from nbgrader import utils

    for cell in nb.cells:
        if not utils.is_grade(cell) or cell.cell_type != "code":
            continue
        if any(o.output_type == "error" for o in cell.get("outputs", [])):
            continue
        cell.outputs = [
            NotebookNode(
                output_type="error",
                ename="NotRun",
                evalue="this test did not run because the notebook was stopped",
                traceback=["NotRun: this test did not run because the notebook was stopped"],
            )
        ]
    return nb


def ensure_assignment(assignment: str, course_dir: Path, chapters_dir: Path = CHAPTERS_DIR) -> None:
    """Source in the course (from the chapter if needed) and an up-to-date release/gradebook."""
    chapter_nb = Path(chapters_dir) / assignment / release.SOURCE_NAME
    if not (course_dir / "source" / assignment).is_dir() and chapter_nb.exists():
        release.sync_source(chapter_nb, course_dir, assignment)
    if release.needs_generate(assignment, course_dir):
        release.generate(assignment, course_dir)


def find_submissions(course_dir: Path, assignment: str, students: list[str] | None) -> list[str]:
    submitted = course_dir / "submitted"
    found = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())
    if students:
        unknown = sorted(set(students) - set(found))
        if unknown:
            raise BootcampError(f"no submission of {assignment} from: {', '.join(unknown)}")
        found = [s for s in found if s in students]
    if not found:
        raise BootcampError(f"no submissions in {submitted}/*/{assignment}/")
    return found


# --------------------------------------------------------------------------- the batch


@dataclass
class _Run:
    """One notebook of one submission on its way through the pipeline."""

    student: str
    name: str
    path: Path  # autograded/STUDENT/ASSIGNMENT/NAME.ipynb (trusted side)
    ctx: steps.SubmissionContext
    folder: Path  # private scratch folder: inbox, outbox, work copy, kernel runtime
    extra: dict = field(default_factory=dict)


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
    config = course.load_config(course_dir)
    db_url = config.CourseDirectory.db_url
    if integrity.recorded(course_dir, assignment):  # before anything is regenerated from it
        integrity.verify(course_dir, assignment, db_url)
    ensure_assignment(assignment, course_dir)
    if not integrity.recorded(course_dir, assignment):
        integrity.record(course_dir, assignment, db_url)
    course.quiet_nbgrader(logging.ERROR)
    plan = stages(config)
    trusted = steps.load_steps(steps.configured_steps(config))
    sources = course.source_notebooks(course_dir, assignment)
    names = [p.stem for p in sources]
    datasets.prepare(sources)  # kernels see the datasets read-only: generate them now
    kind = sandbox.detect()
    if kind == "none":
        import sys

        print(sandbox.WARNING, file=sys.stderr)
    sandbox.sweep_cgroups()
    limits = sandbox.Limits(memory_mb=memory_mb, cpu_seconds=max(60, int(notebook_timeout)))
    released = {
        name: intake.released_cells(
            nbformat.read(course_dir / "release" / assignment / f"{name}.ipynb", as_version=4)
        )
        for name in names
    }
    found = find_submissions(course_dir, assignment, students)
    state_dir = course_dir / ".bootcamp"
    state_dir.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bootcamp-grade-"))
    scratch.chmod(0o711)  # kernels (nobody) reach their own box only; boxes are not listable
    outcomes = {s: Outcome(s) for s in found}
    started: dict[str, float] = {}
    bar = _progress(len(found) * len(names), progress)
    execute_names = [dotted(p) for p in plan.execute]

    def prepare(student: str) -> list[Job]:
        outcome = outcomes[student]
        started[student] = time.monotonic()
        folder = course_dir / "submitted" / student / assignment
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
            submitted = intake.read_notebook(present[name])
            if submitted.problem:
                outcome.flags.append((name, submitted.problem))
                skip.add(name)
                continue
            outcome.notes += [(name, r) for r in intake.duplicates(submitted.nb)]
            outcome.notes += [(name, r) for r in intake.tampering(submitted.nb, released[name])]
        if len(skip) < len(names):
            converter = _sanitizer(config, student, assignment, skip, plan.sanitize)
            collector = course.ErrorCollector()
            converter.log.addHandler(collector)
            try:
                converter.start()
            except Exception as exc:
                reason = collector.cause() or f"{type(exc).__name__}: {exc}".splitlines()[0]
                for name in names:
                    if name not in skip:
                        outcome.flags.append((name, f"could not be prepared: {reason}"))
                        skip.add(name)
            finally:
                converter.log.removeHandler(collector)
        jobs_out = []
        for name in names:
            if name in skip:
                gradebook.zero_notebook(db_url, assignment, student, name)
                bar.update(1)
                continue
            path = course_dir / "autograded" / student / assignment / f"{name}.ipynb"
            box = scratch / student / name
            ctx = steps.SubmissionContext(
                assignment=assignment,
                student=student,
                course=course_dir,
                inbox=box / "inbox",
                outbox=box / "outbox",
            )
            for d in (ctx.inbox, ctx.outbox, box / "work", box / "runtime"):
                d.mkdir(parents=True)
            for d in (box.parent, box):
                d.chmod(0o711)
            for src in folder.iterdir():  # the kernel's private copy of the submission
                if src.is_file() and not src.is_symlink():
                    shutil.copyfile(src, box / "work" / src.name)
            run = _Run(student, name, path, ctx, box)
            if trusted:
                nb = nbformat.read(path, as_version=4)
                for step in trusted:
                    nb = step.before(nb, ctx)
                nbformat.write(nb, path)
            task = {
                "path": str(path),
                "cell_timeout": cell_timeout,
                "memory_mb": memory_mb,
                "preprocessors": execute_names,
                "work": str(box / "work"),
                "inbox": str(ctx.inbox),
                "outbox": str(ctx.outbox),
                "sandbox": asdict(
                    sandbox.spec_for(
                        kind=kind,
                        work=box / "work",
                        runtime=box / "runtime",
                        inbox=ctx.inbox,
                        outbox=ctx.outbox,
                        data_dir=datasets_dir(),
                        hide=[course_dir, CHAPTERS_DIR],
                        limits=limits,
                    )
                ),
            }
            jobs_out.append(Job(run, task))
        return jobs_out

    def finish(job: Job, result: dict | None, reason: str | None) -> None:
        run: _Run = job.key
        outcome = outcomes[run.student]
        problems = list(result.get("problems", [])) if result else []
        if result and result.get("error"):
            problems.append(f"could not be executed: {result['error']}")
        if reason:
            problems.append(reason)
        nb = nbformat.read(run.path, as_version=4)
        if result is None or result.get("error"):
            fail_unrun_tests(nb)  # nothing ran (or we cannot trust what did)
        elif trusted and (why := sandbox.outbox_problem(run.ctx.outbox, limits)):
            problems.append(why)
            fail_unrun_tests(nb)
        else:
            for step in trusted:
                nb = step.after(nb, run.ctx)
        nb = gradebook.save_grades(config, plan.save, nb, assignment, run.student, run.name)
        nbformat.write(nb, run.path)
        if problems:
            gradebook.flag_notebook(db_url, assignment, run.student, run.name)
            outcome.flags += [(run.name, p) for p in problems]
        if result and result.get("truncated"):
            outcome.notes.append((run.name, "output was truncated (very long output)"))
        outcome.seconds = round(time.monotonic() - started.get(run.student, time.monotonic()), 1)
        shutil.rmtree(run.folder, ignore_errors=True)
        bar.update(1)

    jobs = max(1, jobs or os.cpu_count() or 1)
    try:
        Pool(jobs, course_dir, state_dir, notebook_timeout).run(found, prepare, finish)
    finally:
        bar.close()
        shutil.rmtree(scratch, ignore_errors=True)
    results = [outcomes[s] for s in found]
    write_flags(course_dir, assignment, results)
    return results


def scores(course_dir: Path, assignment: str) -> dict[str, tuple[float, float]]:
    """student -> (autograded score, autograded maximum) from the gradebook."""
    config = course.load_config(course_dir)
    return gradebook.autograded_totals(config.CourseDirectory.db_url, assignment)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    import sys

    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", desc="grading", file=sys.stderr)
