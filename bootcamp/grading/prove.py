"""``bootcamp prove``: the CI proofs for an exercise notebook, through the real pipeline.

In a throw-away nbgrader course: release the source notebook, then grade three kinds of
submission made from the release - the reference solution (must score full autograded marks),
the blank release (must score zero) and each ``wrong-answers.yml`` entry (must fail at least one
test, and show its ``hint`` text if given).
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from bootcamp.errors import BootcampError
from bootcamp.grading import authoring, grade, release
from bootcamp.paths import AUTOGRADER_DIR


@dataclass
class Proof:
    submission: str
    expectation: str
    ok: bool
    detail: str = ""


def _solution_ids(nb) -> set[str]:
    return {
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }


def _fill(release_nb, source_nb, replace: dict[str, str]):
    nb = copy.deepcopy(release_nb)
    sources = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source_nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
    }
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            cell.source = replace.get(meta["grade_id"], sources[meta["grade_id"]])
    return nb


def _errors(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    )


def _alternatives(source: Path) -> list[dict[str, str]]:
    """Submissions made of the taught alternative right answers listed in exercises.yml:
    submission k uses the k-th alternative of every question that lists one."""
    spec_path = source.with_suffix(".yml")
    if not spec_path.exists():
        return []
    spec = authoring.load_spec(spec_path)
    listed = {q["id"]: q.get("alternatives", []) for q in spec["questions"]}
    most = max((len(a) for a in listed.values()), default=0)
    return [{qid: alts[k] for qid, alts in listed.items() if len(alts) > k} for k in range(most)]


def prove_notebook(
    source: Path,
    wrong_answers: Path | None = None,
    *,
    jobs: int | None = None,
    workdir: Path | None = None,
) -> list[Proof]:
    """Run the proofs for one source notebook; returns one Proof per expectation."""
    source = Path(source).resolve()
    wrong_answers = wrong_answers or source.parent / "wrong-answers.yml"
    entries = authoring.load_wrong_answers(wrong_answers)
    assignment = source.parent.name
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        course_dir = Path(tmp) / "course"
        course_dir.mkdir()
        shutil.copyfile(AUTOGRADER_DIR / "nbgrader_config.py", course_dir / "nbgrader_config.py")
        release.sync_source(source, course_dir, assignment)
        release.generate(assignment, course_dir)
        source_nb = nbformat.read(source, as_version=4)
        release_nb = nbformat.read(course_dir / "release" / assignment / source.name, 4)
        known = _solution_ids(source_nb)
        submissions = {"reference": _fill(release_nb, source_nb, {}), "blank": release_nb}
        for number, entry in enumerate(entries, start=1):
            if entry["cell"] not in known:
                raise BootcampError(
                    f"{wrong_answers}: entry {number} names cell {entry['cell']!r}, which is not "
                    f"a solution cell (known: {', '.join(sorted(known))})"
                )
            submissions[f"wrong-{number}"] = _fill(
                release_nb, source_nb, {entry["cell"]: entry["code"]}
            )
        alternatives = _alternatives(source)
        for number, replace in enumerate(alternatives, start=1):
            submissions[f"alternative-{number}"] = _fill(release_nb, source_nb, replace)
        for student, nb in submissions.items():
            folder = course_dir / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / source.name)
        outcomes = {
            o.student: o
            for o in grade.grade(assignment, course_dir=course_dir, jobs=jobs, progress=False)
        }
        points = grade.scores(course_dir, assignment)
        proofs = []

        def graded(student: str) -> Path:
            return course_dir / "autograded" / student / assignment / source.name

        got, top = points["reference"]
        flags = "; ".join(r for _, r in outcomes["reference"].flags)
        proofs.append(
            Proof(
                "reference",
                "full marks",
                got == top and top > 0 and not flags,
                f"{got:g} / {top:g}"
                + (f" ({flags})" if flags else "")
                + ("" if got == top else "\n" + _errors(graded("reference"))),
            )
        )
        got, top = points["blank"]
        proofs.append(Proof("blank release", "zero", got == 0, f"{got:g} / {top:g}"))
        for number, replace in enumerate(alternatives, start=1):
            got, top = points[f"alternative-{number}"]
            which = ", ".join(sorted(replace))
            proofs.append(
                Proof(
                    f"alternative right answers {number} ({which})",
                    "full marks",
                    got == top,
                    f"{got:g} / {top:g}"
                    + ("" if got == top else "\n" + _errors(graded(f"alternative-{number}"))),
                )
            )
        for number, entry in enumerate(entries, start=1):
            got, top = points[f"wrong-{number}"]
            errors = _errors(graded(f"wrong-{number}"))
            ok = got < top
            detail = f"{got:g} / {top:g}"
            hint = entry.get("hint")
            if ok and hint and hint not in errors:
                ok = False
                detail += f"; expected the hint {hint!r} in:\n{errors}"
            proofs.append(Proof(f"wrong answer {number}: {entry['mistake']}", "fails", ok, detail))
        return proofs


def main(args) -> int:
    chapters = release.chapter_sources(args.chapters_dir, args.chapter or None)
    if not chapters:
        print(f"no chapters/*/{release.SOURCE_NAME} yet: nothing to prove")
        return 0
    failed = 0
    for source in chapters:
        print(f"{source.parent.name}:")
        for proof in prove_notebook(source, jobs=args.jobs):
            failed += not proof.ok
            mark = "ok  " if proof.ok else "FAIL"
            print(f"  {mark} {proof.submission} -> {proof.expectation} ({proof.detail})")
    return 1 if failed else 0
