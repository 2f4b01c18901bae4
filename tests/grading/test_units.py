"""Fast unit tests of the grading library on tiny notebooks built from cell factories (as
nbgrader's own tests do): no kernel, no course folder unless a test makes one in tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from traitlets.config import Config

from bootcamp.errors import BootcampError
from bootcamp.grading import flags, gradebook, intake, pipeline, steps


def nbgrader_cell(source: str, grade_id: str, *, solution=False, grade=False, points=None):
    """A code cell with nbgrader metadata, as nbgrader's own tests build them."""
    from nbgrader.utils import compute_checksum

    cell = new_code_cell(source)
    meta = {"solution": solution, "grade": grade, "locked": grade, "grade_id": grade_id}
    cell.metadata.nbgrader = {**meta, "schema_version": 3}
    if grade:
        cell.metadata.nbgrader["points"] = points
        cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    return cell


def solution_cell(source: str, grade_id: str):
    return nbgrader_cell(source, grade_id, solution=True)


def grade_cell(source: str, grade_id: str, points: float = 1):
    return nbgrader_cell(source, grade_id, grade=True, points=points)


def tiny_notebook():
    return new_notebook(
        cells=[
            new_markdown_cell("# Tiny"),
            solution_cell("def f():\n    return 1", "f"),
            grade_cell("assert f() == 1", "test_f", 2),
        ]
    )


# --------------------------------------------------------------------------- intake


def test_read_notebook_accepts_a_notebook(tmp_path):
    path = tmp_path / "a.ipynb"
    nbformat.write(tiny_notebook(), path)
    got = intake.read_notebook(path)
    assert got.problem is None and len(got.nb.cells) == 3


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"cells": [', "JSON"),
        (b'{"cells": 3}', "Jupyter notebook"),
    ],
)
def test_read_notebook_gives_one_line_reasons(tmp_path, data, words):
    path = tmp_path / "a.ipynb"
    path.write_bytes(data)
    got = intake.read_notebook(path)
    assert got.nb is None and words in got.problem and "\n" not in got.problem


def test_read_notebook_missing_file(tmp_path):
    assert "cannot read" in intake.read_notebook(tmp_path / "nope.ipynb").problem


def test_tampering_names_deleted_and_edited_cells():
    released = intake.released_cells(tiny_notebook())
    assert set(released) == {"f", "test_f"} and released["test_f"].grade
    nb = tiny_notebook()
    assert intake.tampering(nb, released) == []
    nb.cells[2].source = "pass"
    assert "locked cells edited (test_f)" in intake.tampering(nb, released)[0]
    nb.cells = nb.cells[:2]
    assert "deleted" in intake.tampering(nb, released)[0]


# --------------------------------------------------------------------------- stages


def test_stages_follow_the_config():
    from nbgrader.preprocessors import IgnorePattern, LimitOutput, SaveAutoGrades

    from bootcamp.grading.preprocessors import GuardedExecute

    config = Config()
    config.Autograde.autograde_preprocessors = [
        "nbgrader.preprocessors.Execute",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.IgnorePattern",
        "nbgrader.preprocessors.SaveAutoGrades",
    ]
    config.Autograde.sanitize_preprocessors = ["nbgrader.preprocessors.ClearOutput"]
    plan = pipeline.stages(config)
    assert plan.execute == [GuardedExecute, LimitOutput, IgnorePattern]
    assert plan.save == [SaveAutoGrades]
    assert [p.__name__ for p in plan.sanitize] == ["ClearOutput"]


def test_stages_default_to_nbgraders_lists():
    plan = pipeline.stages(Config())
    names = [p.__name__ for p in plan.execute + plan.save]
    assert names[0] == "GuardedExecute" and "SaveAutoGrades" in names
    assert "OverwriteCells" in [p.__name__ for p in plan.sanitize]


def test_stages_refuse_a_list_without_saving():
    config = Config()
    config.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute"]
    with pytest.raises(BootcampError, match="SaveAutoGrades"):
        pipeline.stages(config)


def test_course_config_stages():
    from bootcamp.grading import course
    from bootcamp.paths import AUTOGRADER_DIR

    plan = pipeline.stages(course.load_config(AUTOGRADER_DIR))
    assert "RestoreTests" in [p.__name__ for p in plan.sanitize]


# --------------------------------------------------------------------------- outputs


def test_fail_unrun_tests_gives_each_test_an_error():
    nb = tiny_notebook()
    pipeline.fail_unrun_tests(nb)
    assert nb.cells[2].outputs[0].output_type == "error"
    assert not nb.cells[1].get("outputs")


# --------------------------------------------------------------------------- flags


def test_flags_round_trip_keeps_other_students(tmp_path):
    flags.write_flags(tmp_path, "a1", [flags.Outcome("ann", flags=[("nb", "why")])])
    flags.write_flags(tmp_path, "a1", [flags.Outcome("bob", notes=[("nb", "fyi")])])
    rows = flags.read_flags(tmp_path, "a1")
    assert [(r["student"], r["kind"]) for r in rows] == [("ann", "manual"), ("bob", "note")]
    flags.write_flags(tmp_path, "a1", [flags.Outcome("ann")])
    assert [r["student"] for r in flags.read_flags(tmp_path, "a1")] == ["bob"]


# --------------------------------------------------------------------------- steps


class RecordingStep:
    def before(self, nb, ctx):
        return nb

    def after(self, nb, ctx):
        return nb


class NotAStep:
    pass


def test_load_steps(monkeypatch):
    monkeypatch.setitem(sys.modules, "stepmod", sys.modules[__name__])
    loaded = steps.load_steps(["stepmod.RecordingStep"])
    assert len(loaded) == 1 and isinstance(loaded[0], RecordingStep)
    with pytest.raises(BootcampError, match="cannot be imported"):
        steps.load_steps(["stepmod.Missing"])
    with pytest.raises(BootcampError, match="before"):
        steps.load_steps(["stepmod.NotAStep"])


def test_configured_steps_default_empty_course_runs_the_judge():
    from bootcamp.grading import course
    from bootcamp.paths import AUTOGRADER_DIR

    assert steps.configured_steps(Config()) == []
    configured = steps.configured_steps(course.load_config(AUTOGRADER_DIR))
    assert configured == ["bootcamp.grading.judge.Judge"]
    assert len(steps.load_steps(configured)) == 1


# --------------------------------------------------------------------------- gradebook


def test_iter_scores_on_a_tiny_gradebook(tmp_path):
    from nbgrader.api import Gradebook

    from bootcamp.grading import course

    course.prepare_environment()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gb:
        gb.add_assignment("a1")
        gb.add_notebook("nb", "a1")
        gb.add_grade_cell("test_q2", "nb", "a1", max_score=2, cell_type="code")
        gb.add_grade_cell("test_q1", "nb", "a1", max_score=1, cell_type="code")
        gb.add_grade_cell("essay", "nb", "a1", max_score=3, cell_type="markdown")
        for student in ("bob", "ann"):
            gb.add_student(student)
            gb.add_submission("a1", student)
        grade = gb.find_grade("test_q2", "nb", "a1", "ann")
        grade.auto_score = 2
        gb.db.commit()
    got = list(gradebook.iter_scores(url, "a1"))
    assert [s.student for s in got][:1] == ["ann"] and len(got) == 6
    positions = {s.question: s.position for s in got}
    assert set(positions) == {"test_q2", "test_q1", "essay"}
    assert sorted(positions.values()) == [0, 1, 2]
    assert gradebook.autograded_totals(url, "a1") == {"ann": (2, 3), "bob": (0, 3)}
    assert gradebook.db_path(url) == Path(tmp_path / "gradebook.db")


# --------------------------------------------------------------------------- intake fixes


def test_duplicated_cells_become_ordinary_cells():
    import copy

    from bootcamp.grading.preprocessors import DeduplicateCells

    nb = tiny_notebook()
    nb.cells.insert(2, copy.deepcopy(nb.cells[1]))  # the answer cell, copied
    nb.cells.append(copy.deepcopy(nb.cells[3]))  # the test cell, copied
    assert [r.split(" ")[1] for r in intake.duplicates(nb)] == ["f", "test_f"]
    nb, _ = DeduplicateCells().preprocess(nb, {})
    roles = [intake.grade_id(c) for c in nb.cells]
    assert roles == [None, None, "f", None, "test_f"]
    assert all("nbgrader" not in c.metadata for c in (nb.cells[1], nb.cells[3]))


def test_error_collector_finds_the_real_cause():
    import logging

    from bootcamp.grading import course

    log = logging.getLogger("test-collector")
    collector = course.ErrorCollector()
    log.addHandler(collector)
    log.error("Traceback (most recent call last):\n  File 'x'\nKeyError: 'grade_id'")
    log.error("Please see the the above traceback for details")
    log.removeHandler(collector)
    assert collector.cause() == "KeyError: 'grade_id'"


def test_scrub_removes_hidden_lines_wherever_they_appear():
    from bootcamp.grading.preprocessors import HideHiddenTests, hidden_lines, scrub

    test = grade_cell(
        "assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() + 0 == 1, 'secret'\n"
        "### END HIDDEN TESTS",
        "test_f",
    )
    nb = tiny_notebook()
    nb.cells[2] = test
    hidden = hidden_lines(nb)
    assert "assert f() + 0 == 1, 'secret'" in hidden
    colored = "\x1b[0;32massert\x1b[0m f() + 0 == 1, 'secret'\nkept\n"
    assert scrub(colored, hidden) == "kept\n"
    history = repr(["", test.source])  # what print(In) shows
    assert scrub(history + "\nother", hidden) == "other"
    printer = new_code_cell('print("### BEGIN HIDDEN TESTS")')
    printer.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="### BEGIN HIDDEN TESTS\n"),
        nbformat.v4.new_output("stream", name="stdout", text=history + "\n"),
    ]
    test.outputs = [
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue=test.source, traceback=["x", test.source]
        )
    ]
    nb.cells += [printer]
    nb, _ = HideHiddenTests().preprocess(nb, {})
    text = nbformat.writes(nb)
    assert "secret" not in text and "BEGIN HIDDEN" not in text
    assert nb.cells[2].outputs[0].traceback == ["ValueError: assert f() == 1"]


# --------------------------------------------------------------------------- datasets


def test_datasets_needed_resolves_literal_loops(tmp_path):
    from bootcamp.grading import datasets

    nb = new_notebook(
        cells=[
            new_code_cell('%matplotlib inline\nfrom bootcamp import data\nv = data.load("voters")'),
            new_code_cell(
                'others = [data.load("voters", preset="tiny", seed=s) for s in (11, 12)]\n'
                "for s in [31]:\n    con = data.connect(preset='tiny', seed=s)\n"
                "t = data.load('truth_changes', preset='tiny', seed=32, snapshot=1)\n"
                "x = data.load(name)  # not literal: skipped"
            ),
        ]
    )
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    both = ("parquet", "sqlite")  # helpers open a dataset either way
    assert datasets.needed([path]) == {
        ("county", None, None, True, both, 0),
        ("tiny", 11, None, True, both, 0),
        ("tiny", 12, None, True, both, 0),
        ("tiny", 31, None, True, both, 0),
        ("tiny", 32, None, True, both, 1),
    }


# --------------------------------------------------------------------------- sandbox


def _spec(tmp_path, kind="bwrap"):
    from bootcamp.grading import sandbox

    for d in ("work", "runtime", "inbox", "outbox"):
        (tmp_path / d).mkdir()
    (tmp_path / "work" / "exercises.ipynb").write_text("{}")
    return sandbox.spec_for(
        kind=kind,
        work=tmp_path / "work",
        runtime=tmp_path / "runtime",
        inbox=tmp_path / "inbox",
        outbox=tmp_path / "outbox",
        data_dir=tmp_path / "data",
        hide=[tmp_path / "course"],
        limits=sandbox.Limits(memory_mb=1000, processes=10),
    )


def test_bwrap_command_exposes_only_what_the_kernel_needs(tmp_path):
    from bootcamp.grading import sandbox
    from bootcamp.paths import AUTOGRADER_DIR, CHAPTERS_DIR

    spec = _spec(tmp_path)
    cmd = sandbox.bwrap_command(spec, ["python", "-m", "ipykernel_launcher"])
    binds = {cmd[i + 2]: cmd[i] for i, a in enumerate(cmd) if a in ("--bind", "--ro-bind")}
    writable = sorted(dest for dest, how in binds.items() if how == "--bind")
    assert writable == sorted([spec.runtime, sandbox.OUTBOX])
    assert binds[sandbox.INBOX] == "--ro-bind"
    assert binds[f"{sandbox.WORK}/exercises.ipynb"] == "--ro-bind"
    for hidden in (AUTOGRADER_DIR, CHAPTERS_DIR, CHAPTERS_DIR.parent):
        assert str(hidden) not in binds
    assert "--unshare-net" in cmd or "--unshare-all" in cmd
    assert "--unshare-pid" in cmd or "--unshare-all" in cmd
    assert "--die-with-parent" in cmd and "--clearenv" in cmd
    assert cmd[cmd.index("--") + 1 :][-3:] == ["python", "-m", "ipykernel_launcher"]


def test_unshare_command_hides_the_course(tmp_path):
    from bootcamp.grading import sandbox

    spec = _spec(tmp_path, kind="unshare")
    script = sandbox.unshare_command(spec, ["python"])[-1]
    assert f"mount -t tmpfs -o size=1m,mode=000 none {tmp_path / 'course'}" in script
    assert spec.env["BOOTCAMP_OUTBOX"] == str(tmp_path / "outbox")


def test_outbox_cap(tmp_path):
    from bootcamp.grading import sandbox

    (tmp_path / "a.json").write_bytes(b"x" * 2048)
    assert sandbox.outbox_problem(tmp_path, sandbox.Limits(outbox_mb=1)) is None
    (tmp_path / "big.bin").write_bytes(b"x" * (2 * 1024 * 1024))
    assert "limit 1 MB" in sandbox.outbox_problem(tmp_path, sandbox.Limits(outbox_mb=1))
    (tmp_path / "big.bin").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "answers").symlink_to("/etc")
    assert "not a plain file" in sandbox.outbox_problem(tmp_path, sandbox.Limits())


@pytest.mark.skipif(
    __import__("bootcamp.grading.sandbox", fromlist=["detect"]).detect() != "bwrap",
    reason="needs bubblewrap",
)
def test_sandboxed_process_sees_and_may_do_little(tmp_path):
    """A process started through the launcher: its own PID namespace, no network, limits, an
    unprivileged user, read-only inbox, and the course folder invisible."""
    import os
    import subprocess

    from bootcamp.grading import sandbox

    spec = _spec(tmp_path)
    (tmp_path / "course").mkdir()
    sandbox.prepare(spec)
    probe = (
        "import os, json, resource, socket\n"
        "out = {'pid': os.getpid(), 'uid': os.getuid(), 'cwd': os.getcwd(),\n"
        "       'files': sorted(os.listdir('.')), 'course': os.path.exists(COURSE),\n"
        "       'nproc': resource.getrlimit(resource.RLIMIT_NPROC)[0],\n"
        "       'fsize': resource.getrlimit(resource.RLIMIT_FSIZE)[0]}\n"
        "try:\n    open(os.path.join(os.environ['BOOTCAMP_INBOX'], 'x'), 'w')\n"
        "    out['inbox'] = 'writable'\nexcept OSError:\n    out['inbox'] = 'read-only'\n"
        "open(os.path.join(os.environ['BOOTCAMP_OUTBOX'], 'r.json'), 'w').write('1')\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    out['net'] = 'yes'\n"
        "except OSError:\n    out['net'] = 'no'\n"
        "print(json.dumps(out))\n"
    ).replace("COURSE", repr(str(tmp_path / "course")))
    import sys

    done = subprocess.run(
        sandbox.launcher(spec, [sys.executable, "-c", probe]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = __import__("json").loads(done.stdout)
    assert out["pid"] <= 3  # a fresh PID namespace
    assert out["uid"] == (spec.uid if os.geteuid() == 0 else os.geteuid())
    assert out["cwd"] == sandbox.WORK and out["files"] == ["exercises.ipynb"]
    assert out["course"] is False and out["inbox"] == "read-only" and out["net"] == "no"
    assert out["nproc"] == 10 and out["fsize"] == spec.limits.file_mb * 1024 * 1024
    assert (tmp_path / "outbox" / "r.json").read_text() == "1"


@pytest.mark.skipif(
    __import__("os").geteuid() != 0
    or not __import__("bootcamp.grading.sandbox", fromlist=["x"])._cgroup_dirs("probe"),
    reason="control groups need root",
)
def test_memory_is_capped_for_the_whole_submission(tmp_path):
    """Three processes of 120 MB each fit the per-process limit (250 MB) but not the
    submission's 250 MB together: the control group kills at least one of them."""
    import json
    import subprocess
    import sys

    from bootcamp.grading import sandbox

    spec = _spec(tmp_path)
    spec = sandbox.Spec(**{**spec.__dict__, "limits": sandbox.Limits(memory_mb=250)})
    sandbox.prepare(spec)
    hog = "import time; b = b'x' * (120 * 2**20); time.sleep(4)"
    parent = (
        "import json, subprocess, sys\n"
        f"kids = [subprocess.Popen([sys.executable, '-c', {hog!r}]) for _ in range(3)]\n"
        "print(json.dumps([k.wait() for k in kids]))\n"
    )
    try:
        done = subprocess.run(
            sandbox.launcher(spec, [sys.executable, "-c", parent]),
            capture_output=True,
            text=True,
            timeout=60,
        )
        codes = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
    finally:
        sandbox.remove_cgroup(spec.cgroup)
    # the parent itself may be the one killed (then no output): either way not all three lived
    assert codes is None or any(code != 0 for code in codes), (codes, done.stderr[-500:])
    assert codes is not None or done.returncode != 0
