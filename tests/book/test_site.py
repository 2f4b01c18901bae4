"""The published site as a reader meets it: a real headless Chromium against the built book,
served over HTTP on localhost, at desktop and phone sizes."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from book_support import REPO, lesson_paths, toc_pages

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO / "_build" / "screenshots"

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(built_book):
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(built_book.html)
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(site):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests, but Chromium is missing")
        pytest.skip("Chromium not installed: sudo apt-get install chromium chromium-driver")
    os.environ["SE_OFFLINE"] = "true"  # Selenium must never try to download a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def open_page(browser, site, page: str, width: int = 1280, height: int = 900):
    browser.set_window_size(width, height)
    browser.get(f"{site}/{page}.html")
    name = page.replace("/", "__")
    browser.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
    return browser


def local_errors(browser) -> list[str]:
    """Console errors from the site itself (CDN fetches are blocked offline and not ours).

    The theme logs "Got invalid theme mode" as an error on a first visit, before the reader has
    picked light or dark; it then uses "auto", so that one is not a fault.
    """
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE"
        and "127.0.0.1" in entry["message"]
        and "invalid theme mode" not in entry["message"]
    ]


def test_landing_page_leads_to_chapter_one(browser, site):
    open_page(browser, site, "intro")
    assert "Campaign Data Bootcamp" in browser.title
    from selenium.webdriver.common.by import By

    link = browser.find_element(By.CSS_SELECTOR, 'nav a[href*="chapters/01-voter-file/index"]')
    link.click()
    assert "chapters/01-voter-file/index" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text.strip()
    assert not local_errors(browser)


@pytest.mark.parametrize(
    "page", [p.relative_to(REPO).with_suffix("").as_posix() for p in lesson_paths()]
)
def test_lesson_renders_outputs_and_figures(browser, site, page):
    from selenium.webdriver.common.by import By

    open_page(browser, site, page)
    assert browser.find_elements(By.CSS_SELECTOR, "div.cell_output"), "no executed output shown"
    for image in browser.find_elements(By.CSS_SELECTOR, "article img"):
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 0, (
            f"a figure did not load: {image.get_attribute('src')}"
        )
        assert (image.get_attribute("alt") or "").strip(), "a figure has no alt text"
    assert not local_errors(browser)


@pytest.mark.parametrize(
    "page", [p.relative_to(REPO).with_suffix("").as_posix() for p in lesson_paths()][:2] + ["intro"]
)
def test_pages_fit_a_phone_screen(browser, site, page):
    open_page(browser, site, page, width=390, height=844)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 1, f"{page} scrolls sideways by {overflow}px on a phone"


def test_search_finds_lessons(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1280, 900)
    browser.get(f"{site}/search.html?q=precinct")
    WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#search-results ul.search li"))
    )
    hits = browser.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")
    assert any("chapters/" in (hit.get_attribute("href") or "") for hit in hits)


def test_lessons_offer_launch_and_download_buttons(browser, site):
    page = lesson_paths()[0].relative_to(REPO).with_suffix("").as_posix()
    open_page(browser, site, page)
    html = browser.page_source
    assert "mybinder.org/v2/gh/" in html
    assert "thebe" in html.lower()
    assert "_sources/" in html  # the download button offers the source notebook


def test_exercise_pages_offer_the_student_notebook(browser, site):
    exercise_pages = [page for page in toc_pages() if page.endswith("exercises-student")]
    assert exercise_pages
    for page in exercise_pages:
        open_page(browser, site, page)
        html = browser.page_source
        assert "NotImplementedError" in html
        assert "BEGIN SOLUTION" not in html and "HIDDEN TESTS" not in html
        assert f"_sources/{page}.ipynb" in html
        assert "colab.research.google.com" in html


def teardown_module(module):
    # keep the screenshots for people to look at; drop an empty folder
    if SCREENSHOTS.exists() and not any(SCREENSHOTS.iterdir()):
        shutil.rmtree(SCREENSHOTS)
