"""Concept checks and predict-then-run cells, from the sources (fast; the browser test in
test_quizzes.py answers them on the built pages)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from book_support import lesson_paths

from bootcamp.errors import BootcampError
from bootcamp.quiz import CHECKS_FILE, build_check, load_checks, render_html

# lessons of the chapters (the codebook appendix also runs code, but teaches nothing)
LESSONS = [path for path in lesson_paths() if path.parent.parent.name == "chapters"]
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.S)
PREDICT = re.compile(
    r":::\{admonition\} Predict, then run\n.*?:::\s*```\{code-cell\}[^\n]*\n(.*?)```", re.S
)


def _cells(path: Path) -> list[str]:
    return CELL.findall(path.read_text(encoding="utf-8"))


def _rendered_ids(path: Path) -> list[str]:
    ids = []
    for cell in _cells(path):
        header = cell.split("\n\n", 1)[0]
        if "concept-check" in header:
            assert "remove-input" in header, f"{path.name}: a concept check shows its code"
            ids += re.findall(r'concept_check\(\s*"([^"]+)"', cell)
    return ids


def test_the_toc_has_lessons():
    assert len(LESSONS) >= 7  # chapters 1 and 2: a vacuous pass if the reader found none


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_every_lesson_renders_each_of_its_concept_checks(lesson):
    checks = load_checks(lesson.parent)
    assert lesson.stem in checks, f"{lesson.parent.name}/{CHECKS_FILE} has no section {lesson.stem}"
    written = list(checks[lesson.stem])
    rendered = _rendered_ids(lesson)
    assert rendered, f"{lesson.name} has no concept check"
    assert sorted(rendered) == sorted(written), (
        f"{lesson.name} renders {rendered}, {CHECKS_FILE} has {written} for it"
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_every_lesson_asks_for_a_prediction_before_showing_a_result(lesson):
    cells = PREDICT.findall(lesson.read_text(encoding="utf-8"))
    assert cells, f"{lesson.name} has no 'Predict, then run' block"
    for cell in cells:
        assert "hide-output" in cell.split("\n\n", 1)[0], (
            f"{lesson.name}: the cell after 'Predict, then run' must hide its output"
        )


def test_numeric_answers_come_from_the_executed_data():
    chapters = {lesson.parent for lesson in LESSONS}
    numeric = 0
    for chapter in chapters:
        for lesson, checks in load_checks(chapter).items():
            for check_id, spec in checks.items():
                if "answer" in spec:
                    numeric += 1
                    values = [spec["answer"]] + [item["value"] for item in spec.get("wrong", [])]
                    typed = [value for value in values if not re.fullmatch(r"\{\w+\}", str(value))]
                    assert not typed, f"{lesson}/{check_id}: typed numbers {typed}; glue them"
    assert numeric >= len(chapters)


# ---- the renderer ----------------------------------------------------------------------------


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _write(tmp_path: Path, checks: dict) -> Path:
    (tmp_path / CHECKS_FILE).write_text(yaml.safe_dump(checks), encoding="utf-8")
    return tmp_path


CHOICE = {
    "question": "Which `line`?",
    "choices": [
        {"answer": "`a == b`", "correct": True, "feedback": "asks"},
        {"answer": "`a = b`", "feedback": "stores <b>"},
    ],
}
NUMBER = {
    "question": "How many?",
    "answer": "{right}",
    "feedback": "yes, {right:,}",
    "wrong": [{"value": "{everyone}", "feedback": "that is everyone"}],
    "otherwise": "filter first",
}


def test_a_choice_question_is_a_labelled_fieldset_with_a_live_region(tmp_path):
    chapter = _write(tmp_path, {"lesson": {"q": CHOICE}})
    outline = _Outline()
    outline.feed(render_html(build_check(chapter, "q"), uid="cc-q"))
    tags = [tag for tag, _ in outline.tags]
    assert tags[:3] == ["form", "fieldset", "legend"]  # the legend is the fieldset's first child
    radios = [attrs for tag, attrs in outline.tags if tag == "input"]
    labels = [attrs["for"] for tag, attrs in outline.tags if tag == "label"]
    assert [radio["type"] for radio in radios] == ["radio", "radio"]
    assert [radio["id"] for radio in radios] == labels
    assert {radio["name"] for radio in radios} == {"cc-q"}
    status = next(attrs for tag, attrs in outline.tags if attrs.get("role") == "status")
    assert status["aria-live"] == "polite"
    assert any(tag == "button" and attrs["type"] == "submit" for tag, attrs in outline.tags)
    # feedback is escaped: the learner's text never becomes markup
    assert radios[1]["data-feedback"] == "stores &lt;b&gt;"


def test_a_numeric_question_fills_in_the_lessons_numbers(tmp_path):
    chapter = _write(tmp_path, {"lesson": {"n": NUMBER}})
    check = build_check(chapter, "n", right=1234, everyone=5000)
    assert (check.answer, check.wrong[0][0], check.feedback) == (1234, 5000, "yes, 1,234")
    html = render_html(check, uid="cc-n")
    assert 'data-answer="1234"' in html and 'data-wrong="5000"' in html
    assert '<label for="cc-n-input">' in html and 'id="cc-n-input"' in html


@pytest.mark.parametrize(
    ("spec", "values", "message"),
    [
        (NUMBER, {"right": 7}, "needs the value 'everyone'"),
        (NUMBER, {"right": 7, "everyone": 7}, "cannot tell them apart"),
        ({**CHOICE, "choices": [{**c, "correct": True} for c in CHOICE["choices"]]}, {}, "exactly"),
        ({**CHOICE, "choices": [CHOICE["choices"][0], {"answer": "x"}]}, {}, "feedback"),
        ({"question": "?"}, {}, "either choices or a numeric answer"),
    ],
)
def test_a_question_that_cannot_work_is_refused_with_one_line(tmp_path, spec, values, message):
    chapter = _write(tmp_path, {"lesson": {"q": spec}})
    with pytest.raises(BootcampError, match=message) as error:
        build_check(chapter, "q", **values)
    assert "\n" not in str(error.value)


def test_a_question_id_names_one_question_in_a_chapter(tmp_path):
    chapter = _write(tmp_path, {"one": {"q": CHOICE}, "two": {"q": CHOICE}})
    with pytest.raises(BootcampError, match="used by one and two"):
        load_checks(chapter)
    with pytest.raises(BootcampError, match="no question 'missing'"):
        build_check(_write(tmp_path, {"one": {"q": CHOICE}}), "missing")


def test_the_book_renders_a_question_again_from_the_current_file(tmp_path):
    """Executed outputs are cached by the lesson's source: an edit to the questions alone must
    still reach the page, so the Sphinx side renders each question again from the kept numbers."""
    import numpy as np

    from bootcamp.quiz import rerender

    chapter = _write(tmp_path, {"lesson": {"n": NUMBER}})
    values = {"right": np.int64(1234), "everyone": 5000}
    executed = render_html(build_check(chapter, "n", **values), values=values)
    _write(tmp_path, {"lesson": {"n": {**NUMBER, "feedback": "now {right:,} exactly"}}})
    again = rerender(executed, chapter)
    assert "now 1,234 exactly" in again and "yes, 1,234" not in again
    assert 'data-answer="1234"' in again
    assert rerender("<p>not a question</p>", chapter) == "<p>not a question</p>"
