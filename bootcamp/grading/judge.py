"""The trusted judge: hidden tests decided outside the learner's kernel.

A *trusted step* of ``bootcamp grade`` (see "Trusted grading steps" in the grading README):
``c.BootcampGrade.trusted_steps = ["bootcamp.grading.judge.Judge"]``.

- :meth:`Judge.before` (after nbgrader restored the pristine test cells, before execution) reads
  each autograded test cell's declarative hidden test (the ``checks.hidden_test({...})`` call that
  ``bootcamp author`` writes) and the data of its visible check (``check("Q6")``, from the checker
  cell), both parsed with :func:`ast.literal_eval`, never executed; writes the inputs to
  ``ctx.inbox`` (each data set once, as Parquet or SQLite, the course data left where the sandbox
  shows it read-only, and a JSON manifest with the arguments of every case) and replaces the
  cell's source with one call,
  ``record("Q6")`` from :mod:`bootcamp.capture`. References and hidden-test code never enter the
  kernel.
- In the kernel, ``record`` runs the learner's function or query on those inputs and writes plain
  results (JSON, Parquet) to ``ctx.outbox``.
- :meth:`Judge.after` (after execution, before nbgrader saves the grades) decides the cell as the
  kernel would have, here in the grader's process: the visible check first
  (:meth:`bootcamp.checks.Checker.verdict` on the results' fingerprints, with its messages), then
  the hidden test (reference results computed here, compared with the canonical comparison of
  :mod:`bootcamp.checks`); it rewrites each test cell's outputs: ``Q6 passed.`` as a stream, or
  an error output whose ``evalue`` is the one-line hint (nbgrader scores that cell zero).

Test cells without a declarative hidden test (hand-written hidden code) are left as they are and
judged in the kernel, as plain ``nbgrader autograde`` does.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from bootcamp import capture, checks

_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def hidden_spec(source: str) -> dict | None:
    """The declarative hidden test in a test cell's source, or None when it has none."""
    found = _HIDDEN.search(source)
    if not found:
        return None
    try:
        tree = ast.parse(found.group(1))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "hidden_test")
                or (isinstance(node.func, ast.Name) and node.func.id == "hidden_test")
            )
            and node.args
        ):
            spec = ast.literal_eval(node.args[0])
            if isinstance(spec, dict) and {"label", "kind", "name", "reference"} <= set(spec):
                return spec
    return None


def capture_source(label: str) -> str:
    """The test cell's source while the judge grades it."""
    return (
        "# Grading: your answer runs on hidden data; the grader checks the result outside this\n"
        "# notebook.\n"
        "from bootcamp import capture as _bootcamp_capture\n\n"
        f'_bootcamp_capture.record("{label}")'
    )


def _folder(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", label)


def _write_dataset(dataset: Any, folder: Path, table: str) -> str:
    """Write one data set for the kernel; returns its file name relative to the inbox."""
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(dataset, sqlite3.Connection):
        target = sqlite3.connect(folder / "data.sqlite")
        dataset.backup(target)
        target.close()
        return f"{folder.name}/data.sqlite"
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(dataset, preserve_index=False), folder / f"{table}.parquet")
    return f"{folder.name}/{table}.parquet"


class Judge:
    """Trusted step: hidden inputs in before(), comparison outside the kernel in after()."""

    def __init__(self) -> None:
        # per submission (keyed by its inbox): the hidden specs, the trusted copy of the data and
        # the manifest. The data and the reference results are shared by every submission of the
        # same notebook (one judge grades a whole batch), so they are prepared once.
        self._pending: dict[str, tuple[dict[str, dict], Path, dict]] = {}
        self._prepared: dict[str, tuple[tempfile.TemporaryDirectory, dict]] = {}
        self._expected: dict[tuple[str, str, int], list] = {}

    def _prepared_for(self, specs: dict[str, dict]) -> tuple[Path, dict]:
        key = json.dumps(specs, sort_keys=True)
        if key not in self._prepared:
            folder = tempfile.TemporaryDirectory(prefix="bootcamp-judge-")
            self._prepared[key] = (folder, self._prepare(specs, Path(folder.name)))
        folder, manifest = self._prepared[key]
        return Path(folder.name), manifest

    # ------------------------------------------------------------------ before execution
    def before(self, nb: nbformat.NotebookNode, ctx: Any) -> nbformat.NotebookNode:
        specs = self._specs(nb)
        if not specs:
            return nb
        inbox = Path(ctx.inbox)
        inbox.mkdir(parents=True, exist_ok=True)
        private, manifest = self._prepared_for(specs)
        for item in private.iterdir():  # the kernel gets a copy; the judge keeps its own
            if item.is_dir():
                shutil.copytree(item, inbox / item.name, dirs_exist_ok=True)
            else:
                shutil.copy2(item, inbox / item.name)
        self._pending[str(inbox)] = (specs, private, manifest)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in specs:
                cell.source = capture_source(specs[grade_id]["label"])
                cell.outputs = []
        return nb

    @staticmethod
    def _specs(nb: nbformat.NotebookNode) -> dict[str, dict]:
        """grade_id -> declarative hidden test, for every autograded code test cell."""
        specs = {}
        visible = _visible_questions(nb)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                spec = hidden_spec(cell.source)
                if spec is not None:
                    if spec["label"] in visible and f'check("{spec["label"]}")' in cell.source:
                        spec["visible"] = visible[spec["label"]]  # the cell's visible check too
                    specs[meta["grade_id"]] = spec
        return specs

    @staticmethod
    def _prepare(specs: Mapping[str, dict], folder: Path) -> dict:
        """Write each visible and hidden data set once, and the manifest of cases, to ``folder``."""
        written: dict[str, str] = {}
        questions = {}

        def file_of(data_spec: Mapping, data: Mapping) -> str:
            key = checks.dataset_key({**data_spec, "data": data})
            if key not in written:
                dataset = checks.open_dataset(data_spec, data)
                try:
                    table = data.get("table", "voters")
                    written[key] = _write_dataset(
                        dataset, folder / f"data-{len(written) + 1}", table
                    )
                finally:
                    if isinstance(dataset, sqlite3.Connection):
                        dataset.close()
            return written[key]

        for spec in specs.values():
            fmt = "database" if spec["data"].get("kind") == "database" else "table"
            if spec["kind"] == "query":
                fmt = "database"
            cases = []
            for data_spec, args in checks.hidden_cases(spec) if spec["kind"] != "value" else []:
                file = file_of(data_spec, spec["data"])
                cases.append({"file": file, "format": fmt, "args": list(args)})
            if spec["kind"] == "value":
                cases = [{"file": None, "format": "none", "args": []}]
            visible = []
            for case in spec.get("visible", {}).get("cases", []):
                data_spec = case["data"]
                if data_spec is None or spec["kind"] == "value":
                    entry = {"file": None, "format": "none"}
                elif dict(data_spec) == checks.COURSE_DATA:  # read-only in the sandbox already
                    entry = {"file": None, "format": "course", "dataset": data_spec}
                    entry["data"] = spec["data"] | {"kind": fmt}
                else:
                    entry = {"file": file_of(data_spec, spec["data"]), "format": fmt}
                visible.append(entry | {"args": list(case["args"])})
            questions[spec["label"]] = {
                "kind": spec["kind"],
                "name": spec["name"],
                "folder": _folder(spec["label"]),
                "cases": cases,
                "visible": visible,
            }
        manifest = {"version": 1, "questions": questions}
        (folder / capture.MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        return manifest

    # ------------------------------------------------------------------ after execution
    def after(self, nb: nbformat.NotebookNode, ctx: Any) -> nbformat.NotebookNode:
        inbox = str(Path(ctx.inbox))
        if inbox in self._pending:
            specs, private, manifest = self._pending.pop(inbox)
        else:  # a fresh judge (another process): rebuild from the pristine source notebook
            specs = self._source_specs(ctx)
            if not specs:
                return nb
            private, manifest = self._prepared_for(specs)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id not in specs:
                continue
            spec = specs[grade_id]
            problem = self.judge(spec, manifest["questions"][spec["label"]], private, ctx)
            cell.outputs = [_passed(spec["label"]) if problem is None else _failed(problem)]
        return nb

    @staticmethod
    def _source_specs(ctx: Any) -> dict[str, dict]:
        folder = Path(ctx.course) / "source" / ctx.assignment
        specs: dict[str, dict] = {}
        for path in sorted(folder.glob("*.ipynb")):
            specs |= Judge._specs(nbformat.read(path, as_version=4))
        return specs

    def _accepted(self, spec: Mapping, case: Mapping, number: int, private: Path) -> list:
        """The reference results of one case, computed here (outside the kernel) once."""
        key = (json.dumps(dict(spec), sort_keys=True), spec["label"], number)
        if key not in self._expected:
            reference = checks.reference_object(spec)
            dataset = capture.open_case(private, case)
            try:
                args = tuple(case["args"])
                self._expected[key] = checks.expected_values(spec, reference, dataset, args)
            finally:
                if isinstance(dataset, sqlite3.Connection):
                    dataset.close()
        return self._expected[key]

    def judge(self, spec: Mapping, question: Mapping, private: Path, ctx: Any) -> str | None:
        """None when every case matches the reference; otherwise the one-line message."""
        label = spec["label"]
        results = Path(ctx.outbox) / question["folder"]
        if question.get("visible"):  # the cell's visible check, decided here from fingerprints
            values = []
            for number, _case in enumerate(question["visible"]):
                got, problem = _result(spec, results / f"visible-{number}")
                if problem:
                    return problem
                values.append(got)
            checker = checks.Checker.__new__(checks.Checker)
            checker._questions = {label: spec["visible"]}
            problem = checker.verdict(label, values)
            if problem:
                return " ".join(problem.split())
        for number, case in enumerate(question["cases"], start=1):
            got, problem = _result(spec, results / f"case-{number - 1}")
            if problem:
                return problem
            accepted = self._accepted(spec, case, number, private)
            problem = checks.describe_problem(
                got, accepted, ordered=spec["ordered"], kind=spec["kind"]
            )
            if problem:
                hint = spec.get("hint")
                return f"{label}: on hidden test case {number}, {problem}" + (
                    f" Hint: {hint}" if hint else ""
                )
        return None


def _result(spec: Mapping, base: Path) -> tuple[Any, str | None]:
    """(the learner's result, None), or (None, the one-line message) when there is none."""
    label = spec["label"]
    if not Path(f"{base}.json").is_file():
        return None, (
            f"{label}: no answer came back from your notebook for this question: run it "
            "from the top (Kernel, Restart and run all) and make sure no cell before "
            "this one stops with an error."
        )
    try:
        raw = json.loads(Path(f"{base}.json").read_text(encoding="utf-8"))
        if "error" in raw:
            return None, _error_message(spec, str(raw["error"]), str(raw.get("message", "")))
        return capture.decode(base), None
    except Exception as exc:
        return None, f"{label}: your result could not be read ({exc}); return plain values."


def _visible_questions(nb: nbformat.NotebookNode) -> dict[str, dict]:
    """label -> the visible check's data (cases, accepted fingerprints, recorded mistakes), read
    from the checker cell ``check = checks.Checker("...", "...")``: parsed, never run."""
    for cell in nb.cells:
        if cell.cell_type != "code" or "Checker(" not in cell.source:
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == "Checker"
                and len(node.args) == 2
            ):
                try:
                    return checks.Checker(*(ast.literal_eval(a) for a in node.args))._questions
                except Exception:
                    continue
    return {}


def _error_message(spec: Mapping, name: str, message: str) -> str:
    label = spec["label"]
    message = " ".join(message.split())[:300]
    if name == "NotImplementedError":
        return f"{label}: not answered yet: replace `raise NotImplementedError()` with your code."
    if name == "NameError" and repr(spec["name"]) in message:
        return (
            f"{label}: `{spec['name']}` is not defined: keep the name the question gives and "
            "run your answer cell."
        )
    if spec["kind"] == "query" and name in ("DatabaseError", "OperationalError"):
        if "': " in message:
            message = message.rsplit("': ", 1)[1]
        return (
            f"{label}: your query did not run: {message}. Next step: {checks.sql_advice(message)}"
        )
    return (
        f"{label}: your code stopped with {name}: {message}. Fix that line and run the notebook "
        "again from the top."
    )


def _passed(label: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=f"{label} passed.\n")


def _failed(message: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename="CheckFailed", evalue=message, traceback=[message])
