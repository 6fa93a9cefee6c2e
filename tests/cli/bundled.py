"""The bundled example organisations and the rule pack each is meant for, found from the files
so that a new example is tested without editing the tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))


def pack_of(example: str) -> str:
    """The pack an example is assessed with: the `--rules NAME` its header comment shows, or
    the default pack."""
    for line in (ROOT / "examples" / f"{example}.yaml").read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        found = re.search(r"--rules\s+(\S+)", line)
        if found:
            return found.group(1)
    return "default"


def rules_args(example: str) -> list[str]:
    """The `--rules` option for an example, or nothing for the default pack."""
    pack = pack_of(example)
    return [] if pack == "default" else ["--rules", pack]


def invoke(args: list[str]):
    """Run `dots` in-process with click's runner (stdout and stderr kept apart)."""
    from click.testing import CliRunner

    from maturity.cli.main import cli
    return CliRunner().invoke(cli, args, prog_name="dots")
