"""Every example's HTML report opened in a real browser: no console error, no request for
anything but the file itself, the picture visible and inside the page, every section present;
printed to PDF by the browser, A4 pages."""

from __future__ import annotations

import subprocess

import pytest

from chromium import EXAMPLES, SECTIONS, browser, reports  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])  # a laptop and a phone
@pytest.mark.parametrize("example", EXAMPLES)
def test_report_opens_clean_and_whole(browser, reports, example, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    # Anything that is not the report itself would be a fetch: refuse it, and record it.
    url = reports[f"{example}.html"].as_uri()
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    page.goto(url)
    page.wait_for_load_state("load")
    assert errors == []
    assert requests == [url]
    for section in SECTIONS:
        assert page.locator(f"#{section}").count() == 1, section
        assert page.locator(f"#{section}").is_visible(), section
    picture = page.locator("#picture svg")
    assert picture.count() == 1 and picture.is_visible()
    box = picture.bounding_box()
    page_width = page.evaluate("document.documentElement.clientWidth")
    assert box["width"] > 100 and box["height"] > 100
    assert box["x"] >= 0 and box["x"] + box["width"] <= page_width
    # nothing wider than the page: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= page_width
    assert page.locator("ol.ladder li.here").count() == 1
    page.close()


@pytest.mark.parametrize("example", ["just-do-it", "enterprise"])
def test_printing_gives_a4_pages(browser, reports, example, tmp_path):
    page = browser.new_page()
    page.goto(reports[f"{example}.html"].as_uri())
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.close()
    info = subprocess.run(["pdfinfo", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = [line.split(":", 1)[1].strip() for line in info.splitlines()
             if line.startswith("Page") and "size" in line]
    assert len(sizes) >= 3
    for size in sizes:  # Chromium rounds to its own units: within a point of 595 x 842
        w, h = (float(x) for x in size.split()[0:3:2])
        assert abs(w - 595.28) < 1 and abs(h - 841.89) < 1, size


def test_no_word_of_the_scorecard_is_cut_on_a_phone(browser, reports):
    """At 390 px the scorecard scrolls sideways in its wrapper; "Started", "Missing", "yes"
    are never cut across lines ("St/art/ed"), as overflow-wrap: anywhere did."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(reports["broadcasting.html"].as_uri())
    lines = page.evaluate("""() => [...document.querySelectorAll('table.scorecard td:nth-child(n+3)')]
        .filter(td => td.cellIndex < 5).map(td => {
            const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT), tops = new Set();
            for (let t = walk.nextNode(); t; t = walk.nextNode()) {
                const range = document.createRange(); range.selectNodeContents(t);
                for (const r of range.getClientRects()) if (r.width) tops.add(Math.round(r.top));
            }
            return [td.textContent.trim(), tops.size]; })""")
    page.close()
    assert lines and all(n <= len(text.split()) for text, n in lines), lines
