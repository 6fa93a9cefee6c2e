"""The `dots` command line: parses arguments, calls the library, prints. Errors from the
library become one message per problem on stderr, in one place (`_run`)."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Callable

import click

import maturity

FORMATS = click.Choice(["text", "json"])


def _run(work: Callable[[], None]) -> None:
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


def _rules_option(f):
    return click.option("--rules", "rules", metavar="PACK", default=None,
                        help="Rule pack: a folder or YAML file, or a built-in pack name "
                             "(default: the built-in 'default' pack).")(f)


def _format_option(f):
    return click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
                        help="Output for people (text) or machines (json).")(f)


def _output_option(f):
    return click.option("-o", "--output", metavar="FILE", default=None,
                        help="Write to FILE (whole or not at all) instead of standard output.")(f)


def _load(facts: str, rules: str | None) -> maturity.Assessment:
    model = maturity.load_pack(rules)
    organisation = maturity.load_organisation(facts, model)
    return maturity.assess(model, organisation)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        maturity.write_atomic(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(maturity.__version__, "--version", prog_name="dots")
def cli() -> None:
    """Connect the Dots: assess an organisation's social recruitment marketing, find the next
    dot to connect, plan the rest, and draw the picture.

    FACTS is a YAML file of answers about one organisation (see examples/)."""


def _report_command(name: str, text_fn, data_fn, summary: str):
    @cli.command(name, help=summary)
    @click.argument("facts", metavar="FACTS")
    @_rules_option
    @_format_option
    @_output_option
    def command(facts: str, rules: str | None, fmt: str, output: str | None) -> None:
        def work() -> None:
            if output is not None:
                maturity.check_output_path(Path(output))
            a = _load(facts, rules)
            _emit(maturity.to_json(data_fn(a)) if fmt == "json" else text_fn(a), output)
        _run(work)
    return command


_report_command("assess", maturity.assessment_text, maturity.assessment_data,
                "Stage, element statuses, findings, disconnected dots and the next dot, each "
                "with the reason.")
_report_command("next", maturity.next_text, maturity.next_data,
                "The next dot to connect: why (which facts and rules) and what to do.")
_report_command("roadmap", maturity.roadmap_text, maturity.roadmap_data,
                "Every remaining dot in order, in phases whose dots can be worked on side by "
                "side, with actions for each.")


@cli.command()
@click.argument("facts", metavar="FACTS")
@_rules_option
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Picture file; its suffix picks the format: .svg, .png, .pdf or .dot "
                   "(default: FACTS's name with .svg, in the current folder).")
def render(facts: str, rules: str | None, output: str | None) -> None:
    """Draw the dependency graph: dots coloured by status, the next dot and disconnected dots
    marked."""
    def work() -> None:
        path = Path(output) if output else Path(Path(facts).stem + ".svg")
        maturity.output_format(path)
        maturity.check_output_path(path)
        maturity.render(_load(facts, rules), path)
        click.echo(f"wrote {path}")
    _run(work)


@cli.command()
@click.option("--example", default="just-do-it", show_default=True, metavar="NAME",
              help="Which bundled example organisation to assess.")
@click.option("--out-dir", default="out", show_default=True, metavar="DIR",
              help="Folder for the picture (made if missing).")
@_rules_option
def demo(example: str, out_dir: str, rules: str | None) -> None:
    """Assess a bundled example organisation, print the result and draw its picture."""
    def work() -> None:
        examples = resources.files("maturity.examples")
        names = sorted(p.name[:-5] for p in examples.iterdir() if p.name.endswith(".yaml"))
        if example not in names:
            raise maturity.OutputError(f"no bundled example '{example}'",
                                       f"choose one of: {', '.join(names)}")
        with resources.as_file(examples / f"{example}.yaml") as facts:
            a = _load(str(facts), rules)
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
    _run(work)


@cli.command()
@_rules_option
@click.option("--template", is_flag=True,
              help="Print a facts file to fill in: every fact unanswered, its question as a comment.")
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Write the template to FILE; refuses to replace an existing file.")
def facts(rules: str | None, template: bool, output: str | None) -> None:
    """List the facts a consultant collects, or (--template) start a facts file for a client."""
    def work() -> None:
        if output is not None and Path(output).exists():
            raise maturity.OutputError("the file exists already", "choose a new name; "
                                       "dots never replaces a facts file", output)
        model = maturity.load_pack(rules)
        text = maturity.facts_template(model) if template or output else maturity.facts_table(model)
        _emit(text, output)
    _run(work)


# `dots rules ...`, `dots schema` and `dots init` live in their own module; imported here, after what it uses from this one.
from .pack_commands import init_command, rules_group, schema_command  # noqa: E402

cli.add_command(rules_group)
cli.add_command(schema_command)
cli.add_command(init_command)


def main() -> None:
    """Entry point of `dots` and `python -m maturity`."""
    # The process ends when the command does. Python's last act would be a full garbage
    # collection over every object made since start-up (the libraries' too), about a fifth of a
    # `dots assess` run; freezing them first skips it. Nothing here needs a finaliser to run at
    # exit, and standard output and error are flushed as usual. See docs/performance.md.
    atexit.register(gc.freeze)
    try:
        cli(prog_name="dots")
    except KeyboardInterrupt:  # pragma: no cover
        click.echo("interrupted", err=True)
        sys.exit(130)
