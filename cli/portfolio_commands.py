"""`dots batch` (assess many organisations into a results file) and `dots portfolio` (statistics
over the results). The library modules behind them (worker processes, SQLite, matplotlib) are
imported inside the commands, so that other commands never load them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import maturity

from .common import FORMATS, emit, output_option, pack_given, rules_option, run


def progress_line(done: int, total: int | None, errors: int, rate: float, left: float | None) -> str:
    """The progress bar's text: done (of total), errors, rate and time left."""
    width = 24
    if total:
        filled = min(width, int(width * done / total))
        bar = "[" + "#" * filled + "." * (width - filled) + "] "
        head = f"{bar}{done:,}/{total:,}"
    else:
        head = f"{done:,} done"
    text = f"{head}  {errors:,} error{'s' if errors != 1 else ''}  {rate:,.0f}/s"
    if left is not None:
        minutes, seconds = divmod(int(left + 0.5), 60)
        text += f"  {minutes}:{seconds:02d} left"
    return text


class _Progress:
    """Redraws one line on the terminal at most ten times a second."""

    def __init__(self) -> None:
        self.shown = 0.0

    def __call__(self, s, final: bool = False) -> None:
        import time
        now = time.monotonic()
        if not final and now - self.shown < 0.1:
            return
        self.shown = now
        worked = s.assessed + s.errors
        rate = worked / s.seconds if s.seconds > 0 else 0.0
        left = (s.total - s.done) / rate if s.total is not None and rate > 0 else None
        click.echo("\r" + progress_line(s.done, s.total, s.errors, rate, left) + "\033[K",
                   nl=final, err=True)


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", metavar="RESULTS", required=True,
              help="Results: an SQLite database (.sqlite or .db, added to when it exists), or .csv "
                   "or .jsonl (written whole).")
@rules_option
@click.option("--mapping", metavar="FILE", default=None,
              help="Mapping of a survey export's columns to facts (YAML; needed for .csv and .xlsx "
                   "inputs).")
@click.option("--workers", type=click.IntRange(1, 256), default=None, metavar="N",
              help="Worker processes, each with its own engine (default: the number of cores).")
@click.option("--timeout", type=click.FloatRange(0.1), default=60.0, show_default=True,
              metavar="SECONDS",
              help="Longest time one organisation may take; past it its worker is stopped and the "
                   "organisation recorded as an error (after one more try).")
def batch_command(inputs: tuple[str, ...], output: str, rules: str | None, mapping: str | None,
                  workers: int | None, timeout: float) -> None:
    """Assess many organisations: facts files, folders of them, and survey exports (CSV or XLSX,
    one row per organisation, with --mapping). Organisations already in RESULTS with the same
    content and pack are skipped, so an interrupted batch resumes where it stopped. An
    organisation that cannot be assessed is stored with its error, which is printed too; then
    the exit status is 1."""
    def work() -> None:
        from maturity.batch import run_batch
        terminal = sys.stderr.isatty()
        progress = _Progress() if terminal else None
        try:
            s = run_batch(list(inputs), Path(output), rules, mapping, workers, timeout,
                          count=terminal, progress=progress)
        except KeyboardInterrupt:
            click.echo(f"\ninterrupted: the results in {output} hold every organisation finished "
                       "so far; run the same command again to go on", err=True)
            sys.exit(130)
        if progress:
            progress(s, final=True)
        for message in s.messages:
            click.echo(message, err=True)
        failed = s.errors + s.kept_errors
        if failed > len(s.failures):
            more = failed - len(s.failures)
            click.echo(f"error: {more:,} more organisation{'s' if more != 1 else ''} could not be "
                       f"assessed\n  hint: the error column of {output} holds each one's message",
                       err=True)
        line = (f"assessed {s.assessed:,}, errors {s.errors:,}, already in the results "
                f"{s.skipped:,}")
        if s.kept_errors:
            line += f" ({s.kept_errors:,} of them {'an error' if s.kept_errors == 1 else 'errors'})"
        if s.restarts:
            line += f", workers replaced {s.restarts:,}"
        click.echo(f"{line}; wrote {output}", err=True)
        if failed:
            sys.exit(1)  # the results are written; some organisations in them are errors
    run(work)


@click.command("portfolio")
@click.argument("results", metavar="RESULTS")
@click.option("--by", type=click.Choice(["sector", "size"]), default=None,
              help="Also count each segment apart (sizes that start with a head count are banded).")
@click.option("--min-group", type=click.IntRange(1), default=10, show_default=True, metavar="N",
              help="Groups of fewer organisations are named but not counted.")
@click.option("--pack", "pack", metavar="ID[@VERSION]", default=None,
              help="Only the results of this pack (each pack is always counted apart).")
@click.option("--rules", "rules", metavar="PACK", default=None, callback=pack_given,
              help="The pack that CSV or JSONL results were made with, when it is not a built-in "
                   "pack (an SQLite file carries its packs' labels).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="Output for people (text) or machines (json).")
@output_option
@click.option("--picture", metavar="FILE", default=None,
              help="Also draw the stage distribution and a heatmap of element status by segment "
                   "(.png, .svg or .pdf; needs one pack: see --pack).")
def portfolio_command(results: str, by: str | None, min_group: int, pack: str | None,
                      rules: str | None, fmt: str, output: str | None, picture: str | None) -> None:
    """Statistics over batch results (the .sqlite, .csv or .jsonl file 'dots batch' wrote): the
    share at each stage with n and a 95% confidence interval (Wilson), the share with a
    disconnected dot (the "just do it" signature, at any stage), the most common next dot and each element's status distribution, for
    all organisations and (--by) each segment. A stage or status that questions not answered
    could raise is counted as the answers show it, and said to be one: how many of those at
    it could be higher, and "Not known" at the lowest status."""
    def work() -> None:
        from maturity.portfolio import portfolio_data, portfolio_text
        inputs = {"RESULTS": results, "the rule pack": rules}
        for path in (output, picture):
            if path is not None:
                maturity.check_output_path(Path(path), inputs)
        maturity.check_distinct_outputs({"the output": output, "the picture": picture})
        data = portfolio_data(results, by, min_group, pack, rules)
        if picture is not None:
            from maturity.portfolio_plots import write_picture
            if len(data["packs"]) != 1:
                names = ", ".join(f"{p['pack']['id']}@{p['pack']['version']}" for p in data["packs"])
                raise maturity.OutputError("a picture shows one pack; these results hold "
                                           f"{len(data['packs'])}", f"choose one with --pack "
                                           f"({names or 'none'})")
            write_picture(data["packs"][0], by, min_group, Path(picture))
        emit(maturity.to_json(data) if fmt == "json" else portfolio_text(data), output)
        if picture is not None:
            click.echo(f"wrote {picture}", err=True)
    run(work)
