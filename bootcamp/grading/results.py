"""``bootcamp export`` and ``bootcamp report``: grades out of the gradebook, per question."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from bootcamp.errors import BootcampError
from bootcamp.grading import course, gradebook
from bootcamp.grading.flags import read_flags


def question_scores(
    course_dir: Path, assignment: str | None = None
) -> tuple[list[str], list[dict]]:
    """(question columns, rows): one row per student and assignment, points per question."""
    config = course.load_config(course_dir)
    scores = list(gradebook.iter_scores(config.CourseDirectory.db_url, assignment))
    multi = {(s.assignment, s.notebook) for s in scores}
    multi_nb = {a for a, _ in multi if sum(1 for b, _ in multi if b == a) > 1}
    columns: list[str] = []
    for s in sorted(scores, key=lambda s: (s.assignment, s.notebook, s.position)):
        key = f"{s.notebook}:{s.question}" if s.assignment in multi_nb else s.question
        if key not in columns:
            columns.append(key)
    rows: dict[tuple[str, str], dict] = {}
    for s in scores:
        row = rows.setdefault(
            (s.assignment, s.student),
            {
                "student": s.student,
                "assignment": s.assignment,
                "total": 0.0,
                "max": 0.0,
                "needs_manual_grade": False,
            },
        )
        key = f"{s.notebook}:{s.question}" if s.assignment in multi_nb else s.question
        row[key] = s.score if s.score is not None else ""
        row["total"] += s.score or 0
        row["max"] += s.max_score
        row["needs_manual_grade"] = row["needs_manual_grade"] or s.needs_manual_grade
    ordered = [rows[k] for k in sorted(rows)]
    for row in ordered:  # columns after the questions, as before
        row.update(
            total=row.pop("total"),
            max=row.pop("max"),
            needs_manual_grade=row.pop("needs_manual_grade"),
        )
    return columns, ordered


def export(course_dir: Path, out: Path | None = None, assignment: str | None = None) -> Path:
    course_dir = Path(course_dir).resolve()
    columns, rows = question_scores(course_dir, assignment)
    flags = {}
    for a in {r["assignment"] for r in rows}:
        for f in read_flags(course_dir, a):
            if f["kind"] == "manual":
                flags.setdefault((f["student"], a), []).append(f["reason"])
    for row in rows:
        row["flag"] = "; ".join(flags.get((row["student"], row["assignment"]), []))
    out = Path(out) if out else course_dir / "exports" / "grades.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    fields = ["student", "assignment", *columns, "total", "max", "needs_manual_grade", "flag"]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return out


def export_main(args) -> int:
    out = export(args.course_dir, args.out, args.assignment)
    print(f"wrote {out}")
    return 0


def report(course_dir: Path, assignment: str) -> tuple[Path, list[dict]]:
    """Per-question pass rates and a score histogram; returns (folder, table rows)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    course_dir = Path(course_dir).resolve()
    config = course.load_config(course_dir)
    per_question: dict[str, list[float]] = defaultdict(list)
    maxima: dict[str, float] = {}
    by_student: dict[str, float] = {}
    for s in gradebook.iter_scores(config.CourseDirectory.db_url, assignment):
        by_student.setdefault(s.student, 0.0)
        if s.cell_type != "code":
            continue  # written answers: graded by people, not re-teaching data here
        per_question[s.question].append(s.score or 0)
        maxima[s.question] = s.max_score
        by_student[s.student] += s.score or 0
    totals = list(by_student.values())
    if not totals:
        raise BootcampError(f"no graded submissions of {assignment}")
    table = []
    for name in per_question:
        scores = per_question[name]
        full = sum(1 for s in scores if s >= maxima[name])
        table.append(
            {
                "question": name,
                "points": maxima[name],
                "submissions": len(scores),
                "full_marks": full,
                "pass_rate": round(full / len(scores), 3),
                "mean_points": round(sum(scores) / len(scores), 2),
            }
        )
    table.sort(key=lambda r: r["pass_rate"])
    folder = course_dir / "reports" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "report.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    names = [r["question"] for r in table]
    left.barh(names, [100 * r["pass_rate"] for r in table], color="#0072B2")
    left.set_xlim(0, 100)
    left.set_xlabel("students with full marks (%)")
    left.set_title("Questions, hardest first")
    left.invert_yaxis()
    max_total = sum(maxima.values())
    bins = [x - 0.5 for x in range(int(max_total) + 2)]
    right.hist(totals, bins=bins, color="#E69F00", edgecolor="white")
    right.set_xlabel(f"autograded score (out of {max_total:g})")
    right.set_ylabel("students")
    right.set_title(f"Score distribution (n={len(totals)})")
    fig.suptitle(f"{assignment}: what to re-teach")
    fig.savefig(folder / "report.png", dpi=120)
    plt.close(fig)
    return folder, table


def report_main(args) -> int:
    folder, table = report(args.course_dir, args.assignment)
    width = max(len(r["question"]) for r in table) + 2
    print(f"{'question':<{width}} {'points':>6} {'full marks':>11} {'pass rate':>10} {'mean':>6}")
    for r in table:
        print(
            f"{r['question']:<{width}} {r['points']:>6g} {r['full_marks']:>5}/{r['submissions']:<5}"
            f" {100 * r['pass_rate']:>9.0f}% {r['mean_points']:>6g}"
        )
    print(f"chart: {folder / 'report.png'}  table: {folder / 'report.csv'}")
    return 0
