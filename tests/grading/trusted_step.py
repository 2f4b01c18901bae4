"""A trusted step used only by the tests: it moves Q1's judging out of the kernel.

``before`` writes hidden data to the inbox and replaces Q1's test cell (hidden reference and
all) with code that runs the learner's function on that data and writes the result to the outbox;
``after`` compares the result outside the kernel and writes Q1's verdict as the cell's output.
It also fails Q3 for everyone, so a test can see that the score follows ``after``.
"""

from __future__ import annotations

import json

from nbformat import NotebookNode

HIDDEN = {"status": ["A", "I", "A", "R", "A", "A", "I"], "party": ["DEM"] * 7}
CAPTURE = """\
import json, os
import pandas as pd
inbox, outbox = os.environ["BOOTCAMP_INBOX"], os.environ["BOOTCAMP_OUTBOX"]
hidden = pd.DataFrame(json.load(open(os.path.join(inbox, "hidden.json"))))
try:
    open(os.path.join(inbox, "hidden.json"), "w").write("{}")
    inbox_writable = True
except OSError:
    inbox_writable = False
try:
    answer = int(count_active(hidden))
except Exception as exc:
    answer = repr(exc)
json.dump({"answer": answer, "inbox_writable": inbox_writable},
          open(os.path.join(outbox, "q1.json"), "w"))
"""


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


class InboxOutboxStep:
    seen: list = []  # (student, outbox result) for the tests to inspect

    def before(self, nb, ctx):
        (ctx.inbox / "hidden.json").write_text(json.dumps(HIDDEN))
        for cell in nb.cells:
            if _grade_id(cell) == "test_count_active":
                cell.source = CAPTURE
        return nb

    def after(self, nb, ctx):
        path = ctx.outbox / "q1.json"
        got = json.loads(path.read_text()) if path.exists() else {}
        InboxOutboxStep.seen.append((ctx.student, got))
        want = HIDDEN["status"].count("A")
        for cell in nb.cells:
            gid = _grade_id(cell)
            if gid == "test_count_active":
                if got.get("answer") == want:
                    cell.outputs = [
                        NotebookNode(output_type="stream", name="stdout", text="Q1 passed.\n")
                    ]
                else:
                    cell.outputs = [_error("Q1: count only ACTIVE voters")]
            elif gid == "test_sql_seniors":
                cell.outputs = [_error("Q3: failed by the test step")]
        return nb


def _error(message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename="CheckFailed",
        evalue=message,
        traceback=[f"CheckFailed: {message}"],
    )
