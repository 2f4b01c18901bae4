"""``bootcamp check NOTEBOOK``: a learner's self-check with nothing but the notebook.

Runs the notebook top to bottom in a fresh kernel (the file itself is not changed), then reads
each test cell's outcome: passed, failed (with the check's message and hint), or not attempted
(every answer cell before it still holds the released stub, recognized by nbgrader's checksum).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from bootcamp.errors import BootcampError


@dataclass
class Question:
    label: str
    status: str  # passed | failed | not attempted | written | written (blank)
    points: float
    max_points: float
    message: str = ""


def _unchanged(cell) -> bool:
    from nbgrader.utils import compute_checksum

    checksum = cell.metadata.get("nbgrader", {}).get("checksum")
    return checksum is not None and checksum == compute_checksum(cell)


def _message(cell) -> str:
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            if output.ename in ("CheckFailed", "AssertionError"):
                return output.evalue or "a check failed"
            return f"{output.ename}: {output.evalue}".strip()
        if output.output_type == "stream" and output.name == "stderr":
            return "the test printed an error: " + output.text.strip().splitlines()[-1][:200]
    return ""


def assess(nb) -> list[Question]:
    """Per-question results from an executed notebook."""
    from nbgrader import utils

    questions: list[Question] = []
    answers = []  # solution cells since the last test
    heading = None  # the question label of the last prompt ("## Q8. ..."), for written answers
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not utils.is_solution(cell):
            found = re.match(r"#+\s*(Q\d+)\b", cell.source.lstrip())
            heading = found.group(1) if found else heading
        if utils.is_solution(cell) and utils.is_grade(cell):  # written answer
            status = "written (blank)" if _unchanged(cell) else "written"
            label = heading or meta["grade_id"]
            questions.append(Question(label, status, 0, float(meta.get("points", 0))))
            continue
        if utils.is_solution(cell):
            answers.append(cell)
            continue
        if not (utils.is_grade(cell) and cell.cell_type == "code"):
            continue
        found = re.search(r'check\("([^"]+)"\)', cell.source) or re.search(
            r"Checks for (\S+?)\.", cell.source
        )
        label = found.group(1) if found else meta["grade_id"]
        max_points = float(meta.get("points", 0))
        message = _message(cell)
        if answers and all(_unchanged(a) for a in answers):
            questions.append(Question(label, "not attempted", 0, max_points))
        elif message:
            questions.append(Question(label, "failed", 0, max_points, message))
        else:
            questions.append(Question(label, "passed", max_points, max_points))
        answers = []
    return questions


def run(path: Path, *, timeout: int = 60) -> list[Question]:
    from bootcamp.grading.course import prepare_environment
    from bootcamp.grading.grade import _read_notebook
    from bootcamp.grading.preprocessors import GuardedExecute

    path = Path(path)
    if not path.exists():
        raise BootcampError(f"no such notebook: {path}")
    nb, problem = _read_notebook(path)
    if problem:
        raise BootcampError(f"{path}: {problem}")
    prepare_environment()
    executor = GuardedExecute(
        timeout=timeout, memory_limit_mb=0, extra_arguments=["--IPKernelApp.log_level=ERROR"]
    )
    executed, _ = executor.preprocess(copy.deepcopy(nb), {"metadata": {"path": str(path.parent)}})
    results = assess(executed)
    if executor.problems:
        print("note: " + "; ".join(executor.problems))
    return results


def main(path: Path, *, timeout: int = 60) -> int:
    print(f"checking {path} (running every cell; this takes a few seconds) ...")
    try:
        results = run(path, timeout=timeout)
    except BootcampError:
        raise
    if not results:
        print("no questions with checks found: is this an exercise notebook?")
        return 2
    width = max(len(q.label) for q in results) + 2
    print(f"{'Question':<{width}} {'Result':<19} Points")
    for q in results:
        if q.status.startswith("written"):
            shown = "graded by a person" if q.status == "written" else "not attempted"
            print(f"{q.label:<{width}} {shown:<19} - / {q.max_points:g}")
            continue
        print(f"{q.label:<{width}} {q.status:<19} {q.points:g} / {q.max_points:g}")
        if q.message:
            print(f"{'':<{width}}   {q.message}")
    auto = [q for q in results if not q.status.startswith("written")]
    written = [q for q in results if q.status.startswith("written")]
    got = sum(q.points for q in auto)
    total = sum(q.max_points for q in auto)
    line = f"points so far: {got:g} / {total:g} autograded"
    if written:
        line += (
            f" (+ {sum(q.max_points for q in written):g} for written answers, graded by a person)"
        )
    print(line)
    print("(grading also runs hidden tests on other data, so hard-coded answers will not pass)")
    return 0 if all(q.status == "passed" for q in auto) else 1
