"""The PDF reports (WeasyPrint) as a reader sees them: turned into PNG pages (pdftoppm) and
text (pdftotext). Every section is there, every page is A4 and numbered, and no line of text
runs off the page. The PNGs are kept in the test's folder for looking at."""

from __future__ import annotations

import subprocess

import pytest

from chromium import EXAMPLES, reports  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

HEADINGS = ["Summary", "Strengths", "Priorities", "The picture", "Scorecard", "Findings",
            "The next dot", "Roadmap", "Questions not answered",
            "Appendix: the evidence behind each conclusion"]


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("example", EXAMPLES)
def test_pdf_has_every_section_on_numbered_a4_pages(reports, example, tmp_path):
    pdf = reports[f"{example}.pdf"]
    text = run("pdftotext", "-layout", str(pdf), "-")
    pages = text.split("\f")[:-1]
    assert len(pages) >= 3
    found = [h for h in HEADINGS if any(line.strip() == h for page in pages for line in page.splitlines())]
    assert found == HEADINGS
    # in order: each heading after the one before it
    flat = "\n".join(pages)
    assert [flat.index("\n" + h) if ("\n" + h) in flat else -1 for h in HEADINGS] == \
        sorted(flat.index("\n" + h) for h in HEADINGS)
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page
    info = run("pdfinfo", "-l", "999", str(pdf))
    sizes = {line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Page") and "size" in line}
    assert sizes == {"595.276 x 841.89 pts (A4)"}
    run("pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(pages)
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


@pytest.mark.parametrize("example", ["broadcasting", "enterprise"])
def test_no_text_outside_the_page(reports, example):
    """Every word pdftotext finds lies inside the page (nothing cut at its edges)."""
    pdf = reports[f"{example}.pdf"]
    html = run("pdftotext", "-bbox", str(pdf), "-")
    import re
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, flags=re.S)
    assert pages
    for width, height, body in pages:
        for x0, y0, x1, y1 in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', body):
            assert 0 <= float(x0) and float(x1) <= float(width)
            assert 0 <= float(y0) and float(y1) <= float(height)
