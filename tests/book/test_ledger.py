"""The concept ledger: no lesson or exercise uses an idea that no earlier lesson introduced
(the vocabulary and the rules are in bootcamp/ledger.py)."""

from __future__ import annotations

import shutil
import textwrap

import nbformat
import pytest
import yaml

from bootcamp import chapter_meta, ledger
from bootcamp.errors import BootcampError
from bootcamp.paths import CHAPTERS_DIR


def test_the_book_keeps_its_concept_ledger():
    problems = ledger.check()
    assert not problems, f"{len(problems)} concept ledger problem(s):\n" + "\n".join(
        str(p) for p in problems
    )


def test_the_ledger_reads_every_lesson_and_exercise_notebook():
    chapters = chapter_meta.all_chapters()
    assert [c.slug for c in chapters][:2] == ["01-voter-file", "02-sql-basics"]
    for chapter in chapters:
        for lesson in chapter.lessons:
            path = chapter_meta.lesson_path(chapter.folder, lesson.file)
            cells = list(ledger._lesson_cells(path))
            assert cells, f"{chapter.slug}/{lesson.file}: no code cells read"
        exercises = list(ledger._exercise_cells(chapter.folder / ledger.EXERCISES))
        assert len(exercises) >= 5, f"{chapter.slug}: only {len(exercises)} exercise cells read"
    introduced = [
        idea
        for chapter in chapters[:2]
        for lesson in chapter.lessons
        for ideas in lesson.introduces.values()
        for idea in ideas
    ]
    assert len(introduced) >= 40, "chapters 1 and 2 introduce fewer ideas than they teach"


# --- the vocabulary ------------------------------------------------------------------------------


def test_python_vocabulary():
    code = textwrap.dedent(
        """
        import pandas as pd
        from bootcamp import data

        def share(voters, party="UNA"):
            with open("notes.txt") as notes:
                lines = [line for line in notes if line]
            label = f"{party}: {len(lines)} {round(2.5, ndigits=0)}"
            key = lambda row: row ** 2
            return voters[(voters["party_cd"] == party) & ~voters["x"].isna()].iloc[1:3]

        data.load("voters").groupby("party_cd").size()
        ", ".join(["a", "b"])
        %timeit share(None)
        """
    )
    ideas = ledger.python_ideas(code)
    assert {"import", "def", "return", "with", "comprehension", "f-string", "lambda", "**"} <= (
        ideas["python"]
    )
    assert {"==", "&", "~", "slice", "keyword-argument", "open", "len", "list", "="} <= (
        ideas["python"]
    )
    assert ideas["pandas"] == {"isna", "iloc", "groupby", "size"}  # not data.load, not ", ".join
    assert ideas["sql"] == set()


def test_sql_vocabulary():
    sql = """
    WITH recent AS (SELECT ncid FROM vote_history WHERE election_lbl LIKE '2024%')
    SELECT v.party_cd, COUNT(DISTINCT v.ncid) AS voters, ROUND(AVG(age_at_year_end), 1) AS age
    FROM voters AS v
    LEFT JOIN recent AS r ON r.ncid = v.ncid
    WHERE v.email IS NOT NULL AND v.party_cd IN ('DEM', 'REP')
    GROUP BY v.party_cd
    HAVING COUNT(*) > 10
    ORDER BY voters DESC
    LIMIT 5
    """
    assert ledger.sql_ideas(sql) == {
        "WITH", "SELECT", "FROM", "WHERE", "LIKE", "COUNT", "DISTINCT", "AS", "ROUND", "AVG",
        "LEFT JOIN", "IS NULL", "NOT", "AND", "IN", "GROUP BY", "HAVING", "ORDER BY", "DESC",
        "LIMIT",
    }  # fmt: skip
    # SQL is found in any string literal of Python code
    code = f"import pandas as pd\npd.read_sql_query('''{sql}''', con)"
    assert "LEFT JOIN" in ledger.python_ideas(code)["sql"]
    with pytest.raises(ValueError, match="sqlglot cannot parse"):
        ledger.sql_ideas("SELECT FROM WHERE (")


# --- the check, on a small book of its own ---------------------------------------------------


LESSON = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

# {title}

```{{code-cell}} ipython3
{code}
```

```{{code-cell}} ipython3
:tags: [remove-cell]
assert sorted([3, 1]) == [1, 3]  # book machinery: never checked
```
"""


def make_chapter(root, slug, lessons, exercise_code=None, number=1):
    folder = root / slug
    folder.mkdir(parents=True)
    entries = []
    for file, code, introduces in lessons:
        (folder / f"{file}.md").write_text(LESSON.format(title=file, code=code))
        entries.append({"file": file, "minutes": 20, "introduces": introduces})
    meta = {
        "number": number,
        "title": slug,
        "part": "Part I: Foundations",
        "exercises_minutes": 30,
        "lessons": entries,
    }
    (folder / "chapter.yml").write_text(yaml.safe_dump(meta, sort_keys=False))
    if exercise_code is not None:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell('%pip install --quiet "bootcamp"'),
            nbformat.v4.new_code_cell(
                f"def answer(voters):\n    ### BEGIN SOLUTION\n    {exercise_code}\n"
                "    ### END SOLUTION",
                metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "q1"}},
            ),
            nbformat.v4.new_code_cell(
                "assert answer(voters).merge(voters) is not None",
                metadata={"nbgrader": {"solution": False, "grade": True, "grade_id": "t1"}},
            ),
        ]
        nbformat.write(nb, folder / "exercises.ipynb")
    return folder


LOAD = "voters = 1\n\n\ndef count(voters):\n    return len([voters])"


@pytest.fixture
def book(tmp_path):
    make_chapter(
        tmp_path,
        "01-first",
        [
            ("01-load", LOAD, {"python": ["=", "def", "return", "len", "list"]}),
            ("02-count", "voters.value_counts()", {"pandas": ["value_counts"]}),
        ],
        exercise_code="return voters.value_counts()",
    )
    return tmp_path


def test_a_book_that_keeps_its_ledger_passes(book):
    assert ledger.check(book) == []


def test_an_idea_used_before_it_is_taught_names_chapter_lesson_cell_and_what_to_add(book):
    make_chapter(
        book,
        "02-second",
        [("01-join", "voters.merge(voters)\nvoters.value_counts()", {})],
        number=2,
    )
    (problem,) = ledger.check(book)
    message = str(problem)
    assert message.startswith("02-second/01-join.md code cell 1, line 13")
    assert "uses pandas `merge`, which no earlier lesson introduces" in message
    assert "add `merge` to `introduces: pandas:` of lesson 01-join in 02-second/chapter.yml" in (
        message
    )


def test_an_idea_taught_in_a_later_lesson_fails_in_an_earlier_one(book):
    lesson = book / "01-first" / "01-load.md"
    lesson.write_text(lesson.read_text().replace("voters = 1", "voters.value_counts()"))
    messages = [str(p) for p in ledger.check(book)]
    assert any("01-load.md code cell 1" in m and "pandas `value_counts`" in m for m in messages)


def test_an_exercise_that_uses_an_untaught_idea_fails(book):
    shutil.rmtree(book / "01-first")
    make_chapter(
        book,
        "01-first",
        [("01-load", LOAD, {"python": ["=", "def", "return", "len", "list"]})],
        exercise_code='return f"{voters}" if voters else None',
    )
    messages = sorted(str(p) for p in ledger.check(book))
    assert len(messages) == 2, messages  # the f-string and the `x if y else z` of the answer
    assert all("exercises.ipynb code cell 2" in m for m in messages)
    assert "the exercises use python `f-string`" in messages[0]
    assert "the exercises use python `if`" in messages[1]
    # the hidden test cell's `merge` and the set-up cell's %pip are not the learner's code
    assert not any("merge" in m or "pip" in m for m in messages)


def test_a_listed_idea_that_the_lesson_never_uses_fails(book):
    meta_path = book / "01-first" / "chapter.yml"
    meta = yaml.safe_load(meta_path.read_text())
    meta["lessons"][1]["introduces"]["sql"] = ["HAVING"]
    meta_path.write_text(yaml.safe_dump(meta))
    (problem,) = ledger.check(book)
    assert "lesson 02-count lists sql `HAVING` under introduces, but none of its code" in str(
        problem
    )


def test_an_idea_introduced_twice_fails(book):
    meta_path = book / "01-first" / "chapter.yml"
    meta = yaml.safe_load(meta_path.read_text())
    meta["lessons"][1]["introduces"]["python"] = ["len"]
    meta_path.write_text(yaml.safe_dump(meta))
    messages = [str(p) for p in ledger.check(book)]
    assert any("introduces python `len`, but 01-first/01-load already did" in m for m in messages)


def test_a_chapter_without_chapter_yml_fails(book):
    (book / "02-second").mkdir()
    (problem,) = ledger.check(book)
    assert str(problem).startswith("02-second/chapter.yml: missing")


def test_a_malformed_chapter_yml_is_one_clear_error(tmp_path):
    folder = make_chapter(tmp_path, "01-first", [("01-load", "x = 1", {"python": ["="]})])
    (folder / "chapter.yml").write_text("number: 1\ntitle: x\n")
    with pytest.raises(BootcampError, match="missing part, exercises_minutes, lessons"):
        chapter_meta.load(folder)
    (folder / "chapter.yml").write_text(
        "number: 1\ntitle: x\npart: P\nexercises_minutes: 0\nlessons: [{file: 01-load, minutes: 5}]"
    )
    with pytest.raises(BootcampError, match="exercises_minutes must be a whole number"):
        chapter_meta.load(folder)


def test_the_real_chapters_metadata_loads():
    for folder in chapter_meta.chapter_folders(CHAPTERS_DIR):
        chapter = chapter_meta.load(folder)
        assert chapter.teaching_minutes > 0 and chapter.exercises_minutes > 0


def test_code_blocks_in_a_lessons_text_are_checked_unless_they_show_a_mistake(book):
    lesson = book / "01-first" / "02-count.md"
    lesson.write_text(
        lesson.read_text()
        + "\n:::{admonition} Solution\n```python\nvoters.value_counts().sort_values()\n```\n:::\n"
        + "\nA mistake on purpose:\n\n```python\nvoters[voters['x'] = 'A']\n```\n"
        + "\n```sql\nSELECT party_cd FROM voters\n```\n"
    )
    messages = sorted(str(p) for p in ledger.check(book))
    assert len(messages) == 3, messages  # sort_values, and SELECT / FROM of the sql block
    assert any("02-count.md python block at line" in m and "`sort_values`" in m for m in messages)
    assert any("02-count.md sql block at line" in m and "sql `SELECT`" in m for m in messages)


def test_a_lesson_may_be_an_ipynb_notebook(book):
    lesson = book / "01-first" / "02-count.md"
    lesson.unlink()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("voters.value_counts().merge(voters)")]
    nbformat.write(nb, lesson.with_suffix(".ipynb"))
    (problem,) = ledger.check(book)
    assert str(problem).startswith("01-first/02-count.ipynb code cell 1 (")
    assert "pandas `merge`" in str(problem)
