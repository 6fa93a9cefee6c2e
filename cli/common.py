"""What every `dots` command shares: running a command's work with errors turned into
messages and exit codes in one place, the common options, loading an assessment, and writing
output. Command modules import from here (never from main.py, which imports them)."""

from __future__ import annotations

import errno
import io
import os
import sys
from pathlib import Path
from typing import Callable

import click

import maturity

FORMATS = click.Choice(["text", "json"])


EXIT_CLOSED_OUTPUT = 141  # 128 + SIGPIPE: what a tool stopped by a closed pipe exits with
EXIT_INTERRUPTED = 130    # 128 + SIGINT: Ctrl-C
EXIT_TERMINATED = 143     # 128 + SIGTERM


def run(work: Callable[[], None]) -> None:
    """Run a command's work; turn library errors into messages and exit codes (1: bad data,
    130: interrupted, 141: standard output closed, as in `dots demo | head -1`)."""
    try:
        work()
    except maturity.MaturityError as exc:
        click.echo(exc.format(), err=True)
        sys.exit(1)
    except BrokenPipeError:
        closed_output()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        if not exc.filename and exc.errno in OUTPUT_ERRNOS and not os.environ.get("DOTS_DEBUG"):
            # A file written through write_atomic names itself: this is standard output.
            sys.exit(unwritable_output(exc))
        if os.environ.get("DOTS_DEBUG") or not exc.filename:
            _internal(exc)
        # A file the system would not let us read or write is the user's situation, not a bug.
        name = os.fsdecode(exc.filename) if not isinstance(exc.filename, str) else exc.filename
        click.echo(f"error: {printable(name)}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug of ours: one line, not a traceback (DOTS_DEBUG=1 shows it)
        _internal(exc)


def _internal(exc: Exception) -> None:
    if os.environ.get("DOTS_DEBUG"):
        raise exc
    click.echo(f"error: internal error: {type(exc).__name__}: {exc}", err=True)
    click.echo("  hint: this is a bug in dots; run again with DOTS_DEBUG=1 and report the "
               "traceback", err=True)
    sys.exit(1)


# What writing to standard output can meet that is the user's situation, not a bug: a full
# disk or quota, a device error, a file too large, a closed descriptor.
OUTPUT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EBADF)


class ClosedOutput(io.TextIOBase):
    """Standard output when the process started without one (`dots ... >&-`): what is written
    fails as writing to a closed descriptor does."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "it is closed")

    def isatty(self) -> bool:
        return False


def unwritable_output(exc: OSError) -> int:
    """Say that standard output could not be written, and why; the exit code (1: what was
    asked for did not come out whole)."""
    reason = exc.strerror or str(exc)
    click.echo(f"error: standard output: cannot write: {reason}", err=True)
    return 1


def closed_output() -> None:
    """Exit quietly because standard output was closed (the reader of a pipe has gone), as
    other command-line tools do; what is still buffered goes nowhere instead of failing again
    at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (as under CliRunner)
        pass
    sys.exit(EXIT_CLOSED_OUTPUT)


def printable(name: str) -> str:
    """A file name as valid text: bytes that are not UTF-8 (kept by Python as surrogates)
    become U+FFFD, so that messages and JSON stay valid UTF-8."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def pack_given(ctx, param, value: str | None) -> str | None:
    if value is not None and not value.strip():  # an empty variable in a script, say
        raise click.BadParameter("give a pack folder or file, or a built-in pack name")
    return value


def rules_option(f):
    return click.option("--rules", "rules", metavar="PACK", default=None, callback=pack_given,
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


def benchmark_option(f):
    return click.option("--benchmark", "benchmark", metavar="RESULTS", default=None,
                        help="Also say where the organisation stands among its peers in RESULTS "
                             "(the .sqlite, .csv or .jsonl file 'dots batch' wrote), for the stage and each "
                             "element.")(f)


def benchmark_data(a: maturity.Assessment, results: str) -> dict:
    """maturity.portfolio.benchmark, imported only when asked for (it reads SQLite, CSV or JSONL)."""
    from maturity.portfolio import benchmark
    return benchmark(Path(results), a)


def benchmark_text(data: dict) -> str:
    from maturity.portfolio import benchmark_text as text
    return text(data)
