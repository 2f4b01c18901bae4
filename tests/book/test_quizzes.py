"""Concept checks work on the published page with JavaScript only: a real headless Chromium answers
every question of every lesson in the table of contents right and wrong and reads the feedback, and
one question is answered with the keyboard alone."""

from __future__ import annotations

import re
from html import unescape

import pytest
import test_site
from book_support import REPO, lesson_paths
from test_site import open_page

# The site tests' fixtures, reused: the built book served on localhost, and headless Chromium.
site = test_site.site
browser = test_site.browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LESSONS = [
    path.relative_to(REPO).with_suffix("").as_posix()
    for path in lesson_paths()
    if path.parent.parent.name == "chapters"  # the codebook appendix runs code but teaches none
]
CHECK_CELL = re.compile(r"```\{code-cell\}[^\n]*\n:tags: \[[^\]]*concept-check[^\]]*\]")


def _plain(html: str) -> str:
    """Feedback as a reader sees it: tags dropped, entities decoded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _feedback(form) -> str:
    return " ".join(form.find_element("css selector", ".concept-check-feedback").text.split())


def _submit(form):
    form.find_element("css selector", "button[type=submit]").click()


def _answer_choice(form) -> None:
    radios = form.find_elements("css selector", "input[type=radio]")
    assert len(radios) >= 2, "a multiple-choice question needs at least two answers"
    right = [radio for radio in radios if radio.get_attribute("data-correct") == "true"]
    wrong = [radio for radio in radios if radio.get_attribute("data-correct") != "true"]
    assert len(right) == 1 and wrong
    for radio, verdict in ((wrong[0], "Not quite."), (right[0], "Correct.")):
        label = form.find_element("css selector", f"label[for='{radio.get_attribute('id')}']")
        label.click()  # a reader taps the words, not the small circle
        assert radio.is_selected()
        _submit(form)
        text = _feedback(form)
        assert text.startswith(verdict), text
        assert _plain(radio.get_attribute("data-feedback")) in text


def _answer_number(form) -> None:
    box = form.find_element("css selector", "input[type=text]")
    answer = form.get_attribute("data-answer")
    wrong = form.get_attribute("data-wrong").split("|")
    assert wrong and wrong[0], "a numeric question names the numbers known mistakes give"
    box.clear()
    box.send_keys(f"{int(wrong[0]):,}" if wrong[0].isdigit() else wrong[0])
    _submit(form)
    text = _feedback(form)
    assert text.startswith("Not quite."), text
    assert _plain(form.get_attribute("data-wrong-0")) in text
    box.clear()
    box.send_keys(answer)
    _submit(form)
    text = _feedback(form)
    assert text.startswith("Correct."), text


@pytest.mark.parametrize("page", LESSONS)
def test_every_concept_check_answers_right_and_wrong(browser, site, page):
    expected = len(CHECK_CELL.findall((REPO / f"{page}.md").read_text(encoding="utf-8")))
    assert expected >= 1, f"{page} has no concept check"
    open_page(browser, site, page)
    forms = browser.find_elements("css selector", "form.concept-check")
    assert len(forms) == expected, f"{page}: {len(forms)} concept checks shown, {expected} written"
    for form in forms:
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
        legend = form.find_element("css selector", "fieldset > legend")
        assert legend.text.strip(), f"{page}: a question without its text"
        status = form.find_element("css selector", ".concept-check-feedback")
        assert status.get_attribute("role") == "status"
        assert status.get_attribute("aria-live") == "polite"
        for field in form.find_elements("css selector", "input"):
            label = form.find_element("css selector", f"label[for='{field.get_attribute('id')}']")
            assert label.text.strip(), f"{page}: an unlabelled answer"
        if form.get_attribute("data-kind") == "choice":
            _answer_choice(form)
        else:
            _answer_number(form)


def test_a_concept_check_works_from_the_keyboard(browser, site):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, site, LESSONS[0])
    form = browser.find_elements("css selector", "form[data-kind=choice]")[0]
    radios = form.find_elements("css selector", "input[type=radio]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
    # Reach the question with Tab from the element just before it, as a keyboard user does.
    browser.execute_script(
        "var probe = document.createElement('button'); probe.id = 'kb-probe';"
        "arguments[0].parentNode.insertBefore(probe, arguments[0]); probe.focus();",
        form,
    )
    active = browser.switch_to.active_element
    active.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == radios[0].get_attribute("id")
    browser.switch_to.active_element.send_keys(Keys.SPACE)
    assert radios[0].is_selected()
    # Arrow keys move the choice; Enter on a radio button checks the answer (form submission).
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert radios[1].is_selected() and not radios[0].is_selected()
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    text = _feedback(form)
    expected = "Correct." if radios[1].get_attribute("data-correct") == "true" else "Not quite."
    assert text.startswith(expected), text
    assert _plain(radios[1].get_attribute("data-feedback")) in text
    # Tab leaves the radio group for the button, which Enter presses as well.
    browser.switch_to.active_element.send_keys(Keys.TAB)
    button = browser.switch_to.active_element
    assert button.get_attribute("type") == "submit"
    browser.execute_script(
        "arguments[0].querySelector('.concept-check-feedback').textContent = ''", form
    )
    button.send_keys(Keys.ENTER)
    assert _feedback(form).startswith(expected)


@pytest.mark.parametrize("page", LESSONS[:1] + LESSONS[-1:])
def test_concept_checks_fit_a_phone_screen(browser, site, page):
    open_page(browser, site, page, width=390, height=844)
    forms = browser.find_elements("css selector", "form.concept-check")
    assert forms
    viewport = browser.execute_script("return document.documentElement.clientWidth")
    for form in forms:
        right = browser.execute_script("return arguments[0].getBoundingClientRect().right", form)
        overflow = browser.execute_script(
            "return arguments[0].scrollWidth - arguments[0].clientWidth", form
        )
        assert right <= viewport + 1, f"{page}: a question runs off a 390 px screen"
        assert overflow <= 1, f"{page}: a question scrolls sideways on a 390 px screen"
        for target in form.find_elements("css selector", "label, button"):
            height = browser.execute_script(
                "return arguments[0].getBoundingClientRect().height", target
            )
            assert height >= 24, f"{page}: a tap target {height:.0f} px high"
