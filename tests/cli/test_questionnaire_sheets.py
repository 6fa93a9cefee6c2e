"""The questionnaire as a workbook (.xlsx) and a CSV table: `dots facts --template -o
client.xlsx` writes one, a client fills it in, and every command reads it back; problems name
the cell (`client.xlsx: Facts!C14: ...`). Round trip: the filled-in table gives the same
assessment as the YAML file with the same answers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
import yaml

import maturity
from bundled import EXAMPLES, ROOT, invoke, pack_of


def typed(value) -> str | int | float:
    """An answer as a client types it into a cell."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return value


def answers_of(example: str) -> dict:
    return yaml.safe_load((ROOT / "examples" / f"{example}.yaml").read_text("utf-8"))


def fill_rows(rows: list[list], data: dict, numbers_as_text: bool) -> tuple[str, str]:
    """Fill questionnaire rows (header first) with an example's answers, in place."""
    facts = dict(data["facts"])
    for row in rows[1:]:
        name = row[0]
        if name == "pack":
            continue
        if name.startswith("organisation."):
            row[2] = data["organisation"].get(name.split(".", 1)[1], "")
        elif name in facts:
            value = typed(facts[name])
            row[2] = str(value) if numbers_as_text else value
    # One answer with a note and evidence, one "don't know" (as typed), one not applicable.
    first = next(r for r in rows[1:] if r[0] in facts and isinstance(facts[r[0]], bool))
    first[3], first[4] = "Said in the kick-off", "https://example.invalid/a.pdf; Plan.docx"
    unknown = [r for r in rows[1:] if r[0] in facts][-1]
    unknown[2] = "Don't know"
    return first[0], unknown[0]


def yaml_equivalent(data: dict, noted: str, unknown: str, pack: str) -> str:
    facts = dict(data["facts"])
    facts[noted] = {"answer": facts[noted], "note": "Said in the kick-off",
                    "evidence": ["https://example.invalid/a.pdf", "Plan.docx"]}
    facts[unknown] = "dont-know"
    return yaml.safe_dump({"pack": pack, "organisation": data["organisation"], "facts": facts},
                          sort_keys=False)


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_round_trip_gives_the_same_assessment_as_yaml(workdir, example, form):
    pack = pack_of(example)
    out = f"client.{form}"
    result = invoke(["facts", "--template", "--rules", pack, "-o", out])
    assert (result.exit_code, result.stderr) == (0, f"wrote {out}\n"), result.output
    data = answers_of(example)
    if form == "xlsx":
        wb = openpyxl.load_workbook(out)
        ws = wb["Facts"]
        rows = [[c.value if c.value is not None else "" for c in row] for row in ws.iter_rows()]
        noted, unknown = fill_rows(rows, data, numbers_as_text=False)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row[:5], 1):
                ws.cell(row=r, column=c, value=value if value != "" else None)
        wb.save(out)
    else:
        rows = list(csv.reader(io.StringIO(Path(out).read_text("utf-8"))))
        noted, unknown = fill_rows(rows, data, numbers_as_text=True)
        with open(out, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    Path("client.yaml").write_text(yaml_equivalent(data, noted, unknown, pack), "utf-8")
    for command in ("assess", "roadmap"):
        from_table = invoke([command, out, "--format", "json"])
        assert from_table.exit_code == 0, from_table.output
        from_yaml = invoke([command, "client.yaml", "--format", "json"])
        assert from_yaml.exit_code == 0, from_yaml.output
        assert json.loads(from_table.stdout) == json.loads(from_yaml.stdout)
    answers = json.loads(invoke(["assess", out, "--format", "json"]).stdout)["answers"]
    assert answers[unknown]["state"] == "dont_know"
    assert answers[noted]["evidence"] == ["https://example.invalid/a.pdf", "Plan.docx"]


def test_the_workbook_has_drop_downs_help_and_element_groups(workdir):
    assert invoke(["facts", "--template", "-o", "client.xlsx"]).exit_code == 0
    ws = openpyxl.load_workbook("client.xlsx")["Facts"]
    header = [c.value for c in ws[1]]
    assert header == ["Fact", "Question", "Answer", "Note", "Evidence", "How to answer"]
    column_a = [c.value for c in ws["A"]]
    model = maturity.load_pack()
    assert [v for v in column_a if v and "." in v and not v.startswith("organisation.")] == \
        [f.id for f in model.facts if f.element is None] + \
        [f.id for e in model.elements for f in model.facts if f.element == e.id]  # size band first
    # Element headings precede their questions.
    purpose_row = column_a.index("purpose.goals_written") + 1
    assert ws.cell(row=purpose_row - 1, column=2).value == "Purpose"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    cells = {c for ref in lists for c in ref.split()}
    assert f"C{purpose_row}" in cells
    assert any(f == '"yes,no,dont-know,not-applicable"' for f in lists.values())
    measurement = column_a.index("engagement.measurement") + 1
    [formula] = [f for ref, f in lists.items() if f"C{measurement}" in ref.split()]
    # the choices by their labels, as the respondent reads them
    assert formula == '"Not measured,Reach,Engagement,Applicants,Hires,dont-know,not-applicable"'
    assert "Answer yes or no" in ws.cell(row=purpose_row, column=6).value


def test_templates_are_the_same_bytes_every_time(workdir):
    for n in (1, 2):
        assert invoke(["facts", "--template", "-o", f"t{n}.xlsx"]).exit_code == 0
        assert invoke(["facts", "--template", "-o", f"t{n}.csv"]).exit_code == 0
    assert Path("t1.xlsx").read_bytes() == Path("t2.xlsx").read_bytes()
    assert Path("t1.csv").read_bytes() == Path("t2.csv").read_bytes()


def _row_of(ws, fact: str) -> int:
    return next(c.row for c in ws["A"] if c.value == fact)


def _named_template(form: str) -> None:
    """client.xlsx or client.csv from the template, the organisation's name filled in."""
    invoke(["facts", "--template", "-o", f"client.{form}"])
    if form == "xlsx":
        wb = openpyxl.load_workbook("client.xlsx")
        wb["Facts"].cell(row=_row_of(wb["Facts"], "organisation.name"), column=3, value="Acme Ltd")
        wb.save("client.xlsx")
        return
    rows = list(csv.reader(io.StringIO(Path("client.csv").read_text("utf-8"))))
    next(r for r in rows if r[0] == "organisation.name")[2] = "Acme Ltd"
    with open("client.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize("fact, answer, message", [
    ("purpose.goals_written", "maybe",
     "'purpose.goals_written' is yes/no, got 'maybe'\n  hint: answer true or false"),
    ("purpose.success_metrics", "lots",
     "'purpose.success_metrics' is a number, got 'lots'\n  hint: write a number without quotes"),
    ("purpose.success_metrics", 99, "'purpose.success_metrics' is 99, above its maximum 50"),
    ("engagement.measurement", "likes",
     "'likes' is not an allowed answer to 'engagement.measurement'\n  hint: did you mean 'Hires'?"),
    ("platforms.active", "linkedin, tiktokk",
     "'tiktokk' is not an allowed answer to 'platforms.active'\n  hint: did you mean 'TikTok'?"),
])
def test_a_bad_answer_in_a_workbook_names_the_cell(workdir, fact, answer, message):
    _named_template("xlsx")
    wb = openpyxl.load_workbook("client.xlsx")
    row = _row_of(wb["Facts"], fact)
    wb["Facts"].cell(row=row, column=3, value=answer)
    wb.save("client.xlsx")
    result = invoke(["assess", "client.xlsx"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: client.xlsx: Facts!C{row}: {message}")
    assert result.stderr.count("error:") == 1


def test_a_formula_whose_value_was_never_saved_is_an_error_not_an_empty_answer(workdir):
    # openpyxl (and other programs that write workbooks) saves a formula without its value: read
    # for values alone, the cell is empty, and the question would pass for unanswered.
    _named_template("xlsx")
    wb = openpyxl.load_workbook("client.xlsx")
    ws = wb["Facts"]
    row = _row_of(ws, "purpose.success_metrics")
    ws.cell(row=row, column=3, value="=1+2")
    note_row = _row_of(ws, "audience.personas")
    ws.cell(row=note_row, column=4, value='=CONCAT("from ", "HR")')
    wb.save("client.xlsx")
    result = invoke(["assess", "client.xlsx"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: client.xlsx: Facts!C{row}: the answer cell of 'purpose.success_metrics' holds a formula "
        "whose value was never saved (=1+2)\n"
        "  hint: open the workbook in Excel or LibreOffice and save it, or type the value in place of "
        "the formula\n"
        f"error: client.xlsx: Facts!D{note_row}: the note cell of 'audience.personas' holds a formula whose "
        "value was never saved (=CONCAT(\"from \", \"HR\"))\n"
        "  hint: open the workbook in Excel or LibreOffice and save it, or type the value in place of "
        "the formula\n")


def test_other_problems_in_a_workbook_name_their_cell(workdir):
    _named_template("xlsx")
    wb = openpyxl.load_workbook("client.xlsx")
    ws = wb["Facts"]
    ws.cell(row=_row_of(ws, "purpose.owner_named"), column=1, value="purpose.owner_namd")
    ws.cell(row=_row_of(ws, "pack"), column=3, value="defualt")
    wb.save("client.xlsx")
    result = invoke(["assess", "client.xlsx"])
    assert result.stderr == ("error: client.xlsx: Facts!C2: no such rule pack 'defualt'\n"
                             "  hint: did you mean 'default'?\n")
    ws.cell(row=2, column=3, value="default")
    wb.save("client.xlsx")
    row = _row_of(ws, "purpose.owner_namd")
    result = invoke(["assess", "client.xlsx"])
    assert result.stderr == (f"error: client.xlsx: Facts!A{row}: unknown fact 'purpose.owner_namd'\n"
                             "  hint: did you mean 'purpose.owner_named'?\n")


def test_a_bad_answer_in_a_csv_names_row_and_column(workdir):
    _named_template("csv")
    rows = list(csv.reader(io.StringIO(Path("client.csv").read_text("utf-8"))))
    n = next(i for i, r in enumerate(rows) if r[0] == "purpose.goals_written")
    rows[n][2] = "perhaps"
    with open("client.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    result = invoke(["next", "client.csv"])
    assert result.stderr == (f"error: client.csv:{n + 1}:3: 'purpose.goals_written' is yes/no, got "
                             "'perhaps'\n  hint: answer true or false; or leave it empty when unknown, or write "
                             "dont-know when it was asked and nobody knew\n")


def test_a_quote_never_closed_in_a_csv_is_said_at_its_row(workdir):
    # Read leniently, the cell ran to the end of the file: "client.csv:1:1: '"unterminated ...
    # <every row after it>' is not a valid id", on several lines.
    _named_template("csv")
    lines = Path("client.csv").read_text("utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.startswith("purpose.goals_written,"))
    lines.insert(n + 1, '"unterminated, foo\n')
    Path("client.csv").write_text("".join(lines), "utf-8")
    result = invoke(["assess", "client.csv"])
    assert result.exit_code == 1
    # read on into the next row, whose own quotes then do not pair up
    assert result.stderr == (f"error: client.csv:{n + 2}:1: not a CSV table: ',' expected after '\"' "
                             f"(line {n + 3}, in the row that starts here)\n"
                             "  hint: check the quotes of this row, or save the file again as CSV "
                             "(comma-separated, UTF-8)\n")
    # at the end of the file: never closed
    Path("client.csv").write_text("".join(lines[:n + 2]), "utf-8")
    result = invoke(["assess", "client.csv"])
    assert result.stderr == (f"error: client.csv:{n + 2}:1: a quote in this row is never closed\n"
                             "  hint: close the quote, or save the file again as CSV\n")


def test_files_that_are_not_questionnaires(workdir):
    Path("x.xlsx").write_text("not a zip")
    result = invoke(["assess", "x.xlsx"])
    assert result.stderr.startswith("error: x.xlsx: not an Excel workbook (.xlsx)")
    Path("x.csv").write_text("a,b\n1,2\n")
    result = invoke(["assess", "x.csv"])
    assert result.stderr == ("error: x.csv: no header row starting with 'Fact'\n"
                             "  hint: start from a template: dots facts --template -o client.xlsx\n")
    assert invoke(["assess", "missing.xlsx"]).stderr == "error: missing.xlsx: no such file\n  hint: check the path\n"


def test_cells_typed_by_the_spreadsheet_are_read_as_answers(workdir):
    # Excel turns a typed date into a date, TRUE into a boolean and 2 into 2.0.
    import datetime
    _named_template("xlsx")
    wb = openpyxl.load_workbook("client.xlsx")
    ws = wb["Facts"]
    ws.cell(row=_row_of(ws, "organisation.assessed_on"), column=3, value=datetime.datetime(2026, 11, 1))
    ws.cell(row=_row_of(ws, "purpose.goals_written"), column=3, value=True)
    ws.cell(row=_row_of(ws, "purpose.success_metrics"), column=3, value=2.0)
    ws.cell(row=_row_of(ws, "brand.advocates_pct"), column=3, value=12.5)
    ws.cell(row=_row_of(ws, "platforms.active"), column=3, value="LinkedIn; facebook")
    wb.save("client.xlsx")
    model, org = maturity.load_facts("client.xlsx")
    assert org.meta["assessed_on"] == "2026-11-01"
    assert org.facts["purpose.goals_written"] is True
    assert org.facts["purpose.success_metrics"] == 2 and isinstance(org.facts["purpose.success_metrics"], int)
    assert org.facts["brand.advocates_pct"] == 12.5
    assert org.facts["platforms.active"] == ["linkedin", "facebook"]  # in any case


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_an_untouched_table_template_is_refused_at_its_name_cell(workdir, form):
    invoke(["facts", "--template", "-o", f"client.{form}"])
    result = invoke(["assess", f"client.{form}"])
    assert result.exit_code == 1 and result.stdout == ""
    if form == "xlsx":
        row = _row_of(openpyxl.load_workbook("client.xlsx")["Facts"], "organisation.name")
        place = f"client.xlsx: Facts!C{row}"
    else:
        table = list(csv.reader(io.StringIO(Path("client.csv").read_text("utf-8"))))
        row = next(n for n, r in enumerate(table, 1) if r[0] == "organisation.name")
        place = f"client.csv:{row}:3"
    assert result.stderr == (f"error: {place}: the organisation's name is still the template's "
                             "placeholder 'Client name'\n  hint: fill it in\n")


@pytest.mark.parametrize("form, date, message", [
    ("xlsx", "2026-13-45", "the date assessed '2026-13-45' is not a date"),
    ("csv", "1 Nov 2026", "the date assessed '1 Nov 2026' is not a date"),
])
def test_an_impossible_date_in_a_table_names_its_cell(workdir, form, date, message):
    _named_template(form)
    if form == "xlsx":
        wb = openpyxl.load_workbook("client.xlsx")
        row = _row_of(wb["Facts"], "organisation.assessed_on")
        wb["Facts"].cell(row=row, column=3, value=date)
        wb.save("client.xlsx")
        place = f"client.xlsx: Facts!C{row}"
    else:
        table = list(csv.reader(io.StringIO(Path("client.csv").read_text("utf-8"))))
        row = next(n for n, r in enumerate(table, 1) if r[0] == "organisation.assessed_on")
        table[row - 1][2] = date
        with open("client.csv", "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(table)
        place = f"client.csv:{row}:3"
    result = invoke(["assess", f"client.{form}"])
    assert result.stderr == (f"error: {place}: {message}\n"
                             '  hint: write a real date as YYYY-MM-DD, such as "2026-11-26"\n')


def test_unknown_typed_for_yes_no_in_a_table_says_leave_it_empty(workdir):
    _named_template("csv")
    table = list(csv.reader(io.StringIO(Path("client.csv").read_text("utf-8"))))
    row = next(n for n, r in enumerate(table, 1) if r[0] == "purpose.goals_written")
    table[row - 1][2] = "Unknown"
    with open("client.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    result = invoke(["assess", "client.csv"])
    assert result.stderr == (f"error: client.csv:{row}:3: 'purpose.goals_written' is answered 'Unknown', "
                             "which is no answer\n  hint: leave it empty when unknown, or write "
                             "dont-know when it was asked and nobody knew\n")
