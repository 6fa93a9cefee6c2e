"""The client pack's commands: `dots report` (HTML, DOCX, PDF, Markdown), `dots compare` and
`dots whatif`. The document libraries are imported inside the commands, never at start-up."""

from __future__ import annotations

from pathlib import Path

import click

import maturity

from .common import (benchmark_data, benchmark_option, emit, format_option, load_assessment,
                     output_option, rules_option, run)

LAYOUT = click.Choice(["page", "slide", "wide"])


@click.command("report")
@click.argument("facts", metavar="FACTS")
@click.option("-o", "--output", metavar="FILE", required=True,
              help="The report; its suffix picks the format: .html, .docx, .pdf or .md.")
@rules_option
@click.option("--template", "template", metavar="DIR", default=None,
              help="A folder of templates replacing the built-in ones file by file "
                   "(report.html.j2, report.md.j2, style.css, reference.docx); default: the "
                   "pack's own templates folder, if it has one.")
@click.option("--no-appendix", is_flag=True,
              help="Leave out the appendix of rule ids and the facts behind each conclusion.")
@click.option("--previous", metavar="PREVIOUS", default=None,
              help="An earlier assessment of the same organisation (facts file, or JSON from "
                   "`dots assess --format json`): adds a 'progress since' section.")
@click.option("--allow-pack-change", is_flag=True,
              help="With --previous: compare even when the two were assessed with different "
                   "pack versions.")
@click.option("--layout", type=LAYOUT, default="page", show_default=True,
              help="The picture's layout inside the report.")
@benchmark_option
def report_command(facts: str, output: str, rules: str | None, template: str | None,
                   no_appendix: bool, previous: str | None, allow_pack_change: bool,
                   layout: str, benchmark: str | None) -> None:
    """Write the client report: cover, summary with the stage ladder, strengths, priorities,
    the picture, scorecard, findings with evidence, next dot, roadmap, unanswered questions and
    an appendix, in one self-contained file."""
    def work() -> None:
        from maturity import documents

        path = Path(output)
        documents.document_format(path)
        maturity.check_output_path(path, {"FACTS": facts, "PREVIOUS": previous, "RESULTS": benchmark,
                                          "the rule pack": rules})
        documents.check_template_dir(template)
        current = load_assessment(facts, rules)
        progress = None
        if previous is not None:
            from maturity import compare
            before = compare.load_side(previous, rules, "PREVIOUS")
            progress = compare.compare(before, compare.side_of(current, facts),
                                       allow_pack_change=allow_pack_change)
        peers = benchmark_data(current, benchmark) if benchmark is not None else None
        documents.write_report(current, path, template_dir=template, appendix=not no_appendix,
                               progress=progress, benchmark=peers, layout=layout)
        click.echo(f"wrote {path}", err=True)
    run(work)


@click.command("compare")
@click.argument("previous", metavar="PREVIOUS")
@click.argument("current", metavar="CURRENT")
@rules_option
@format_option
@output_option
@click.option("--picture", metavar="FILE", default=None,
              help="Also draw CURRENT's picture with the dots that changed marked (.svg, .png, "
                   ".pdf or .dot); CURRENT must be a facts file.")
@click.option("--layout", type=LAYOUT, default="page", show_default=True,
              help="The picture's layout.")
@click.option("--allow-pack-change", is_flag=True,
              help="Compare even when the two were assessed with different versions of the pack.")
def compare_command(previous: str, current: str, rules: str | None, fmt: str, output: str | None,
                    picture: str | None, layout: str, allow_pack_change: bool) -> None:
    """Progress between two assessments of one organisation: stage and each element's status
    from and to (movement inside a stage too), dots connected and lost, findings resolved and
    new, advice no longer given, questions newly answered. PREVIOUS and CURRENT are facts files
    or JSON saved by `dots assess --format json`."""
    def work() -> None:
        from maturity import compare

        inputs = {"PREVIOUS": previous, "CURRENT": current, "the rule pack": rules}
        for path in (output, picture):
            if path is not None:
                maturity.check_output_path(Path(path), inputs)
        maturity.check_distinct_outputs({"the output": output, "the picture": picture})
        if picture is not None:
            maturity.output_format(picture)
        before = compare.load_side(previous, rules, "PREVIOUS")
        after = compare.load_side(current, rules, "CURRENT")
        if picture is not None and after.assessment is None:
            raise maturity.OutputError("the picture needs CURRENT as a facts file, not saved JSON",
                                       "give CURRENT's facts file, or leave out --picture", current)
        data = compare.compare(before, after, allow_pack_change=allow_pack_change,
                               model=after.assessment.model if after.assessment else
                               compare.model_of(after, rules))
        text = maturity.to_json(data) if fmt == "json" else compare.compare_text(data)
        if picture is not None:
            maturity.render(after.assessment, picture, layout=layout, changed=compare.changed_marks(data),
                            since=data["previous"]["date"])
            click.echo(f"wrote {picture}", err=True)
        emit(text, output)
    run(work)


@click.command("whatif")
@click.argument("facts", metavar="FACTS")
@click.option("--set", "settings", metavar="FACT=VALUE", multiple=True, required=True,
              help="A changed answer, written as in a facts file (true, 3, reach, [apply, refer]); "
                   "FACT= unanswers it. Repeat for more.")
@rules_option
@format_option
@output_option
def whatif_command(facts: str, settings: tuple[str, ...], rules: str | None, fmt: str,
                   output: str | None) -> None:
    """The assessment before and after changing some answers, side by side: stage, statuses,
    next dot. The facts file is not changed."""
    named = [s.partition("=")[0].strip() for s in settings]
    twice = next((f for n, f in enumerate(named) if f and f in named[:n]), None)
    if twice:  # which answer was meant cannot be told
        raise click.UsageError(f"--set gives '{twice}' more than once; give each fact once")

    def work() -> None:
        from maturity import whatif

        if output is not None:
            maturity.check_output_path(Path(output), {"FACTS": facts, "the rule pack": rules})
        changes = dict(whatif.parse_setting(s) for s in settings)
        model, organisation = maturity.load_facts(facts, rules)
        before, after = whatif.whatif(model, organisation, changes)
        data = whatif.whatif_data(before, after, changes)
        emit(maturity.to_json(data) if fmt == "json" else whatif.whatif_text(data), output)
    run(work)
