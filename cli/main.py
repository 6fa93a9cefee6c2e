"""The `dots` command line: parses arguments, calls the library, prints. Errors from the
library become one message per problem on stderr, in one place (`common.run`)."""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys
from importlib import resources
from pathlib import Path

import click

import maturity
from maturity import bundled

from .common import (EXIT_INTERRUPTED, EXIT_TERMINATED, ClosedOutput, benchmark_data, benchmark_option,
                     benchmark_text, closed_output, emit, format_option, load_assessment,
                     output_option, rules_option, run, unwritable_output)

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(maturity.__version__, "--version", prog_name="dots")
def cli() -> None:
    """Connect the Dots: assess an organisation's social recruitment marketing, find the next
    dot to connect, plan the rest, and draw the picture.

    FACTS is a YAML file of answers about one organisation (see examples/)."""


def _report_command(name: str, text_fn, data_fn, summary: str, benchmarked: bool = False,
                    scheduled: bool = False):
    def command(facts: str, rules: str | None, fmt: str, output: str | None, explain: bool = False,
                benchmark: str | None = None, start: str | None = None) -> None:
        def work() -> None:
            if output is not None:
                maturity.check_output_path(Path(output), {"FACTS": facts, "RESULTS": benchmark,
                                                          "the rule pack": rules})
            if start is not None:
                maturity.parse_start(start)  # a bad month is an error before any work
            a = load_assessment(facts, rules)
            if benchmark is None:
                more = {"start": start} if scheduled else {}
                emit(maturity.to_json(data_fn(a, **more)) if fmt == "json"
                     else text_fn(a, explain=explain, **more), output)
                return
            data = benchmark_data(a, benchmark)
            emit(maturity.to_json({**data_fn(a), "benchmark": data}) if fmt == "json"
                 else text_fn(a, explain=explain) + "\n" + benchmark_text(data), output)
        run(work)
    if benchmarked:
        command = benchmark_option(command)
    if scheduled:
        command = click.option("--start", metavar="YYYY-MM", default=None,
                               help="Schedule the phases in quarters from this month "
                                    "(such as 2027-01).")(command)
    command = click.option("--explain", is_flag=True,
                           help="Text: add the rule behind each line, and for each dot to connect "
                                "the facts its rule read (JSON always has them).")(command)
    command = output_option(format_option(rules_option(click.argument("facts", metavar="FACTS")(command))))
    return cli.command(name, help=summary)(command)


_report_command("assess", maturity.assessment_text, maturity.assessment_data,
                "Stage, element statuses, findings, disconnected dots and the next dot, each "
                "with the reason.", benchmarked=True)
_report_command("next", maturity.next_text, maturity.next_data,
                "The next dot to connect: why (which facts and rules) and what to do.")
_report_command("roadmap", maturity.roadmap_text, maturity.roadmap_data,
                "Quick wins first, then every remaining dot in order, in phases whose dots can "
                "be worked on side by side, each with its effort, actions and the stage reached "
                "when it is done.", scheduled=True)


@cli.command()
@click.argument("facts", metavar="FACTS")
@rules_option
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Picture file; its suffix picks the format: .svg, .png, .pdf or .dot "
                   "(default: FACTS's name with .svg, in the current folder).")
@click.option("--only", metavar="VIEW", default=None,
              help="Draw part of the model: 'next' (the next dot, its done prerequisites and "
                   "what it unlocks), 'frontier' (every dot that could come next, likewise) or "
                   "a group's id.")
@click.option("--summary", is_flag=True,
              help="One box per group, coloured by how much of it is done: a large model on a slide.")
@click.option("--layout", type=click.Choice(maturity.LAYOUTS), default="wide", show_default=True,
              help="wide: left to right, for screens; page: top to bottom, to fit an A4 page; "
                   "slide: to fit a 16:9 slide.")
@click.option("--ladder", is_flag=True, help="Draw the stage ladder beside the graph, with "
              "'you are here'.")
@click.option("--dpi", type=click.IntRange(36, 1200), default=None, metavar="N",
              help="Resolution of a .png (default: Graphviz's 96).")
def render(facts: str, rules: str | None, output: str | None, only: str | None,
           summary: bool, layout: str, ladder: bool, dpi: int | None) -> None:
    """Draw the dependency graph: dots numbered in the order to connect them and coloured by
    status, grouped in boxes when the pack has groups, the next dot and disconnected dots
    marked, a legend, the date and stage in the title."""
    if only and summary:
        raise click.UsageError("give --only or --summary, not both")
    if dpi is not None and Path(output or "x.svg").suffix.lower() != ".png":
        raise click.UsageError("--dpi is the resolution of a .png; the output is not one")

    def work() -> None:
        path = Path(output) if output else Path(Path(facts).stem + ".svg")
        maturity.output_format(path)
        maturity.check_output_path(path, {"FACTS": facts, "the rule pack": rules})
        maturity.render(load_assessment(facts, rules), path, only=only, summary=summary,
                        layout=layout, ladder=ladder, dpi=dpi)
        click.echo(f"wrote {path}")
    run(work)


@cli.command()
@click.option("--example", default="just-do-it", show_default=True, metavar="NAME",
              help="Which bundled example organisation to assess.")
@click.option("--out-dir", default="out", show_default=True, metavar="DIR",
              help="Folder for the picture (made if missing).")
@rules_option
def demo(example: str, out_dir: str, rules: str | None) -> None:
    """Assess a bundled example organisation, print the result and draw its picture."""
    def work() -> None:
        bundled.example_text(example)  # an unknown name is told with the names there are
        examples = resources.files("maturity.examples")
        with resources.as_file(examples / f"{example}.yaml") as facts:
            a = load_assessment(str(facts), rules)
        click.echo(maturity.assessment_text(a), nl=False)
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            path = maturity.render(a, folder / f"{example}.svg")
        except maturity.OutputError as exc:
            if "not installed" not in exc.message:
                raise
            path = maturity.render(a, folder / f"{example}.dot")
            click.echo(f"note: {exc.message}; wrote DOT text instead ({exc.hint})", err=True)
        click.echo(f"\nPicture: {path}")
    run(work)


# Each room of commands lives in its own module and is registered here.
from .pack_commands import init_command, rules_group, schema_command  # noqa: E402

cli.add_command(rules_group)
cli.add_command(schema_command)
cli.add_command(init_command)
from .facts_commands import examples_command, facts_command, interview_command  # noqa: E402

cli.add_command(facts_command)
cli.add_command(examples_command)
cli.add_command(interview_command)
from .document_commands import compare_command, report_command, whatif_command  # noqa: E402

cli.add_command(report_command)
cli.add_command(compare_command)
cli.add_command(whatif_command)

from .portfolio_commands import batch_command, portfolio_command  # noqa: E402

cli.add_command(batch_command)
cli.add_command(portfolio_command)


def _terminated(signum: int, frame) -> None:
    sys.exit(EXIT_TERMINATED)


YOUNG = 100_000  # new container objects after which the collector runs, in a dots process


def main() -> None:
    """Entry point of `dots` and `python -m maturity`."""
    # What the imports made (modules, classes, functions: the libraries' too) lives as long as
    # the process. Frozen, it is left out of the garbage collector's full collections while the
    # command works, each of which would otherwise walk all of it again (~30 ms of a `dots
    # assess`). The process ends when the command does: Python's last act would be a full
    # collection over every object made since start-up, about a fifth of a `dots assess` run;
    # freezing them first skips it. Nothing here needs a finaliser to run at exit, and standard
    # output and error are flushed as usual. See docs/performance.md.
    gc.freeze()
    atexit.register(gc.freeze)
    # A collection is due after YOUNG new objects that may form cycles, not 700: a command makes
    # tens of thousands that form none (a pack's model, an assessment's results), and each
    # collection walked those made since the last: ~20 ms of a cold `dots assess`, ~0.18 s of
    # one of a 500-element model (docs/performance.md). Cycles are still collected, later.
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
    # Asked to stop (kill, a service manager): end as after Ctrl-C, through every `finally`,
    # so that no temporary file or engine session is left behind; exit 143 = 128 + SIGTERM.
    signal.signal(signal.SIGTERM, _terminated)
    # Not click's standalone mode, which ends Ctrl-C with "Aborted!" and exit 1: an interrupted
    # command exits 130 and a closed standard output 141, silently (see common.run).
    # Started with standard output or error closed (`>&-`): Python gives None. Output that
    # cannot go anywhere is an error said on standard error; messages that cannot be said are
    # dropped (the work, such as a batch's results file, goes on).
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
    stdout = sys.stdout
    try:
        code = cli.main(prog_name="dots", standalone_mode=False)
    except SystemExit as exc:
        if sys.stdout is not stdout:  # click met a closed pipe itself (in --help, say)
            sys.stdout = stdout
            closed_output()
        code = exc.code
    except click.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            code = EXIT_INTERRUPTED
        else:
            click.echo("Aborted!", err=True)
            code = 1
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        closed_output()
    except OSError as exc:  # standard output refused what click wrote itself (--help, say)
        code = unwritable_output(exc)
    try:
        sys.stdout.flush()  # here, not at exit, where a closed pipe would print a traceback
    except BrokenPipeError:
        closed_output()
    except OSError as exc:  # a full disk behind it, say: what was not written is lost
        code = unwritable_output(exc)
    sys.exit(code if isinstance(code, int) else 0)
