"""The published site as a reader meets it: a real headless Chromium against the built book,
served over HTTP on localhost, at desktop and phone sizes."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from book_support import REPO, lesson_paths, toc_pages

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO / "_build" / "screenshots"
#: axe-core, installed from the npm registry into the checkout by the tests (not committed)
AXE_PREFIX = REPO / ".cache" / "npm"
AXE_JS = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
#: What a reader's phone downloads for one page (uncompressed): the theme's assets (CSS, scripts,
#: fonts, icons) and everything with the page's own content (HTML, figures). Before the course cut
#: Font Awesome's script, its fonts and the per-page search index, a page loaded about 2.6 MB,
#: 97% of it theme assets.
ASSET_BUDGET = 900_000
PAGE_WEIGHT_BUDGET = 1_500_000
PAGES = toc_pages()

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


def console_errors(browser) -> list[str]:
    """Every error the page logged to the browser console (the tests fail on any)."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_landing_page_leads_to_chapter_one(browser, site):
    open_page(browser, site, "intro")
    assert "Campaign Data Bootcamp" in browser.title
    from selenium.webdriver.common.by import By

    link = browser.find_element(By.CSS_SELECTOR, 'nav a[href*="chapters/01-voter-file/index"]')
    link.click()
    assert "chapters/01-voter-file/index" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text.strip()
    assert not console_errors(browser)


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
    assert not console_errors(browser)


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
    """The buttons are there in the browser (where they point: tests/book/test_notebooks.py)."""
    from selenium.webdriver.common.by import By

    page = lesson_paths()[0].relative_to(REPO).with_suffix("").as_posix()
    open_page(browser, site, page)
    launch = browser.find_elements(By.CSS_SELECTOR, ".dropdown-launch-buttons a")
    hrefs = [link.get_attribute("href") for link in launch]
    assert any("mybinder.org/v2/gh/" in href for href in hrefs), hrefs
    assert any("colab.research.google.com" in href for href in hrefs), hrefs
    assert not any("hub.example.org" in href or "git-pull" in href for href in hrefs)
    downloads = browser.find_elements(By.CSS_SELECTOR, ".dropdown-download-buttons a")
    assert any(
        (link.get_attribute("href") or "").endswith(f"_notebooks/{page}.ipynb")
        for link in downloads
    )
    # no "live code" (Thebe) button: it would run the visible cells without the hidden ones
    assert not browser.find_elements(By.CSS_SELECTOR, ".btn-launch-thebe, [onclick*='Thebe']")


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


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from the npm registry by the test setup when missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI"):
                pytest.fail("CI must run the accessibility tests, but npm is missing")
            pytest.skip("npm not installed: sudo apt-get install npm")
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(AXE_PREFIX),
                "--no-save",
                "--no-package-lock",
                "axe-core@4",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(browser, axe_source) -> list[dict]:
    browser.execute_script(axe_source)
    return browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]}).then(
          (r) => done(r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.html.slice(0, 200)),
          }))),
          (e) => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
        """
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_serious_accessibility_violation_or_console_error(
    browser, site, axe_source, page
):
    open_page(browser, site, page)
    browser.get_log("browser")  # only this page's messages below
    browser.refresh()
    violations = run_axe(browser, axe_source)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, indent=1)
    errors = console_errors(browser)
    assert not errors, errors


def test_axe_finds_a_planted_violation(browser, site, axe_source):
    """The accessibility check can fail: an unnamed button planted in a page is reported."""
    open_page(browser, site, "intro")
    browser.execute_script(
        "const b = document.createElement('button'); document.querySelector('main').append(b);"
    )
    ids = {v["id"] for v in run_axe(browser, axe_source)}
    assert "button-name" in ids


@pytest.mark.parametrize("page", ["chapters/02-sql-basics/03-count-and-group", "EXERCISES"])
def test_code_is_readable_on_a_phone(browser, site, page):
    """At 390 px no code block is cut off: code wraps (or scrolls with a visible scrollbar)."""
    if page == "EXERCISES":
        page = next(p for p in toc_pages() if p.endswith("exercises-student"))
    open_page(browser, site, page, width=390, height=844)
    blocks = browser.execute_script(
        """
        return [...document.querySelectorAll("article div.highlight pre")].map((pre) => ({
          text: pre.textContent.slice(0, 60),
          cut: pre.scrollWidth > pre.clientWidth + 1,
          wraps: getComputedStyle(pre).whiteSpace.startsWith("pre-wrap"),
          scrollbar: pre.offsetHeight - pre.clientHeight > 0,
        }));
        """
    )
    assert len(blocks) >= 10, f"expected the page's code blocks, found {len(blocks)}"
    cut = [b["text"] for b in blocks if b["cut"] and not b["scrollbar"]]
    assert not cut, f"{len(cut)} of {len(blocks)} code blocks are cut off on a phone: {cut}"


def test_header_buttons_show_keyboard_focus(browser, site):
    open_page(browser, site, lesson_paths()[0].relative_to(REPO).with_suffix("").as_posix())
    styles = browser.execute_script(
        """
        const selectors = [".primary-toggle", ".dropdown-launch-buttons .dropdown-toggle",
          ".dropdown-source-buttons .dropdown-toggle",
          ".dropdown-download-buttons .dropdown-toggle", ".theme-switch-button",
          ".search-button__button"];
        return selectors.map((sel) => {
          const el = [...document.querySelectorAll(sel)].find((e) => e.offsetParent !== null);
          if (!el) return {sel, missing: true};
          el.focus();
          const s = getComputedStyle(el);
          return {sel, focused: document.activeElement === el, style: s.outlineStyle,
                  width: parseFloat(s.outlineWidth)};
        });
        """
    )
    for style in styles:
        assert not style.get("missing"), f"no visible {style['sel']} on a lesson page"
        assert style["focused"] and style["style"] != "none" and style["width"] >= 2, style


def test_pages_stay_within_the_weight_budget(browser, site):
    """What a phone downloads for a page, summed over every resource it loads."""
    pages = ["intro", *(p.relative_to(REPO).with_suffix("").as_posix() for p in lesson_paths())]
    for page in pages:
        open_page(browser, site, page)
        loaded = browser.execute_script(
            """
            const doc = performance.getEntriesByType("navigation")[0];
            return [[doc.name, doc.decodedBodySize],
                    ...performance.getEntriesByType("resource").map(
                      (e) => [e.name, e.decodedBodySize])];
            """
        )
        assert len(loaded) >= 10, "the page's resources were not measured"
        assert not [name for name, _ in loaded if "fontawesome.js" in name], "the 1.45 MB script"
        total = sum(size for _, size in loaded)
        assets = sum(
            size for name, size in loaded if "/_static/" in name and "/_images/" not in name
        )
        assert assets <= ASSET_BUDGET, f"{page}: theme assets {assets:,} bytes > {ASSET_BUDGET:,}"
        assert total <= PAGE_WEIGHT_BUDGET, f"{page}: {total:,} bytes > {PAGE_WEIGHT_BUDGET:,}"


def test_every_icon_is_drawn(browser, site):
    """The icon subset covers every icon a page shows (a missing one would be an empty box)."""
    open_page(browser, site, lesson_paths()[0].relative_to(REPO).with_suffix("").as_posix())
    icons = browser.execute_script(
        """
        return [...document.querySelectorAll(".fa-solid, .fa-brands, .fa-regular")].map((el) => {
          const s = getComputedStyle(el);
          return {cls: el.className, mask: s.maskImage || s.webkitMaskImage};
        });
        """
    )
    assert len(icons) >= 10
    blank = [i["cls"] for i in icons if not i["mask"] or i["mask"] == "none"]
    assert not blank, f"icons with no drawing: {blank}"


def test_footer_names_license_version_and_last_update(browser, site):
    import yaml

    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    for page in ["intro", lesson_paths()[0].relative_to(REPO).with_suffix("").as_posix()]:
        open_page(browser, site, page)
        from selenium.webdriver.common.by import By

        footer = "\n".join(f.text for f in browser.find_elements(By.CSS_SELECTOR, "footer"))
        assert "CC BY 4.0" in footer and "MIT License" in footer
        assert f"version {citation['version']}, released {citation['date-released']}" in footer
        assert re.search(r"Last updated on \d{4}-\d{2}-\d{2}", footer), footer


def teardown_module(module):
    # keep the screenshots for people to look at; drop an empty folder
    if SCREENSHOTS.exists() and not any(SCREENSHOTS.iterdir()):
        shutil.rmtree(SCREENSHOTS)
