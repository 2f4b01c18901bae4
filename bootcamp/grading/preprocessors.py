"""Small nbgrader preprocessors, each doing one thing, composed into nbgrader's own pipelines.

- :class:`DeduplicateCells`: nbgrader's ``DeduplicateIds`` without its ``KeyError`` on the
  copies it de-labels.
- :class:`RestoreTests`: nbgrader's ``OverwriteCells`` that also survives a submission whose
  nbgrader metadata was stripped (nbgrader's re-insertion of missing test cells needs the solution
  cell just before each test; without it the whole submission used to fail).
- :class:`GuardedExecute`: nbgrader's ``Execute`` with a cap on output kept per cell, a memory
  limit for the kernel, and a clear record of cells that never ran because the kernel died; such
  test cells get an error output so they score zero instead of full marks.
- :class:`HideHiddenTests`: for feedback; removes hidden tests from test cells and cuts test-cell
  tracebacks down to their final line, so feedback never quotes hidden test code.
"""

from __future__ import annotations

import html
import json
import re
import resource

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, Execute, OverwriteCells
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Integer

from bootcamp.grading import KERNEL_MEMORY_MB


class DeduplicateCells(NbGraderPreprocessor):
    """nbgrader's ``DeduplicateIds``, fixed: a copied cell becomes an ordinary cell.

    nbgrader's version leaves an empty ``nbgrader`` dict on the extra copies, which the next
    preprocessors read as a graded cell without ``grade_id`` (``KeyError: 'grade_id'``), so one
    duplicated cell made a whole correct submission score 0. As in nbgrader, the last copy of each
    ``grade_id`` keeps its role (the learner's latest answer); earlier copies lose their metadata
    and run as plain cells.
    """

    def preprocess(self, nb, resources):
        seen: set[str] = set()
        for cell in reversed(nb.cells):
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not grade_id or grade_id in seen:
                if grade_id:
                    self.log.warning("Cell with id '%s' exists multiple times", grade_id)
                del cell.metadata["nbgrader"]
            else:
                seen.add(grade_id)
        return nb, resources


class RestoreTests(OverwriteCells):
    """``OverwriteCells`` whose re-adding of deleted test cells never fails.

    nbgrader inserts a missing test cell after the cell that precedes it in the source; when that
    cell is gone too (metadata stripped) it raises KeyError. Then the missing test cells are put
    back at the end of the notebook, where they run after all of the learner's code.
    """

    def add_missing_grade_cells(self, nb, resources):
        try:
            return super().add_missing_grade_cells(nb, resources)
        except KeyError:
            pass
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        present = {
            cell.metadata.nbgrader["grade_id"]
            for cell in nb.cells
            if utils.is_grade(cell) or utils.is_solution(cell)
        }
        for source_cell in source_nb.source_cells:
            grade_cell = next(
                (g for g in source_nb.grade_cells if g.name == source_cell.name), None
            )
            if grade_cell is None or source_cell.name in present:
                continue
            self.log.warning("Missing grade cell %s, adding at the end", source_cell.name)
            nb.cells.append(
                self.missing_cell_transform(
                    source_cell, grade_cell.max_score, is_solution=source_cell.name in solution_ids
                )
            )
        return nb, resources


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` that a hostile or broken notebook cannot take down.

    After :meth:`preprocess`, ``self.problems`` lists what went wrong (timeouts, a dead kernel)
    and ``self.truncated`` says whether output was dropped.
    """

    max_output_chars = Integer(
        200_000, help="Output characters kept per cell; the rest is dropped while running."
    ).tag(config=True)
    memory_limit_mb = Integer(
        KERNEL_MEMORY_MB, help="Address-space limit of the kernel process, in MiB (0: no limit)."
    ).tag(config=True)

    problems: list[str]
    truncated: bool
    kernel_pid: int | None = None
    on_kernel_started = None  #: optional callable(pid), e.g. to report the pid to a supervisor
    sandbox = None  #: a bootcamp.grading.sandbox.Spec: run the kernel inside that sandbox

    def preprocess(self, nb, resources=None, km=None):
        self.problems = []
        self.truncated = False
        self._current = -1
        self._executed: set[int] = set()
        self._chars: dict[int, int] = {}
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            self.problems.append(f"the kernel died while running cell {self._describe(nb)}")
        except CellTimeoutError:
            self.problems.append(f"cell {self._describe(nb)} did not stop after a timeout")
        except Exception as exc:  # nbclient/zmq failures: grade what ran, flag the rest
            self.problems.append(f"execution stopped at cell {self._describe(nb)}: {exc!r}")
        self._fail_unrun_tests(nb)
        return nb, resources

    def _describe(self, nb) -> str:
        if self._current < 0:
            return "(before the first cell: kernel start-up)"
        cell = nb.cells[self._current]
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        return f"{self._current + 1}" + (f" ({grade_id})" if grade_id else "")

    def _fail_unrun_tests(self, nb) -> None:
        for index, cell in enumerate(nb.cells):
            if index in self._executed or not utils.is_grade(cell) or cell.cell_type != "code":
                continue
            cell.outputs.append(
                NotebookNode(
                    output_type="error",
                    ename="NotRun",
                    evalue="this test did not run because the notebook stopped before it",
                    traceback=["NotRun: this test did not run because the notebook stopped"],
                )
            )

    def preprocess_cell(self, cell, resources, index):
        self._current = index
        cell, resources = super().preprocess_cell(cell, resources, index)
        self._executed.add(index)
        return cell, resources

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        reply = kwargs["execute_reply"]
        if reply["content"].get("ename") == "CellTimeoutError":
            self.problems.append(
                f"cell {kwargs['cell_index'] + 1} ran longer than {self.timeout} s and was stopped"
            )

    def _sandbox_kernel_manager(self) -> None:
        """Start the kernel through the sandbox launcher, talking over Unix sockets."""
        import os
        from pathlib import Path

        from bootcamp.grading import sandbox

        spec, km = self.sandbox, self.km
        runtime = Path(spec.runtime)
        km.transport = "ipc"
        km.cache_ports = False
        km.ip = str(runtime / "kernel")
        km.connection_file = str(runtime / "kernel.json")
        original = km.format_kernel_cmd

        def format_kernel_cmd(extra_arguments=None):
            cmd = original(extra_arguments=extra_arguments)
            if os.geteuid() == 0 and spec.kind != "none":  # the kernel runs as spec.uid
                os.chown(km.connection_file, spec.uid, spec.uid)
            return sandbox.launcher(spec, cmd)

        km.format_kernel_cmd = format_kernel_cmd

    async def async_start_new_kernel(self, **kwargs):
        if self.sandbox is not None:
            self._sandbox_kernel_manager()
        # The kernel inherits the limit at fork; this process gets its own limit back after.
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = self.memory_limit_mb * 1024 * 1024
        if self.memory_limit_mb > 0 and (hard == resource.RLIM_INFINITY or limit < hard):
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        try:
            await super().async_start_new_kernel(**kwargs)
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        self.kernel_pid = getattr(process, "pid", None)
        if self.on_kernel_started and self.kernel_pid:
            self.on_kernel_started(self.kernel_pid)

    # nbclient binds the sync wrapper to its own coroutine at class creation; rebind it to ours
    start_new_kernel = run_sync(async_start_new_kernel)

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") == "error":  # errors decide the grade: always keep them
            return super().output(outs, msg, display_id, cell_index)
        content = msg.get("content", {})
        size = len(content.get("text", "")) + len(json.dumps(content.get("data", {})))
        used = self._chars.get(cell_index, 0)
        self._chars[cell_index] = used + size
        if used + size > self.max_output_chars:
            if not self.truncated or used <= self.max_output_chars:
                self.truncated = True
                if used <= self.max_output_chars:
                    outs.append(
                        NotebookNode(
                            output_type="stream",
                            name="stdout",
                            text=f"\n... output truncated after {self.max_output_chars} "
                            "characters ...\n",
                        )
                    )
            return None
        return super().output(outs, msg, display_id, cell_index)


BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: Hidden lines shorter than this (")", "else:") say nothing and are not searched for.
MIN_HIDDEN_LINE = 6


def hidden_lines(nb) -> list[str]:
    """Every meaningful line of hidden-test code in the notebook's test cells, and the markers."""
    lines = {BEGIN_HIDDEN, END_HIDDEN}
    for cell in nb.cells:
        if cell.cell_type != "code" or not utils.is_grade(cell):
            continue
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if BEGIN_HIDDEN in text:
                inside = True
            elif END_HIDDEN in text:
                inside = False
            elif inside and len(text) >= MIN_HIDDEN_LINE and re.search(r"\w", text):
                # as written, as Python's repr shows it (print(In)), and as HTML shows it
                lines |= {text, text.replace('"', '\\"'), text.replace("'", "\\'")}
                lines.add(html.escape(text))
    return sorted(lines, key=len, reverse=True)


def scrub(text: str, hidden: list[str]) -> str:
    """``text`` without any line that contains a hidden line (ANSI colors ignored)."""
    if not text:
        return text
    kept = []
    for line in text.splitlines(keepends=True):
        plain = _ANSI.sub("", line)
        if not any(h in plain for h in hidden):
            kept.append(line)
    return "".join(kept)


def _scrub_output(output, hidden: list[str]) -> None:
    if output.output_type == "stream":
        output.text = scrub(output.text, hidden)
    elif output.output_type == "error":
        output.evalue = scrub(output.evalue, hidden).strip() or "(message hidden)"
        output.traceback = [scrub(line, hidden) for line in output.traceback]
        output.traceback = [line for line in output.traceback if line]
    else:
        for mime, value in list(output.get("data", {}).items()):
            if isinstance(value, list):
                value = "".join(value)
            if isinstance(value, str) and not mime.startswith("image/"):
                output.data[mime] = scrub(value, hidden)


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback that never quotes hidden tests, whatever the learner's code printed.

    - test cells: the hidden region is removed from the source; errors are cut to
      ``Name: message``; other outputs of a cell that had hidden tests are dropped;
    - every output of every cell (printed input history ``In``, error messages quoting the
      calling code, displays) loses each line that contains a line of hidden-test code;
    - the hidden-test markers are removed from the learner's own cells, so nothing a learner
      writes or prints can look like a leak to ``bootcamp feedback``'s final check.
    """

    def preprocess(self, nb, resources):
        hidden = hidden_lines(nb)
        hider = ClearHiddenTests(enforce_metadata=False)
        for cell in nb.cells:
            is_test = utils.is_grade(cell) and cell.cell_type == "code"
            had_hidden = hider._remove_hidden_test_region(cell) if is_test else False
            if not is_test:
                for marker in (BEGIN_HIDDEN, END_HIDDEN):
                    cell.source = cell.source.replace(marker, "(hidden-test marker)")
            if cell.cell_type != "code":
                continue
            outputs = []
            for output in cell.get("outputs", []):
                _scrub_output(output, hidden)
                if is_test and output.output_type == "error":
                    # keep only "Name: message" - never source lines or frames
                    output.traceback = [f"{output.ename}: {output.evalue}"]
                    outputs.append(output)
                elif not had_hidden:
                    outputs.append(output)
            cell.outputs = outputs
            if had_hidden:
                cell.source = cell.source.rstrip("\n") + "\n# (hidden tests were run here)"
        return nb, resources
