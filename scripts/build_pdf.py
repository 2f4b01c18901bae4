"""Build the whole book as one PDF: the same Jupyter Book pipeline, single-page HTML builder, then
printed by headless Chromium (no LaTeX needed). Used by ``make pdf`` and by the tests.

    python scripts/build_pdf.py [--path-output DIR]

writes DIR/_build/singlehtml/ and DIR/_build/pdf/campaign-data-bootcamp.pdf, and copies the PDF into
DIR/_build/html/ (when the HTML book is there) so the landing page's link to it works.
Lessons are not executed again: the build reuses the execution cache of the HTML build.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PDF_NAME = "campaign-data-bootcamp.pdf"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def build_single_html(path_output: Path) -> Path:
    command = [
        str(BIN / "jupyter-book"), "build", str(REPO), "--builder", "singlehtml",
        "--path-output", str(path_output), "-W", "-n", "--keep-going",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the single-page build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return path_output / "_build" / "singlehtml" / "index.html"


def print_to_pdf(page: Path, pdf: Path) -> None:
    """Print the page with Chromium's own print engine (what a reader's "Save as PDF" gives)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        sys.exit("Chromium is needed for the PDF: run scripts/ensure-chromium.sh (as root)")
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(120)
        driver.get(page.resolve().as_uri())
        # paper cannot be clicked: open every collapsed part (hidden outputs of predict-then-run
        # cells, "show code" toggles, solutions) and load every image now, so each figure of the
        # site is printed
        driver.execute_script(
            "document.querySelectorAll('details').forEach((d) => (d.open = true));"
            "document.querySelectorAll('img').forEach((i) => (i.loading = 'eager'));"
        )
        # wait for the images and the theme's scripts, then print
        for _ in range(60):
            if driver.execute_script(
                "return document.readyState === 'complete' && "
                "[...document.images].every((i) => i.complete)"
            ):
                break
            time.sleep(0.5)
        result = driver.execute_cdp_cmd(
            "Page.printToPDF",
            {
                "printBackground": True,
                "displayHeaderFooter": True,
                "headerTemplate": "<span></span>",
                "footerTemplate": (
                    '<div style="font-size:8px;width:100%;text-align:center">'
                    '<span class="pageNumber"></span></div>'
                ),
                "paperWidth": 8.5,
                "paperHeight": 11,
                "marginTop": 0.6,
                "marginBottom": 0.6,
                "marginLeft": 0.6,
                "marginRight": 0.6,
            },
        )
    finally:
        driver.quit()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(base64.b64decode(result["data"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path-output", default=str(REPO), help="as jupyter-book's (default: .)")
    args = parser.parse_args(argv)
    out = Path(args.path_output)
    page = build_single_html(out)
    pdf = out / "_build" / "pdf" / PDF_NAME
    print_to_pdf(page, pdf)
    html = out / "_build" / "html"
    if html.is_dir():
        shutil.copy2(pdf, html / PDF_NAME)
    print(f"Wrote {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
