"""Commands about rule packs themselves rather than an organisation: `dots rules test`,
`dots rules check`, `dots schema` and `dots init` (registered on `dots` in main.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import maturity

from .common import FORMATS, run


@click.group("rules")
def rules_group() -> None:
    """Work on rule packs: check them, run their test cases."""


@rules_group.command("test")
@click.argument("pack", metavar="[PACK]", required=False)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="Output for people (text) or machines (json).")
def test_command(pack: str | None, fmt: str) -> None:
    """Run the test cases in PACK's 'tests:' section (default: the built-in 'default' pack).

    Prints PASS or FAIL for each case, with what was expected and what the rules concluded,
    then the rules no case makes fire and the stages no case reaches. Exits 1 when a case
    fails or the pack cannot be loaded."""
    failed = False

    def work() -> None:
        nonlocal failed
        model = maturity.load_pack(pack)
        result = maturity.run_tests(model)
        text = (maturity.to_json(maturity.results_data(result)) if fmt == "json"
                else maturity.results_text(result))
        click.echo(text, nl=False)
        failed = not result.ok
    run(work)
    if failed:
        sys.exit(1)


# `dots rules check`, `dots schema` and `dots init`: checking and starting packs ------------

def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@rules_group.command("check")
@click.argument("pack", metavar="[PACK]", required=False)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
def check_command(pack: str | None, strict: bool) -> None:
    """Check PACK without running it (default: the built-in 'default' pack) and list every
    problem: errors (the pack cannot be used) first, then warnings (rules that can never
    fire, stages no organisation can reach, facts no rule uses, elements no rule gives a
    status), each with file, line and column and a hint; then a summary line.

    Exits 1 when there is an error (with --strict, also when there is a warning), else 0."""
    failed = False

    def work() -> None:
        nonlocal failed
        problems = maturity.check_pack(pack)
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = len(problems) - errors
        for problem in problems:
            click.echo(problem.format())
        click.echo(f"pack {pack or 'default'}: {_count(errors, 'error')}, "
                   f"{_count(warnings, 'warning')}")
        failed = bool(errors or (strict and warnings))
    run(work)
    if failed:
        sys.exit(1)


@click.command("schema")
@click.argument("name", type=click.Choice(sorted(maturity.SCHEMAS)), required=False)
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Write the schema to FILE (whole or not at all) instead of standard output.")
@click.option("--list", "list_names", is_flag=True, help="List the schema names and exit.")
def schema_command(name: str | None, output: str | None, list_names: bool) -> None:
    """Print the JSON Schema of a file format: NAME is 'pack' (rule-pack files),
    'organisation' (facts files), 'survey', 'assessment' (what `dots assess --format json`
    writes, as `dots compare` reads it) or 'compare' (what `dots compare --format json`
    writes). Editors use it through a first line such as
    '# yaml-language-server: $schema=pack.schema.json'."""
    if list_names:
        click.echo("\n".join(sorted(maturity.SCHEMAS)))
        return
    if name is None:
        raise click.UsageError("give a schema name (pack, organisation, survey, assessment or compare), "
                               "or --list")

    def work() -> None:
        text = maturity.schema_text(name)
        if output is None:
            click.echo(text, nl=False)
            return
        maturity.write_atomic(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
    run(work)


@click.command("init")
@click.argument("folder", metavar="FOLDER")
@click.option("--extends", "extends", metavar="PACK", default="default", show_default=True,
              help="The pack to extend: a built-in pack name or a pack folder.")
def init_command(folder: str, extends: str) -> None:
    """Start a rule pack in FOLDER (new, or empty) that extends another pack: pack.yaml,
    rules.yaml with one fact, one rule and one test case to copy from (every field
    commented), and pack.schema.json for editors. Nothing is written if anything fails."""
    def work() -> None:
        for path in maturity.init_pack(Path(folder), extends):
            click.echo(f"wrote {path}")
        click.echo(f"check it with: dots rules check {folder}")
    run(work)
