"""Commands for collecting facts: `dots facts` (questions and templates), `dots examples`
(the bundled organisations) and `dots interview` (registered on `dots` in main.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

import maturity
from maturity import bundled

from .common import pack_given, run


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
@click.option("--rules", "rules", metavar="PACK", default=None, callback=pack_given,
              help="Rule pack: a folder or YAML file, or a built-in pack name (default: the "
                   "built-in 'default' pack).")
@click.option("--template", is_flag=True,
              help="Print a facts file to fill in: every fact unanswered, its question as a comment.")
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Write the template to FILE; refuses to replace an existing file. Its suffix "
                   "picks the form: .xlsx (a workbook with drop-downs), .csv, else YAML (with "
                   "organisation.schema.json beside it, for editors, when none is there).")
def facts_command(rules: str | None, template: bool, output: str | None) -> None:
    """List the facts a consultant collects, or (--template) start a facts file for a client:
    a YAML file, or a questionnaire workbook or CSV table a client can fill in. Every command
    reads all three back."""
    def work() -> None:
        if output is not None and Path(output).exists():
            raise maturity.OutputError("the file exists already", "choose a new name; "
                                       "dots never replaces a facts file", output)
        if output is not None and Path(output).suffix.lower() not in (".xlsx", ".csv", ".yaml", ".yml"):
            # a .xls or .txt holding YAML would open as nonsense, and read back as nothing
            raise maturity.OutputError(f"unknown template format '{Path(output).suffix}'",
                                       "use .yaml (a facts file), .xlsx (a workbook) or .csv", output)
        model = maturity.load_pack(rules)
        if not (template or output):
            click.echo(maturity.facts_table(model), nl=False)
            return
        ref = _pack_ref(rules, output)
        suffix = Path(output).suffix.lower() if output else ""
        if suffix in (".xlsx", ".csv"):
            if suffix == ".xlsx":
                from maturity import workbook  # openpyxl only for workbooks
                data = workbook.template_bytes(model, ref or model.id)
            else:
                from maturity import table
                data = table.template_text(model, ref or model.id).encode("utf-8")
            maturity.write_atomic(Path(output), data)
            click.echo(f"wrote {output}", err=True)
            return
        text = maturity.facts_template(model, ref)
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


@click.command("interview")
@click.argument("facts", metavar="FACTS")
@click.option("--rules", "rules", metavar="PACK", default=None, callback=pack_given,
              help="Rule pack: a folder or YAML file, or a built-in pack name (default: the "
                   "pack named by FACTS's 'pack:', else the built-in 'default' pack).")
@click.option("--element", metavar="ID", default=None, help="Ask only this element's questions.")
@click.option("--review", is_flag=True,
              help="Walk through every question, answered or not, showing the answer given; "
                   "Enter keeps it.")
@click.option("--skip-settled", is_flag=True,
              help="Leave out (and say so) each question no answer to which can change the "
                   "stage, the statuses or the next dot, given the answers so far.")
def interview_command(facts: str, rules: str | None, element: str | None, review: bool,
                      skip_settled: bool) -> None:
    """Interview a client in the terminal and record the answers in FACTS (a YAML facts file,
    started from the template when it does not exist). While its header holds the template's
    placeholders, the organisation's name and the consultant's are asked first (Enter keeps a
    real one, never a placeholder), and today is the date assessed.

    Questions about the organisation as a whole (its size) come first, then element by
    element in dependency order, each with its help text. Answers
    are checked as typed (a wrong one is asked again); Enter alone skips, '?' records don't
    know, 'n/a' not applicable, and an answer ending in ' +' asks for a note and evidence.
    Every answer is saved at once, keeping the file's comments and layout, so an interview
    stopped at any point goes on at the first unanswered question when started again. At the
    end: coverage, stage, next dot, and the command that writes the report."""
    def work() -> None:
        path = Path(facts)
        if path.suffix.lower() in (".xlsx", ".csv"):
            raise maturity.OutputError("the interview records answers in a YAML facts file",
                                       "give a .yaml file (it is started from the template "
                                       "when it does not exist)", facts)
        from maturity.interview import Interview, ordered_facts, summary_lines  # owns terminal input
        from .tty import asker
        if not path.exists():
            model = maturity.load_pack(rules)
            ordered_facts(model, element)  # an unknown --element is said before anything is written
            maturity.write_atomic(path, maturity.facts_template(model, _pack_ref(rules, facts))
                                  .encode("utf-8"))
            click.echo(f"started {facts} from the template of pack '{model.id}'")
            for written in bundled.write_schema_beside(path):
                click.echo(f"wrote {written}")
        from maturity.roundtrip import FactsEditor  # ruamel.yaml only here
        # The header may still hold the template's placeholders: the interview fills them in.
        model, organisation = maturity.load_facts(facts, rules, template_ok=True)
        ordered_facts(model, element)  # an unknown --element is said before anything is asked
        editor = FactsEditor(path)
        outcome = Interview(model, organisation, editor, asker(), click.echo,  # checks --element
                            element=element, review=review, skip_settled=skip_settled
                            ).run(today=date.today().isoformat())
        model, organisation = maturity.load_facts(facts, rules, template_ok=True)  # as saved
        assessment = maturity.assess(model, organisation)
        click.echo("")
        if outcome.stopped:
            click.echo(f"Stopped. Every answer given is saved in {facts}; run the same command "
                       "again to go on.")
        report = "report" if "report" in click.get_current_context().find_root().command.commands \
            else "assess"
        extra = "" if organisation.pack or rules is None else f" --rules {rules}"
        for line in summary_lines(model, organisation, assessment, maturity.next_dot(assessment),
                                  f"dots {report} {facts}{extra}"):
            click.echo(line)
    run(work)
