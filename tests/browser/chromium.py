"""Fixtures of the browser tests, imported by them (a conftest.py here would clash with
tests/conftest.py): Debian's Chromium driven by Playwright from Python (no `playwright
install`: the browser is the system's /usr/bin/chromium, which `make test` installs through
scripts/ensure-system --test), and every example's report in HTML and PDF, written once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from bundled import EXAMPLES, ROOT, invoke, rules_args  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
SECTIONS = ("cover", "summary", "strengths", "priorities", "picture", "scorecard", "findings",
            "next", "roadmap", "unanswered", "appendix")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "make test installs chromium (scripts/ensure-system --test)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def reports(tmp_path_factory) -> dict[str, Path]:
    """Every example's report, in HTML and PDF, made by `dots report` as a user makes them."""
    folder = tmp_path_factory.mktemp("reports")
    made = {}
    for example in EXAMPLES:
        for suffix in ("html", "pdf"):
            out = folder / f"{example}.{suffix}"
            result = invoke(["report", str(ROOT / "examples" / f"{example}.yaml"), "-o", str(out),
                             *rules_args(example)])
            assert result.exit_code == 0, result.stderr
            made[f"{example}.{suffix}"] = out
    return made
