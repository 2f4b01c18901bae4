"""Concept checks: short questions a reader answers on the page, with no kernel.

A chapter keeps its questions in ``concept-checks.yml`` beside its lessons, one section per lesson
(the lesson's file name without ``.md``), one entry per question::

    02-filter-count-sort:
      equals-sign:                       # the id a lesson cell passes to concept_check()
        question: Which line keeps only the active registrants?
        choices:
          - answer: '`voters[voters["status_cd"] == "A"]`'
            correct: true
            feedback: "`==` asks every row a yes-or-no question."
          - answer: '`voters[voters["status_cd"] = "A"]`'
            feedback: "A single `=` stores a value; Python stops with a SyntaxError."
      active-count:
        question: How many active registrants are there?
        answer: "{n_active}"             # filled in from the executed data, never typed
        tolerance: 0
        feedback: Right.
        wrong:                           # the numbers a known mistake gives, and why
          - value: "{n_all}"
            feedback: That counts every row, inactive and removed registrants too.
        otherwise: Filter on the status code first, then count the rows.

A hidden lesson cell (tags ``remove-input`` and ``concept-check``) renders one question from the
numbers the lesson just computed: ``concept_check("active-count", n_active=..., n_all=...)``. Text
may use `code` and **bold**; ``{name}`` and ``{name:,}`` are filled from those keyword arguments.

The output is plain HTML that works in the static book with JavaScript only: a ``<form>`` with a
``<fieldset>`` and ``<legend>``, native radio buttons with ``<label>``\\s (or a labeled text box),
a real submit button, and a ``role="status"`` live region that announces the feedback. The
feedback starts with the words "Correct" or "Not quite", so color is never the only signal.

Why not jupyterquiz (2.9.6.4, the usual choice for Jupyter Book): its questions are plain
``<div>`` elements with no fieldset or legend, its feedback is not announced (no live region),
answers are checked by click handlers on labels that read the global ``event`` (fragile with the
keyboard) and log to the console on every answer, and its JavaScript is repeated inside every
question's output.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bootcamp.errors import BootcampError

CHECKS_FILE = "concept-checks.yml"


@dataclass(frozen=True)
class Choice:
    answer: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class ConceptCheck:
    """One question, with its text already filled in from the lesson's numbers."""

    id: str
    lesson: str
    question: str
    code: str = ""  # a code example the question is about, shown as a block under it
    choices: tuple[Choice, ...] = ()
    answer: float | None = None  # numeric questions
    tolerance: float = 0.0
    feedback: str = ""
    wrong: tuple[tuple[float, str], ...] = ()
    otherwise: str = ""

    @property
    def kind(self) -> str:
        return "choice" if self.choices else "number"


def load_checks(chapter: Path) -> dict[str, dict[str, dict]]:
    """Every lesson's raw questions in a chapter: ``{lesson: {check_id: spec}}``."""
    path = Path(chapter) / CHECKS_FILE
    if not path.exists():
        raise BootcampError(f"{path}: no concept checks file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise BootcampError(f"{path}{where}: not valid YAML") from None
    seen: dict[str, str] = {}
    for lesson, checks in raw.items():
        if not isinstance(checks, dict):
            raise BootcampError(f"{path}: '{lesson}' must map question ids to questions")
        for check_id in checks:
            if check_id in seen:
                raise BootcampError(
                    f"{path}: question id '{check_id}' is used by {seen[check_id]} and {lesson}"
                )
            seen[check_id] = lesson
    return raw


def _fill(text, values: dict, where: str) -> str:
    try:
        return str(text).format_map(values)
    except KeyError as exc:
        raise BootcampError(
            f"{where}: needs the value {exc.args[0]!r}; pass it to concept_check()"
        ) from None


def _number(text: str, where: str) -> float:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        raise BootcampError(f"{where}: {text!r} is not a number") from None


def build_check(chapter: Path, check_id: str, **values) -> ConceptCheck:
    """Read one question of a chapter and fill in the lesson's numbers."""
    for lesson, checks in load_checks(chapter).items():  # noqa: B007 (lesson is used below)
        if check_id in checks:
            spec = checks[check_id]
            break
    else:
        raise BootcampError(f"{Path(chapter) / CHECKS_FILE}: no question '{check_id}'")
    where = f"{CHECKS_FILE} {lesson}/{check_id}"
    if "question" not in spec:
        raise BootcampError(f"{where}: no question text")
    question = _fill(spec["question"], values, where)
    code = _fill(spec.get("code", ""), values, where).rstrip()
    if "choices" in spec:
        choices = tuple(
            Choice(
                answer=_fill(item["answer"], values, where),
                correct=bool(item.get("correct", False)),
                feedback=_fill(item.get("feedback", ""), values, where),
            )
            for item in spec["choices"]
        )
        if sum(choice.correct for choice in choices) != 1:
            raise BootcampError(f"{where}: exactly one choice must be correct")
        if not all(choice.feedback for choice in choices):
            raise BootcampError(f"{where}: every choice needs feedback saying why")
        return ConceptCheck(check_id, lesson, question, code=code, choices=choices)
    if "answer" not in spec:
        raise BootcampError(f"{where}: give either choices or a numeric answer")
    wrong = tuple(
        (
            _number(_fill(item["value"], values, where), where),
            _fill(item["feedback"], values, where),
        )
        for item in spec.get("wrong", [])
    )
    answer = _number(_fill(spec["answer"], values, where), where)
    tolerance = float(spec.get("tolerance", 0))
    for value, _ in wrong:
        if abs(value - answer) <= tolerance:
            raise BootcampError(
                f"{where}: the wrong answer {value:g} equals the right one on this data; "
                "the question cannot tell them apart"
            )
    return ConceptCheck(
        check_id,
        lesson,
        question,
        code=code,
        answer=answer,
        tolerance=tolerance,
        feedback=_fill(spec.get("feedback", ""), values, where),
        wrong=wrong,
        otherwise=_fill(spec.get("otherwise", ""), values, where),
    )


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def inline_html(text: str) -> str:
    """The little Markdown the questions use: `code` and **bold**, everything else escaped."""
    parts = _CODE.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            out.append(_BOLD.sub(r"<strong>\1</strong>", html.escape(part)))
    return "".join(out).strip().replace("\n\n", "<br><br>").replace("\n", "<br>")


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _json_value(value):
    if hasattr(value, "item"):  # numpy and pandas scalars
        return value.item()
    raise TypeError(f"{value!r} cannot be a concept check value")


def render_html(check: ConceptCheck, uid: str | None = None, values: dict | None = None) -> str:
    """The question as accessible HTML (see the module docstring), with its script and style.

    ``values`` (the lesson's numbers) are kept on the form, so the book can render the question
    again from the current ``concept-checks.yml`` without executing the lesson again.
    """
    uid = uid or f"cc-{check.id}"
    kept = json.dumps(values or {}, default=_json_value, sort_keys=True)
    legend = (
        '<legend class="concept-check-question">'
        '<span class="concept-check-title">Check your understanding</span> '
        f"{inline_html(check.question)}</legend>"
    )
    described = ""
    if check.code:
        # A legend may hold only phrasing content: the code block follows it, tied to the question
        # with aria-describedby so a screen reader reads it with the question.
        legend += (
            f'<pre class="concept-check-code" id="{uid}-code">'
            f"<code>{html.escape(check.code)}</code></pre>"
        )
        described = f' aria-describedby="{uid}-code"'
    if check.kind == "choice":
        rows = []
        for index, choice in enumerate(check.choices):
            rows.append(
                f'<div class="concept-check-choice">'
                f'<input type="radio" name="{uid}" id="{uid}-{index}" value="{index}" '
                f'data-correct="{str(choice.correct).lower()}" '
                f'data-feedback="{_attr(inline_html(choice.feedback))}">'
                f'<label for="{uid}-{index}">{inline_html(choice.answer)}</label></div>'
            )
        body = "".join(rows)
        data = ""
    else:
        body = (
            f'<div class="concept-check-number"><label for="{uid}-input">Your answer</label>'
            f'<input type="text" inputmode="decimal" autocomplete="off" id="{uid}-input" '
            f'name="{uid}"></div>'
        )
        wrong = "|".join(f"{_number_text(value)}" for value, _ in check.wrong)
        data = (
            f' data-answer="{_number_text(check.answer)}" data-tolerance="{check.tolerance}"'
            f' data-feedback="{_attr(inline_html(check.feedback))}"'
            f' data-otherwise="{_attr(inline_html(check.otherwise))}"'
            f' data-wrong="{_attr(wrong)}"'
            + "".join(
                f' data-wrong-{index}="{_attr(inline_html(text))}"'
                for index, (_, text) in enumerate(check.wrong)
            )
        )
    return (
        f'<form class="concept-check" id="{uid}" data-check="{_attr(check.id)}" '
        f'data-kind="{check.kind}" data-values="{_attr(kept)}"{data} novalidate>'
        f"<fieldset{described}>{legend}{body}"
        f'<button type="submit" class="concept-check-submit">Check answer</button>'
        f'<p class="concept-check-feedback" role="status" aria-live="polite"></p>'
        f"</fieldset></form>{ASSETS}"
    )


class _HTML:
    """A displayable object: Jupyter and myst-nb show its ``text/html``."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return "Concept check (open the page in a browser to answer it)"


def concept_check(check_id: str, chapter: Path | str = ".", **values) -> _HTML:
    """Render question ``check_id`` of the chapter in ``chapter`` (the lesson's own folder)."""
    return _HTML(render_html(build_check(Path(chapter), check_id, **values), values=values))


# The behavior and look, shared by every question on a page. The script installs itself once
# (a page may hold several questions) and listens for form submissions, so pressing Enter on a
# radio button or in the text box checks the answer just like the button does.
_SCRIPT = r"""
(function () {
  if (window.bootcampConceptChecks) { return; }
  window.bootcampConceptChecks = true;
  var style = document.createElement("style");
  style.textContent = %s;
  document.head.appendChild(style);
  function parse(text) {
    var cleaned = String(text).replace(/[,\s%%$]/g, "");
    if (cleaned === "" || isNaN(Number(cleaned))) { return null; }
    return Number(cleaned);
  }
  function show(form, correct, html) {
    var status = form.querySelector(".concept-check-feedback");
    status.classList.remove("is-correct", "is-wrong");
    status.classList.add(correct ? "is-correct" : "is-wrong");
    status.innerHTML = "<strong>" + (correct ? "Correct." : "Not quite.") + "</strong> " + html;
  }
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || field.type !== "radio" || !field.form ||
        !field.form.classList.contains("concept-check")) { return; }
    event.preventDefault();  // Enter on a choice checks it, in every browser
    if (field.form.requestSubmit) { field.form.requestSubmit(); return; }
    field.form.dispatchEvent(new Event("submit", {bubbles: true, cancelable: true}));
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("concept-check")) { return; }
    event.preventDefault();
    var status = form.querySelector(".concept-check-feedback");
    if (form.dataset.kind === "choice") {
      var picked = form.querySelector("input[type=radio]:checked");
      if (!picked) {
        status.classList.remove("is-correct", "is-wrong");
        status.textContent = "Pick one of the answers first.";
        return;
      }
      show(form, picked.dataset.correct === "true", picked.dataset.feedback);
      return;
    }
    var given = parse(form.querySelector("input").value);
    if (given === null) {
      status.classList.remove("is-correct", "is-wrong");
      status.textContent = "Type a number, for example 1234.";
      return;
    }
    var answer = Number(form.dataset.answer);
    if (Math.abs(given - answer) <= Number(form.dataset.tolerance) + 1e-9) {
      show(form, true, form.dataset.feedback);
      return;
    }
    var wrong = form.dataset.wrong ? form.dataset.wrong.split("|") : [];
    for (var i = 0; i < wrong.length; i++) {
      if (Math.abs(given - Number(wrong[i])) <= Number(form.dataset.tolerance) + 1e-9) {
        show(form, false, form.dataset["wrong-" + i] || form.dataset.otherwise);
        return;
      }
    }
    show(form, false, form.dataset.otherwise);
  });
})();
"""

_STYLE = """
.concept-check { margin: 1.5em 0; max-width: 100%; }
.concept-check fieldset { border: 1px solid var(--pst-color-border, #ccc); border-radius: 6px;
  padding: 0.75em 1em; margin: 0; min-width: 0; }
.concept-check-title { display: block; font-weight: bold; margin: 0 0 0.25em; }
.concept-check legend { float: left; width: 100%; padding: 0; margin-bottom: 0.5em;
  font-size: 1em; }
.concept-check legend + * { clear: both; }
.concept-check-choice { display: flex; align-items: flex-start; gap: 0.5em; margin: 0.25em 0;
  min-height: 44px; }
.concept-check-choice input { margin-top: 0.35em; width: 1.2em; height: 1.2em; flex: none; }
.concept-check-choice label { flex: 1; min-width: 0; overflow-wrap: anywhere; cursor: pointer;
  padding: 0.2em 0; }
.concept-check code { white-space: pre-wrap; overflow-wrap: anywhere; }
.concept-check-code { clear: both; margin: 0 0 0.75em; padding: 0.5em; overflow-x: auto;
  white-space: pre-wrap; }
.concept-check-number { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5em; }
.concept-check-number input { font-size: 1em; padding: 0.4em; min-height: 44px;
  max-width: 12em; }
.concept-check-submit { margin-top: 0.5em; min-height: 44px; padding: 0.4em 1em; font-size: 1em;
  border-radius: 4px; border: 1px solid var(--pst-color-primary, #0072B2);
  background: var(--pst-color-primary, #0072B2); color: #fff; cursor: pointer; }
.concept-check input:focus-visible, .concept-check-submit:focus-visible {
  outline: 3px solid var(--pst-color-accent, #E69F00); outline-offset: 2px; }
.concept-check-feedback { margin: 0.5em 0 0; }
.concept-check-feedback.is-correct { border-left: 4px solid var(--pst-color-success, #009E73);
  padding-left: 0.5em; }
.concept-check-feedback.is-wrong { border-left: 4px solid var(--pst-color-danger, #D55E00);
  padding-left: 0.5em; }
"""


def _script() -> str:
    return _SCRIPT % json.dumps(" ".join(_STYLE.split()))


ASSETS = f"<script>{_script()}</script>"


# ---- the Sphinx side -----------------------------------------------------------------------------
# A lesson's executed outputs are cached by its source, so an edit to concept-checks.yml alone would
# not reach the page. The book therefore renders every question again at build time, from the
# current file and the numbers the executed cell kept on the form, and re-reads a lesson whenever
# its chapter's concept-checks.yml changes.

_FORM = re.compile(
    r'<form class="concept-check" id="[^"]*" data-check="([^"]*)"[^>]*'
    r'data-values="([^"]*)"'
)


def rerender(markup: str, chapter: Path) -> str:
    """``markup`` (a concept check cell's output) rendered again from ``chapter``'s questions."""
    match = _FORM.search(markup)
    if not match:
        return markup
    check_id = html.unescape(match[1])
    values = json.loads(html.unescape(match[2]))
    return render_html(build_check(chapter, check_id, **values), values=values)


def _doctree_read(app, doctree) -> None:
    from docutils import nodes
    from sphinx.util import logging

    source = Path(app.env.doc2path(app.env.docname))
    checks_file = source.parent / CHECKS_FILE
    if not checks_file.exists():
        return
    app.env.note_dependency(str(checks_file))
    app.env.note_dependency(__file__)  # and when the renderer itself changes
    for node in list(doctree.findall(nodes.raw)):
        if node.get("format") != "html" or 'class="concept-check"' not in node.astext():
            continue
        try:
            markup = rerender(node.astext(), source.parent)
        except BootcampError as exc:
            logging.getLogger(__name__).warning(f"concept check: {exc}", location=node)
            continue
        node.replace_self(nodes.raw("", markup, format="html"))


def setup(app):
    """Sphinx extension: concept checks always show the current concept-checks.yml."""
    app.connect("doctree-read", _doctree_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
