"""Commands for collecting facts: `dots facts` (questions and templates), `dots examples`
(the bundled organisations) and `dots interview` (registered on `dots` in main.py)."""

from __future__ import annotations

from pathlib import Path

import click

import maturity
from maturity import bundled

from .common import run


def _pack_ref(rules: str | None, output: str | None) -> str | None:
    """What a template's `pack:` line says: a built-in name as given, else the pack's path
    relative to the folder the template is written to."""
    import os
    if rules is None:
        return None
    if not Path(rules).exists() and rules in maturity.builtin_packs():
        return rules
    folder = Path(output).resolve().parent if output else Path.cwd()
    return Path(os.path.relpath(Path(rules).resolve(), folder)).as_posix()


@click.command("facts")
@click.option("--rules", "rules", metavar="PACK", default=None,
              help="Rule pack: a folder or YAML file, or a built-in pack name (default: the "
                   "built-in 'default' pack).")
@click.option("--template", is_flag=True,
              help="Print a facts file to fill in: every fact unanswered, its question as a comment.")
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Write the template to FILE; refuses to replace an existing file. A .yaml "
                   "file gets organisation.schema.json beside it (for editors) when none is there.")
def facts_command(rules: str | None, template: bool, output: str | None) -> None:
    """List the facts a consultant collects, or (--template) start a facts file for a client."""
    def work() -> None:
        if output is not None and Path(output).exists():
            raise maturity.OutputError("the file exists already", "choose a new name; "
                                       "dots never replaces a facts file", output)
        model = maturity.load_pack(rules)
        if not (template or output):
            click.echo(maturity.facts_table(model), nl=False)
            return
        text = maturity.facts_template(model, _pack_ref(rules, output))
        if output is None:
            click.echo(text, nl=False)
            return
        maturity.write_atomic(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
        for path in bundled.write_schema_beside(Path(output)):
            click.echo(f"wrote {path}", err=True)
    run(work)


@click.command("examples")
@click.argument("name", metavar="[NAME]", required=False)
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Copy the example to FILE (never replacing a file), with "
                   "organisation.schema.json beside it when none is there.")
def examples_command(name: str | None, output: str | None) -> None:
    """List the bundled example organisations, or print one (NAME), or copy it out (-o FILE)."""
    def work() -> None:
        if name is None:
            if output is not None:
                raise click.UsageError("give the NAME of the example to copy")
            found = bundled.examples()
            width = max(len(e.name) for e in found)
            for e in found:
                click.echo(f"{e.name:<{width}}  pack {e.pack}: {e.summary}")
            click.echo(f"\ncopy one with: dots examples {found[0].name} -o {found[0].name}.yaml")
            return
        if output is None:
            click.echo(bundled.example_text(name), nl=False)
            return
        for path in bundled.copy_example(name, Path(output)):
            click.echo(f"wrote {path}", err=True)
    run(work)
