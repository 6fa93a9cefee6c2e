"""`dots report --benchmark RESULTS`: the report says where the client stands among the
organisations of a batch's results (the batch starts a worker process: marker workers)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from bundled import ROOT, invoke  # noqa: E402

pytestmark = pytest.mark.workers

BEFORE, AFTER = "broadcasting", "broadcasting-next-quarter"


def copy(example: str, folder: Path) -> str:
    shutil.copy(ROOT / "examples" / f"{example}.yaml", folder / f"{example}.yaml")
    return f"{example}.yaml"


def test_report_against_peers(workdir):
    """With --benchmark: where the client stands among the organisations of a batch's results."""
    folder = workdir / "peers"
    folder.mkdir()
    for n in range(12):  # twelve peers: six just doing it, six a quarter further on
        source = ROOT / "examples" / f"{BEFORE if n % 2 else AFTER}.yaml"
        text = source.read_text("utf-8").replace("id: harbour-care", f"id: peer-{n}")
        (folder / f"peer-{n}.yaml").write_text(text, "utf-8")
    result = invoke(["batch", "peers", "-o", "results.sqlite", "--workers", "1"])
    assert result.exit_code == 0, result.output
    facts = copy(BEFORE, workdir)
    result = invoke(["report", facts, "-o", "r.md", "--benchmark", "results.sqlite"])
    assert result.exit_code == 0, result.stderr
    md = (workdir / "r.md").read_text("utf-8")
    peers = md.split("## Against peers\n\n", 1)[1].split("\n## ", 1)[0]
    assert peers.startswith("Among 12 other organisations in sector Health and social care "
                            "assessed with pack default 1.0, the stage Broadcasting is ahead of 0% "
                            "of them, level with 100% and behind 0%.")
    assert "| Purpose | Started | 0% | 50% | 50% |" in peers
