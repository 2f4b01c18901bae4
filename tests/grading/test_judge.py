"""The trusted judge (bootcamp.grading.judge): hidden tests decided outside the learner's kernel.

The grade helper's sandbox calls Judge.before / Judge.after around each submission's execution.
These tests use a small harness instead: before(), then the notebook executed with nbclient in a
temporary folder with BOOTCAMP_INBOX / BOOTCAMP_OUTBOX set, then after(); and they check what the
test cells' outputs say. The in-kernel attacks of issue 9 must all score zero under the judge.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from bootcamp import capture, checks
from bootcamp.grading import judge as J
from bootcamp.grading.authoring import strip_solution
from bootcamp.paths import CHAPTERS_DIR

CH1 = CHAPTERS_DIR / "01-voter-file" / "exercises.ipynb"
CH2 = CHAPTERS_DIR / "02-sql-basics" / "exercises.ipynb"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


@dataclass(frozen=True)
class Context:  # the fields of bootcamp.grading.steps.SubmissionContext the judge reads
    assignment: str
    student: str
    course: Path
    inbox: Path
    outbox: Path


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _answers(nb) -> dict[str, str]:
    return {
        _meta(c)["grade_id"]: c.source
        for c in nb.cells
        if _meta(c).get("solution") and c.cell_type == "code"
    }


def _released(cell) -> str:
    """An answer cell as the release hands it out: nbgrader's stub, or a debugging question's
    broken code."""
    broken = cell.metadata.get("bootcamp", {}).get("broken")
    if broken is not None:
        return broken

    def stub(found):
        pad = found.group(1)
        return "\n".join(pad + line for line in STUB.splitlines())

    return re.sub(r"([ \t]*)### BEGIN SOLUTION\n.*?### END SOLUTION", stub, cell.source, flags=re.S)


def _submission(source_nb, replace: dict[str, str] | None = None, *, blank=False):
    """What nbgrader hands the steps: pristine test cells, the learner's answer cells."""
    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        meta = _meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            gid = meta["grade_id"]
            if replace and gid in replace:
                cell.source = replace[gid]
            elif blank:
                cell.source = _released(cell)
    return nb


def _context(tmp: Path, assignment: str) -> Context:
    course = tmp / "course"
    (course / "source" / assignment).mkdir(parents=True)
    return Context(assignment, "learner", course, tmp / "inbox", tmp / "outbox")


def _execute(nb, ctx: Context, workdir: Path, monkeypatch):
    from nbclient import NotebookClient

    workdir.mkdir(parents=True, exist_ok=True)
    ctx.outbox.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("BOOTCAMP_INBOX", str(ctx.inbox))
    monkeypatch.setenv("BOOTCAMP_OUTBOX", str(ctx.outbox))
    client = NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return nb


def _results(nb) -> dict[str, tuple[str, str]]:
    """grade_id -> (passed | failed, message) for every autograded code test cell."""
    out = {}
    for cell in nb.cells:
        meta = _meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        out[meta["grade_id"]] = ("failed", errors[0].evalue) if errors else ("passed", text)
    return out


def judged(source: Path, tmp: Path, monkeypatch, replace=None, *, blank=False, fresh=False):
    """Grade one submission through before() -> kernel -> after(); returns (results, ctx, nb)."""
    source_nb = nbformat.read(source, as_version=4)
    ctx = _context(tmp, source.parent.name)
    nbformat.write(source_nb, ctx.course / "source" / ctx.assignment / source.name)
    step = J.Judge()
    nb = step.before(_submission(source_nb, replace, blank=blank), ctx)
    executed = _execute(nb, ctx, tmp / "work", monkeypatch)
    after = J.Judge() if fresh else step  # a fresh judge rebuilds its state from the source
    graded = after.after(executed, ctx)
    return _results(graded), ctx, nb


# ----------------------------------------------------------------------------- fast unit tests


def test_hidden_spec_is_parsed_not_run():
    nb = nbformat.read(CH1, as_version=4)
    specs = J.Judge._specs(nb)
    autograded = [
        c
        for c in nb.cells
        if _meta(c).get("grade") and not _meta(c).get("solution") and c.cell_type == "code"
    ]
    assert len(specs) == len(autograded) >= 8
    q6 = specs["test_top_precinct"]
    assert q6["label"] == "Q6" and q6["accept_any"] and q6["args"] == ["DEM", "REP", "UNA"]
    assert J.hidden_spec("print('no hidden tests here')") is None


@pytest.mark.parametrize(
    "value",
    [
        3,
        2.5,
        "HAR012",
        True,
        None,
        [1, "a", 2.0],
        {"DEM", "REP"},
        {"DEM": 3},
        pd.Series([1.5, 2.0]),
        pd.DataFrame({"party_cd": ["DEM", "REP"], "voters": [3, 4], "share": [0.25, None]}),
    ],
)
def test_results_cross_the_boundary_as_plain_data(value, tmp_path):
    capture.encode(value, tmp_path / "case-0")
    written = {p.suffix for p in tmp_path.iterdir()}
    assert written <= {".json", ".parquet"}  # never pickle
    back = capture.decode(tmp_path / "case-0")
    for ordered in (True, False):
        assert checks.fingerprint(back, ordered=ordered) == checks.fingerprint(
            value, ordered=ordered
        )


def test_an_impostor_object_stays_an_impostor(tmp_path):
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    capture.encode(AlwaysEqual(), tmp_path / "case-0")
    back = capture.decode(tmp_path / "case-0")
    assert checks.describe_problem(back, [51048], ordered=True).startswith("expected a whole")


def test_after_judges_outside_the_kernel(tmp_path):
    """No kernel at all: results written by hand into the outbox are compared by the judge."""
    source_nb = nbformat.read(CH1, as_version=4)
    ctx = _context(tmp_path, "01-voter-file")
    step = J.Judge()
    nb = step.before(_submission(source_nb, blank=True), ctx)
    manifest = json.loads((ctx.inbox / capture.MANIFEST).read_text())
    ctx.outbox.mkdir()

    def runs(label):  # the visible check's cases, then the hidden test's
        question = manifest["questions"][label]
        (ctx.outbox / label).mkdir()
        yield from ((f"visible-{n}", c) for n, c in enumerate(question["visible"]))
        yield from ((f"case-{n}", c) for n, c in enumerate(question["cases"]))

    for name, case in runs("Q1"):  # the right answer, computed on the inbox data
        right = len(capture.open_case(ctx.inbox, case))
        capture.encode(right, ctx.outbox / "Q1" / name)
    right = len(
        checks.open_dataset(checks.COURSE_DATA, {"kind": "table"}).query("status_cd == 'A'")
    )
    for name, _ in runs("Q2"):  # a number typed in from the course data
        capture.encode(right, ctx.outbox / "Q2" / name)
    results = _results(step.after(nb, ctx))
    assert results["test_count_registrants"] == ("passed", "Q1 passed.\n")
    status, message = results["test_count_active"]
    assert status == "failed" and message.startswith(
        "Q2: right on the course data but not on a second"
    )
    status, message = results["test_count_active_party"]
    assert status == "failed" and "no answer came back" in message


def test_inputs_vary_so_no_typed_answer_fits_every_case(tmp_path):
    source_nb = nbformat.read(CH2, as_version=4)
    ctx = _context(tmp_path, "02-sql-basics")
    J.Judge().before(_submission(source_nb, blank=True), ctx)
    manifest = json.loads((ctx.inbox / capture.MANIFEST).read_text())
    query = "SELECT DISTINCT reason_cd FROM voters WHERE status_cd = 'I'"
    reasons = set()
    for case in manifest["questions"]["Q4"]["cases"]:
        con = capture.open_case(ctx.inbox, case)
        reasons.add(tuple(sorted(pd.read_sql_query(query, con)["reason_cd"])))
        con.close()
    assert len(reasons) > 1, "every hidden database gives the same inactive reasons"


# ----------------------------------------------------------------------------- through a kernel


def _inbox_text(ctx: Context) -> str:
    return "\n".join(
        p.read_text(errors="ignore") for p in ctx.inbox.rglob("*") if p.suffix == ".json"
    )


@pytest.mark.slow
def test_reference_passes_and_never_enters_the_kernel(tmp_path, monkeypatch):
    results, ctx, nb = judged(CH1, tmp_path, monkeypatch, fresh=True)
    assert len(results) >= 8
    assert all(status == "passed" for status, _ in results.values()), results
    specs = J.Judge._specs(nbformat.read(CH1, as_version=4))
    # what the kernel is given besides the learner's own answer cells
    given = [c.source for c in nb.cells if not (_meta(c).get("solution") and c.cell_type == "code")]
    kernel_side = _inbox_text(ctx) + "\n".join(given)
    for spec in specs.values():
        body = strip_solution(spec["reference"]).splitlines()[1].strip()  # a line of its code
        assert body not in kernel_side, f"{spec['label']}'s reference reached the kernel"
    assert "### BEGIN HIDDEN TESTS" not in kernel_side
    files = {p.suffix for p in ctx.outbox.rglob("*") if p.is_file()}
    assert files <= {".json", ".parquet"}


@pytest.mark.slow
def test_blank_scores_nothing_with_one_line_messages(tmp_path, monkeypatch):
    results, _, _ = judged(CH1, tmp_path, monkeypatch, blank=True)
    assert results and all(status == "failed" for status, _ in results.values())
    for _, message in results.values():
        assert "\n" not in message and message.startswith("Q")
    answered = [m for _, m in results.values() if "not answered yet" in m]
    assert len(answered) == len(results) - 1  # all but the debugging question's broken code


def _typed_in_answers(source_nb) -> str:
    """Every chapter-1 function answered on the course file, whatever table it is given."""
    lines = [
        "from bootcamp import data",
        "import pandas as pd",
        "_load = data.load",
        "_course = _load('voters')",
        "data.load = lambda name, *args, **kwargs: _load(name)  # ignore the seed",
        "data.read = lambda folder, name, columns=None: _load(name)",
        "pd.read_parquet = lambda *args, **kwargs: _load('voters')",
    ]
    answers = _answers(source_nb)
    for gid, code in answers.items():
        solved = strip_solution(code)
        for name in answers:
            solved = re.sub(rf"(?<![\w.]){name}\(", f"_solved_{name}(", solved)
        lines += [solved, f"def {gid}(table, *args):", f"    return _solved_{gid}(_course, *args)"]
    return "\n".join(lines)


ATTACKS = {
    "no-op checks": """
from bootcamp import checks
for _name in ("hidden_test", "check_function", "check_equal", "check_sql", "check_hashed",
              "describe_problem", "learner_call"):
    setattr(checks, _name, lambda *args, **kwargs: print("passed"))
checks.Checker.__call__ = lambda self, *args, **kwargs: print("passed")
import bootcamp.capture
bootcamp.capture.record = lambda *args, **kwargs: print("passed")
""",
    "fingerprint and _compare replaced": """
from bootcamp import checks
checks.fingerprint = lambda value, ordered=True: "same"
checks._compare = lambda got, want: None
checks._canon = lambda value, ordered=True: checks._Canon("same")
""",
    "input transformer turns check cells into pass": """
def _skip(lines):
    text = "".join(lines)
    hit = any(word in text for word in ("record(", "check(", "hidden_test"))
    return ["pass\\n"] if hit else lines
get_ipython().input_transformers_post.append(_skip)
""",
    "reference through the caller's stack frame": """
import sys
def _steal(*args):
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("reference", "expected", "accepted"):
            found = frame.f_locals.get(name)
            if callable(found) and found is not _steal:
                return found(*args)
            if name != "reference" and name in frame.f_locals:
                return found[0] if isinstance(found, list) else found
        frame = frame.f_back
    raise RuntimeError("no reference in reach")
count_registrants = count_active = count_active_party = count_young_independents = _steal
phone_list = top_precinct = party_share = count_senior_dems = _steal
""",
}


@pytest.mark.slow
@pytest.mark.parametrize("attack", [*ATTACKS, "patched data loading plus typed-in answers"])
def test_in_kernel_attacks_score_zero(attack, tmp_path, monkeypatch):
    source_nb = nbformat.read(CH1, as_version=4)
    first = next(iter(_answers(source_nb)))
    if attack in ATTACKS:
        replace = {first: ATTACKS[attack]}
        blank = True
    else:
        replace = {gid: "pass" for gid in _answers(source_nb)}
        replace[first] = _typed_in_answers(source_nb)
        blank = False
    results, _, _ = judged(CH1, tmp_path, monkeypatch, replace, blank=blank)
    passed = [gid for gid, (status, _) in results.items() if status == "passed"]
    assert len(results) >= 8 and not passed, f"{attack}: scored on {passed}"


@pytest.mark.slow
def test_typed_in_sql_values_fail_under_the_judge(tmp_path, monkeypatch):
    values = '''inactive_reasons_sql = """
SELECT column1 AS reason_cd, column2 AS voter_status_reason_desc
FROM (VALUES ('IN', 'CONFIRMATION NOT RETURNED'), ('IU', 'CONFIRMATION RETURNED UNDELIVERABLE'))
"""'''
    results, _, _ = judged(CH2, tmp_path, monkeypatch, {"inactive_reasons_sql": values})
    assert results["test_inactive_reasons_sql"][0] == "failed"
    others = {gid: r for gid, r in results.items() if gid != "test_inactive_reasons_sql"}
    assert all(status == "passed" for status, _ in others.values()), others


@pytest.mark.slow
def test_the_no_op_attack_is_real_without_the_judge(tmp_path, monkeypatch):
    """Control: in-kernel judging (plain nbgrader, no judge) is fooled by the no-op attack, so
    the zero scores above come from the judge, not from a harness that fails everything."""
    source_nb = nbformat.read(CH1, as_version=4)
    first = next(iter(_answers(source_nb)))
    nb = _submission(source_nb, {first: ATTACKS["no-op checks"]}, blank=True)
    ctx = _context(tmp_path, "01-voter-file")
    results = _results(_execute(nb, ctx, tmp_path / "work", monkeypatch))
    assert results and all(status == "passed" for status, _ in results.values()), results


@pytest.mark.slow
def test_one_judge_grades_a_batch(tmp_path, monkeypatch):
    """The grader keeps one judge for many submissions: state never leaks between them."""
    source_nb = nbformat.read(CH1, as_version=4)
    step = J.Judge()
    outcomes = []
    for student, blank in (("right", False), ("blank", True)):
        ctx = _context(tmp_path / student, "01-voter-file")
        nb = step.before(_submission(source_nb, blank=blank), ctx)
        executed = _execute(nb, ctx, tmp_path / student / "work", monkeypatch)
        outcomes.append({s for s, _ in _results(step.after(executed, ctx)).values()})
    assert outcomes == [{"passed"}, {"failed"}]
