"""What every `dots` command shares: running a command's work with errors turned into
messages and exit codes in one place, the common options, loading an assessment, and writing
output. Command modules import from here (never from main.py, which imports them)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import click

import maturity

FORMATS = click.Choice(["text", "json"])


def run(work: Callable[[], None]) -> None:
    """Run a command's work; turn library errors into messages and exit codes (1: bad data)."""
    try:
        work()
    except maturity.MaturityError as exc:
        click.echo(exc.format(), err=True)
        sys.exit(1)
    except Exception as exc:  # a bug of ours: one line, not a traceback (DOTS_DEBUG=1 shows it)
        if os.environ.get("DOTS_DEBUG"):
            raise
        click.echo(f"error: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("  hint: this is a bug in dots; run again with DOTS_DEBUG=1 and report the "
                   "traceback", err=True)
        sys.exit(1)


def rules_option(f):
    return click.option("--rules", "rules", metavar="PACK", default=None,
                        help="Rule pack: a folder or YAML file, or a built-in pack name "
                             "(default: the pack named by FACTS's 'pack:', else the built-in "
                             "'default' pack).")(f)


def format_option(f):
    return click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
                        help="Output for people (text) or machines (json).")(f)


def output_option(f):
    return click.option("-o", "--output", metavar="FILE", default=None,
                        help="Write to FILE (whole or not at all) instead of standard output.")(f)


def load_assessment(facts: str, rules: str | None) -> maturity.Assessment:
    model, organisation = maturity.load_facts(facts, rules)
    return maturity.assess(model, organisation)


def emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        maturity.write_atomic(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
