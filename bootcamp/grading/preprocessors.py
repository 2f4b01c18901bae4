"""Small nbgrader preprocessors, each doing one thing, composed into nbgrader's own pipelines.

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

import json
import resource

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, Execute, OverwriteCells
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Integer

from bootcamp.grading import KERNEL_MEMORY_MB


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

    async def async_start_new_kernel(self, **kwargs):
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


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback-safe test cells: no hidden test code, no traceback lines that could quote it."""

    def preprocess(self, nb, resources):
        hider = ClearHiddenTests(enforce_metadata=False)
        for cell in nb.cells:
            if not (utils.is_grade(cell) and cell.cell_type == "code"):
                continue
            had_hidden = hider._remove_hidden_test_region(cell)
            outputs = []
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    # keep only "Name: message" - never source lines or frames
                    output.traceback = [f"{output.ename}: {output.evalue}"]
                    outputs.append(output)
                elif not had_hidden:
                    outputs.append(output)
            cell.outputs = outputs
            if had_hidden:
                cell.source = cell.source.rstrip("\n") + "\n# (hidden tests were run here)"
        return nb, resources
