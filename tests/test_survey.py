"""Survey exports and their mapping files: the mapping is checked like a pack (file:line:column
and a hint), and each row becomes an organisation or an error naming its row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import maturity
from maturity.schema import schema_text
from maturity.survey import load_mapping, row_organisation, survey_tasks

ROOT = Path(__file__).resolve().parent.parent

MAPPING = """\
organisation:
  name: Company
  id: Ref
  sector: Industry
columns:
  Goals written?:
    fact: purpose.goals_written
    values: {"Yes": true, "No": false, "Not sure": null}
  Personas:
    fact: audience.personas
  Platforms:
    fact: platforms.active
    split: ","
    values: {LinkedIn: linkedin, Facebook: facebook, TikTok: tiktok}
  Measure:
    fact: engagement.measurement
"""

CSV = """\
Ref,Company,Industry,Goals written?,Personas,Platforms,Measure
acme,Acme Stores,Retail,Yes,3,"LinkedIn, TikTok",reach
b2,Bolt Care,Healthcare,maybe,two,LinkedIn,reach
c3,,Retail,No,1,,reach
d4,Dover Bank,Finance,Not sure,,Facebook,hires
"""


@pytest.fixture(scope="module")
def model():
    return maturity.load_pack(None)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "map.yaml").write_text(MAPPING, "utf-8")
    (tmp_path / "survey.csv").write_text(CSV, "utf-8")
    return tmp_path


def _read(model, path: Path, mapping: Path):
    m = load_mapping(mapping, model)
    out = []
    for task in survey_tasks(path, m):
        try:
            out.append((task.row, row_organisation(m, task)))
        except maturity.DataError as exc:
            out.append((task.row, exc.format()))
    return out


def test_rows_become_organisations_with_their_answers(files, model):
    rows = _read(model, files / "survey.csv", files / "map.yaml")
    row, acme = rows[0]
    assert row == 2 and acme.id == "acme" and acme.name == "Acme Stores"
    assert acme.meta == {"sector": "Retail"}
    assert acme.facts == {"purpose.goals_written": True, "audience.personas": 3,
                          "platforms.active": ["linkedin", "tiktok"], "engagement.measurement": "reach"}
    row, dover = rows[3]
    assert "purpose.goals_written" not in dover.facts  # "Not sure" maps to unanswered
    assert "audience.personas" not in dover.facts      # an empty cell is unanswered


def test_bad_rows_name_row_and_column(files, model):
    rows = dict(_read(model, files / "survey.csv", files / "map.yaml"))
    bolt = rows[3]
    assert "error: survey.csv:3:4: row 3, column 'Goals written?' (D): 'maybe' is not one of the " \
           "answers the mapping lists" in bolt
    assert "hint: listed: 'yes', 'no', 'not sure'" in bolt
    assert "error: survey.csv:3:5: row 3, column 'Personas' (E): 'two' is not a number" in bolt
    assert "error: survey.csv:4:2: row 4, column 'Company' (B): no organisation name" in rows[4]
    measure = files / "survey.csv"
    measure.write_text(CSV.replace("1,,reach", "1,,reech"), "utf-8")
    rows = dict(_read(model, measure, files / "map.yaml"))
    assert "row 4, column 'Measure' (G): 'reech' is not an allowed answer to " \
           "'engagement.measurement'" in rows[4]
    assert "did you mean 'Reach'?" in rows[4]  # a respondent's answer: the label


CHECKED_MAPPING = """\
organisation: {name: Company, id: Ref, sector: Industry, assessed_on: Date, consultant: Consultant}
columns:
  Personas: {fact: audience.personas}
  Measure: {fact: engagement.measurement}
"""


def _facts_file_problems(tmp_path, header: str, facts: str = "") -> list[tuple[str, str]]:
    """The (message, hint) of each problem `dots assess` finds in a facts file with this header."""
    path = tmp_path / "facts.yaml"
    path.write_text(f"organisation:\n{header}facts:\n{facts or '  {}'}\n", "utf-8")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_organisation(path, maturity.load_pack(None))
    return [(p.message, p.hint) for p in info.value.problems()]


@pytest.mark.parametrize("cells,column,facts_header", [
    ('a1,Acme,Retail,2026-13-45,Sam,3,reach', "Date (D)", '  name: Acme\n  assessed_on: "2026-13-45"\n'),
    ('a1,Acme,Retail,1 Nov 2026,Sam,3,reach', "Date (D)", '  name: Acme\n  assessed_on: "1 Nov 2026"\n'),
    ('a1,Client name,Retail,2026-11-02,Sam,3,reach', "Company (B)", "  name: Client name\n"),
    ('a1,Acme,Retail,YYYY-MM-DD,Sam,3,reach', "Date (D)", "  name: Acme\n  assessed_on: YYYY-MM-DD\n"),
    ('a1,Acme,Retail,2026-11-02,Your name,3,reach', "Consultant (E)", "  name: Acme\n  consultant: Your name\n"),
    ('a1,Acme,Re\x07tail,2026-11-02,Sam,3,reach', "Industry (C)", '  name: Acme\n  sector: "Re\\atail"\n'),
    ('a1,' + "A" * 4001 + ',Retail,2026-11-02,Sam,3,reach', "Company (B)", "  name: " + "A" * 4001 + "\n"),
    ('Acme 1,Acme,Retail,2026-11-02,Sam,3,reach', "Ref (A)", '  name: Acme\n  id: "Acme 1"\n'),
    ('a1,Acme,Retail,2026-11-02,Sam,300,reach', "Personas (F)", "  name: Acme\n"),
])
def test_a_survey_row_gets_the_checks_a_facts_file_gets(files, model, cells, column, facts_header):
    (files / "checked.yaml").write_text(CHECKED_MAPPING, "utf-8")
    (files / "s.csv").write_text("Ref,Company,Industry,Date,Consultant,Personas,Measure\n" + cells + "\n",
                                 "utf-8")
    ((row, got),) = _read(model, files / "s.csv", files / "checked.yaml")
    assert isinstance(got, str), "the row should be an error row"
    facts = "  audience.personas: 300\n" if ",300," in cells else ""
    expected = _facts_file_problems(files, facts_header, facts)
    name, letter = column[:-4], column[-2]
    place = f"s.csv:2:{'ABCDEFG'.index(letter) + 1}: row 2, column '{name}' ({letter})"
    assert got == "\n".join(f"error: {place}: {message}" + (f"\n  hint: {hint}" if hint else "")
                             for message, hint in expected)


def test_a_survey_row_with_a_real_date_and_names_is_assessed(files, model):
    (files / "checked.yaml").write_text(CHECKED_MAPPING, "utf-8")
    (files / "s.csv").write_text("Ref,Company,Industry,Date,Consultant,Personas,Measure\n"
                                 "a1,Acme,Retail,2026-02-28,Sam,3,reach\n,Bolt,,,,,\n", "utf-8")
    (_, acme), (_, bolt) = _read(model, files / "s.csv", files / "checked.yaml")
    assert acme.id == "a1" and acme.meta == {"sector": "Retail", "assessed_on": "2026-02-28",
                                             "consultant": "Sam"}
    assert acme.facts == {"audience.personas": 3, "engagement.measurement": "reach"}
    assert acme.source == "s.csv:2"
    assert bolt.id == "row-3" and bolt.facts == {} and bolt.meta == {}


def _problems(exc: maturity.DataError) -> list[str]:
    return [f"{p.file}:{p.line}:{p.column}: {p.message}" for p in exc.problems()]


def test_mapping_errors_have_file_line_column_and_hint(files, model):
    bad = files / "bad.yaml"
    bad.write_text(MAPPING.replace("purpose.goals_written", "purpose.goals_writen")
                   .replace("{LinkedIn: linkedin,", "{LinkedIn: linkdin,")
                   .replace("    fact: audience.personas\n", "    fact: audience.personas\n    split: ';'\n"),
                   "utf-8")
    with pytest.raises(maturity.DataError) as info:
        load_mapping(bad, model)
    problems = _problems(info.value)
    assert "bad.yaml:7:11: unknown fact 'purpose.goals_writen'" in problems
    assert "bad.yaml:11:12: 'split' is for facts that take a list of choices; 'audience.personas' is " \
           "integer" in problems
    assert any(p.startswith("bad.yaml:15:") and "'linkdin' is not an allowed answer" in p for p in problems)
    assert "did you mean 'purpose.goals_written'?" in info.value.format()


def test_mapping_checked_against_its_schema(files, model):
    bad = files / "bad.yaml"
    bad.write_text(MAPPING.replace("  Personas:\n    fact: audience.personas\n",
                                   "  Personas:\n    fact: audience.personas\n    value: {a: 1}\n"), "utf-8")
    with pytest.raises(maturity.DataError) as info:
        load_mapping(bad, model)
    assert _problems(info.value) == ["bad.yaml:11:5: unknown key 'value'"]
    assert "did you mean 'values'?" in info.value.format()


def test_a_mapped_column_missing_from_the_export_is_an_error_at_the_mapping(files, model):
    (files / "survey.csv").write_text(CSV.replace("Personas", "Persona"), "utf-8")
    m = load_mapping(files / "map.yaml", model)
    with pytest.raises(maturity.DataError) as info:
        list(survey_tasks(files / "survey.csv", m))
    assert _problems(info.value) == ["map.yaml:9:3: column 'Personas' is not in survey.csv"]
    assert "did you mean 'Persona'?" in info.value.format()


def test_mapping_for_another_pack_is_refused(files, model):
    (files / "map.yaml").write_text("pack: talent_community\n" + MAPPING, "utf-8")
    with pytest.raises(maturity.DataError, match="the mapping is for pack 'talent_community'"):
        load_mapping(files / "map.yaml", model)


def test_xlsx_export_reads_like_csv(files, model):
    import csv
    import io

    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for n, cells in enumerate(csv.reader(io.StringIO(CSV))):
        sheet.append([int(c) if c.isdigit() and n else c for c in cells])
    book.save(files / "survey.xlsx")
    from_xlsx = _read(model, files / "survey.xlsx", files / "map.yaml")
    from_csv = _read(model, files / "survey.csv", files / "map.yaml")
    assert [r for r, _ in from_xlsx] == [r for r, _ in from_csv]
    assert from_xlsx[0][1].facts == from_csv[0][1].facts
    assert "survey.xlsx:3:4: row 3, column 'Goals written?' (D)" in from_xlsx[1][1]


def test_content_hash_changes_with_the_row_and_the_mapping(files, model):
    m = load_mapping(files / "map.yaml", model)
    keys = [t.key for t in survey_tasks(files / "survey.csv", m)]
    assert len(set(keys)) == 4
    (files / "map.yaml").write_text(MAPPING + "  # a comment\n", "utf-8")
    m2 = load_mapping(files / "map.yaml", model)
    assert [t.key for t in survey_tasks(files / "survey.csv", m2)] != keys


def test_survey_schema_ships_and_docs_name_every_key():
    schema = json.loads(schema_text("survey"))
    keys: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            keys.update((node.get("properties") or {}).keys())
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(schema)
    text = (ROOT / "docs" / "portfolio.md").read_text("utf-8")
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert not missing, f"docs/portfolio.md does not mention survey mapping keys: {missing}"
    assert "survey" in maturity.SCHEMAS


def _spans_and_whole(path, mapping, monkeypatch):
    """The tasks of an export read in spans of a few bytes (as workers read it), and read whole."""
    from maturity import spans, survey
    monkeypatch.setattr(spans, "SPAN_BYTES", 40)
    monkeypatch.setattr(spans.spans, "__defaults__", (40,))
    pieces = list(survey.survey_work(path, mapping))
    head = survey.read_rows(path)[0]
    whole = list(survey._read_tasks(path, mapping, str(path.name), tuple(head)))
    return pieces, list(survey.survey_tasks(path, mapping)), whole


def test_workers_read_an_export_in_spans_exactly_as_it_reads_whole(files, model, monkeypatch):
    from maturity.spans import Span
    text = ('Ref,Company,Industry,Goals written?,Personas,Platforms,Measure\r\n'
            'a1,"Acme, ""the"" Stores",Retail,Yes,3,"LinkedIn, TikTok",reach\r\n'
            '\r\n'
            'b2,"Bolt\nCare",Healthcare,No,2,,reach\r\n'
            + "".join(f"c{n},Org {n},Retail,No,{n % 5},LinkedIn,reach\r\n" for n in range(12))
            + 'd4,"Dover ""Bank""",Finance,Yes,,Facebook,hires')
    path = files / "survey.csv"
    path.write_bytes(text.encode())
    m = load_mapping(files / "map.yaml", model)
    pieces, tasks, whole = _spans_and_whole(path, m, monkeypatch)
    assert len(pieces) > 5 and all(isinstance(p, Span) for p in pieces)
    assert [(t.key, t.row, t.cells) for t in tasks] == [(t.key, t.row, t.cells) for t in whole]
    assert len(tasks) == 15 and tasks[0].cells[1] == 'Acme, "the" Stores' and tasks[1].row == 4
    assert tasks[1].cells[1] == "Bolt\nCare" and tasks[2].row == 6 and tasks[-1].row == 18


@pytest.mark.parametrize("odd", ['5" screens', 'a "quoted" word'])
def test_an_export_whose_quotes_spans_cannot_follow_is_read_whole(files, model, monkeypatch, odd):
    from maturity.spans import Span
    rows = "".join(f"c{n},Org {n},Retail,No,{n % 5},LinkedIn,reach\n" for n in range(8))
    text = ("Ref,Company,Industry,Goals written?,Personas,Platforms,Measure\n" + rows
            + f'x1,{odd},Retail,No,1,,reach\n' + 'x2,"Multi\nline",Retail,No,1,,reach\n' + rows)
    path = files / "survey.csv"
    path.write_text(text, "utf-8")
    m = load_mapping(files / "map.yaml", model)
    pieces, tasks, whole = _spans_and_whole(path, m, monkeypatch)
    assert isinstance(pieces[0], Span) and not isinstance(pieces[-1], Span)  # spans, then rows
    assert [(t.key, t.row, t.cells) for t in tasks] == [(t.key, t.row, t.cells) for t in whole]
    assert [t.cells[1] for t in tasks[8:10]] == [odd, "Multi\nline"]


def test_a_row_that_is_not_utf8_is_an_error_row_and_the_rows_after_it_are_read(files, model):
    rows = "".join(f"c{n},Org {n},Retail,No,{n % 5},LinkedIn,reach\n" for n in range(3))
    data = ("Ref,Company,Industry,Goals written?,Personas,Platforms,Measure\n" + rows).encode() \
        + b"x1,Caf\xe9 Bleu,Retail,No,1,,reach\n" + rows.encode()
    (files / "survey.csv").write_bytes(data)
    m = load_mapping(files / "map.yaml", model)
    tasks = list(survey_tasks(files / "survey.csv", m))
    assert [t.kind for t in tasks] == ["cells"] * 3 + ["error"] + ["cells"] * 3
    assert tasks[3].row == 5 and tasks[3].error == "error: survey.csv:5:1: cannot read the row: not UTF-8 text"
    assert [t.row for t in tasks[4:]] == [6, 7, 8]


QUICK_MAPPING = """\
organisation: {name: Company, id: Ref, sector: Industry, assessed_on: Date, consultant: Consultant}
columns:
  Goals written?: {fact: purpose.goals_written, values: {"Yes": true, "No": false, "Not sure": null}}
  Personas: {fact: audience.personas}
  Platforms: {fact: platforms.active, split: ",", values: {LinkedIn: linkedin, TikTok: tiktok, None: null}}
  Measure: {fact: engagement.measurement}
"""


def test_a_row_read_the_quick_way_is_read_as_the_whole_row_checked(files, model):
    """`row_organisation` reads a row from its columns' answers checked once each; what it gives,
    organisation or error, is what checking the whole row as a document gives (`checked_row`),
    for good rows and for rows with a problem in any place, whatever rows came before."""
    from maturity import survey
    from maturity.survey import checked_row
    (files / "quick.yaml").write_text(QUICK_MAPPING, "utf-8")
    good = ["a1", "Acme", "Retail", "2026-11-02", "Sam", "Yes", "3", "LinkedIn, TikTok", "reach"]
    changes = [(0, ""), (0, "Acme 1"), (1, ""), (1, "Client name"), (1, "Ac\x07me"), (1, "A" * 4001),
               (2, ""), (2, "Re\x1btail"), (3, "2026-13-45"), (3, "YYYY-MM-DD"), (3, ""), (4, "Your name"),
               (5, "No"), (5, "Not sure"), (5, "maybe"), (5, " yes "), (6, "300"), (6, "-1"),
               (6, "2.5"), (6, "two"), (6, "1e400"), (6, ""), (6, "unknown"), (7, "LinkedIn"), (7, "None"),
               (7, "LinkedIn, LinkedIn"), (7, "Facebook"), (7, ""), (8, "hires"), (8, "reech"),
               (8, "dont-know"), (8, "not-applicable"), (8, "re\x00ach"), (8, "?")]
    rows = [good] + [good[:n] + [text] + good[n + 1:] for n, text in changes]
    rows += [good[:6], good[:3]]  # short rows: the missing cells are empty
    header = "Ref,Company,Industry,Date,Consultant,Goals written?,Personas,Platforms,Measure\n"
    import csv
    import io
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows * 2)  # the second time, from what is known
    (files / "q.csv").write_text(header + out.getvalue(), "utf-8")
    m = load_mapping(files / "quick.yaml", model)
    tasks = list(survey_tasks(files / "q.csv", m))
    assert len(tasks) == 2 * len(rows)

    def read(how, task):
        try:
            o = how(m, task)
            return (o.name, o.id, o.meta, o.source, o.facts, o.answers, o.pack,
                    [type(v) for v in o.facts.values()])
        except maturity.DataError as exc:
            return exc.format()
    quick = [read(row_organisation, t) for t in tasks]
    assert quick == [read(checked_row, t) for t in tasks]
    assert sum(isinstance(q, str) for q in quick) == 2 * 23  # the rows with a problem are error rows
    assert survey._quick_row(m, tasks[0]) is not None  # a good row is read the quick way
    first = row_organisation(m, tasks[0])
    again = row_organisation(m, tasks[len(rows)])
    assert first.facts["platforms.active"] is not again.facts["platforms.active"]  # a list each
