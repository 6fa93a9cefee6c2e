"""The bundled example organisations and the rule pack each is meant for, found from the files
so that a new example is tested without editing the tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))


def pack_of(example: str) -> str:
    """The pack an example is assessed with: the one its `pack:` line names, or the default."""
    text = (ROOT / "examples" / f"{example}.yaml").read_text("utf-8")
    found = re.search(r"^pack:\s*(\S+)", text, re.M)
    return found.group(1) if found else "default"


def rules_args(example: str) -> list[str]:
    """The `--rules` option for an example: none, as each names its pack in `pack:` (or is
    for the default pack)."""
    return []


def invoke(args: list[str]):
    """Run `dots` in-process with click's runner (stdout and stderr kept apart)."""
    from click.testing import CliRunner

    from maturity.cli.main import cli
    return CliRunner().invoke(cli, args, prog_name="dots")
