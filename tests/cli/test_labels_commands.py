"""Choice answers by their labels in what people read from the commands (assess, next, report,
compare, whatif, interview, questionnaires), by their ids in what machines read (JSON, facts
files); a pack with bad labels stops every command with one line per problem; the same input
gives the same bytes. The pack format itself: tests/test_labels.py."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import yaml

from bundled import invoke
from conftest import TINY_PACK_TEXT
from maturity.schema import schema_text

LABELLED = TINY_PACK_TEXT.replace(
    "values: [linkedin, facebook, tiktok]}",
    "values: [linkedin, facebook, tiktok], labels: {linkedin: LinkedIn, tiktok: TikTok}}").replace(
    "values: [none, reach, hires]}",
    "values: [none, reach, hires], labels: {none: Not measured, reach: Reach, hires: Hires from social}}")

THEN = """\
pack: lab
organisation: {name: Acme, assessed_on: "2026-01-01"}
facts:
  purpose.goals_written: true
  audience.personas: 3
  platforms.channels: {answer: [linkedin, facebook], note: From the company pages}
"""
NOW = THEN.replace("2026-01-01", "2026-04-01") + "  platforms.measure: none\n"


@pytest.fixture
def lab(workdir: Path) -> Path:
    """A labelled tiny pack in ./lab (facebook has no label) and two facts files for it."""
    (workdir / "lab").mkdir()
    (workdir / "lab" / "pack.yaml").write_text(LABELLED, "utf-8")
    (workdir / "then.yaml").write_text(THEN, "utf-8")
    (workdir / "now.yaml").write_text(NOW, "utf-8")
    return workdir


def ok(result):
    assert result.exit_code == 0, result.output
    return result


STILL_MISSING = ("  still missing:\n"
                 "    - platforms.measure Needs other than Not measured (now: Not measured); or instead:\n"
                 "      no answer\n")


def test_next_assess_and_roadmap_name_each_answer_by_its_label(lab):
    assert STILL_MISSING in ok(invoke(["next", "now.yaml"])).stdout
    assert STILL_MISSING in ok(invoke(["assess", "now.yaml"])).stdout
    # a value without a label (facebook) is shown as its id
    assert ("    still missing:\n"
            "      - platforms.measure Needs one of [Reach, Hires from social] (now: Not measured); or\n"
            "        instead: platforms.channels includes TikTok\n"
            "    facts: platforms.channels = [LinkedIn, facebook]\n"
            "             note: From the company pages\n") in ok(invoke(["roadmap", "now.yaml"])).stdout


def test_json_keeps_the_ids(lab):
    for command in ("assess", "next", "roadmap"):
        text = ok(invoke([command, "now.yaml", "--format", "json"])).stdout
        for label in ("LinkedIn", "TikTok", "Not measured", "Hires from social"):
            assert label not in text, (command, label)
    data = json.loads(ok(invoke(["assess", "now.yaml", "--format", "json"])).stdout)
    assert data["answers"]["platforms.channels"]["value"] == ["linkedin", "facebook"]
    assert [(n["expected"], n["actual"]) for n in data["next"]["needs"]] == [("none", "none")]
    roadmap = json.loads(ok(invoke(["roadmap", "now.yaml", "--format", "json"])).stdout)
    platforms = roadmap["phases"][1]["elements"][0]
    assert platforms["evidence"][0]["facts"] == {"platforms.channels": ["linkedin", "facebook"]}
    assert platforms["needs"][0]["or"][0]["expected"] == "tiktok"


def test_the_report_shows_labels_in_markdown_and_html(lab):
    ok(invoke(["report", "now.yaml", "-o", "r.md"]))
    ok(invoke(["report", "now.yaml", "-o", "r.html"]))
    md, html = Path("r.md").read_text("utf-8"), Path("r.html").read_text("utf-8")
    assert "| `platforms.measure` |  | Not measured |\n" in md
    assert "| `platforms.channels` |  | [LinkedIn, facebook] (From the company pages) |\n" in md
    assert "- platforms.measure Needs other than Not measured (now: Not measured); or instead: no answer\n" in md
    assert "<td>Not measured</td>" in html and "<td>[LinkedIn, facebook]<br>" in html


def test_compare_words_newly_answered_questions_by_label_and_keeps_the_id_in_json(lab):
    text = ok(invoke(["compare", "then.yaml", "now.yaml"])).stdout
    assert text.endswith("Questions newly answered\n  - platforms.measure = Not measured\n")
    data = json.loads(ok(invoke(["compare", "then.yaml", "now.yaml", "--format", "json"])).stdout)
    assert data["newly_answered"] == [{"fact": "platforms.measure", "question": "", "answer": "none",
                                       "answer_label": "Not measured"}]
    jsonschema.validate(data, json.loads(schema_text("compare")))
    ok(invoke(["report", "now.yaml", "--previous", "then.yaml", "-o", "r.md"]))
    assert "\n- platforms.measure **Not measured**\n" in Path("r.md").read_text("utf-8")


def test_whatif_words_the_changes_by_label_and_keeps_the_ids_in_json(lab):
    text = ok(invoke(["whatif", "now.yaml", "--set", "platforms.measure=hires",
                      "--set", "platforms.channels=[tiktok, facebook]"])).stdout
    assert text.startswith("Acme: what if\n"
                           "  platforms.channels: [LinkedIn, facebook] -> [TikTok, facebook]\n"
                           "  platforms.measure: Not measured -> Hires from social\n")
    data = json.loads(ok(invoke(["whatif", "now.yaml", "--set", "platforms.measure=hires",
                                 "--format", "json"])).stdout)
    assert data["changes"] == [{"fact": "platforms.measure", "before": "none", "after": "hires",
                                "before_label": "Not measured", "after_label": "Hires from social"}]


def test_a_pack_with_bad_labels_stops_a_command_with_one_line_each(lab):
    bad = LABELLED.replace("labels: {linkedin: LinkedIn,", "labels: {linkdin: LinkedIn,")
    Path("lab/pack.yaml").write_text(bad, "utf-8")
    line = next(n for n, l in enumerate(bad.splitlines(), 1) if "linkdin" in l)
    column = bad.splitlines()[line - 1].index("linkdin") + 1
    message = (f"error: lab/pack.yaml:{line}:{column}: a label for 'linkdin', which is not a value of "
               "'platforms.channels'\n  hint: did you mean 'linkedin'?\n")
    for command in (["assess", "now.yaml"], ["report", "now.yaml", "-o", "r.md"]):
        result = invoke(command)
        assert (result.exit_code, result.stderr, result.stdout) == (1, message, ""), command
    assert not Path("r.md").exists()
    result = invoke(["rules", "check", "lab"])  # its report goes to standard output
    assert (result.exit_code, result.stdout) == (1, message + "pack lab: 1 error, 0 warnings\n")


def test_the_interview_offers_labels_and_stores_ids(lab):
    from click.testing import CliRunner

    from maturity.cli.main import cli
    lines = ["Acme", "", "yes", "3", "TikTok, linkedin", "hires from social"]
    result = CliRunner().invoke(cli, ["interview", "c.yaml", "--rules", "lab"],
                                input="".join(l + "\n" for l in lines))
    assert result.exit_code == 0, result.output
    assert "    1 LinkedIn  2 facebook  3 TikTok\n" in result.stdout
    assert "    1 Not measured  2 Reach  3 Hires from social\n" in result.stdout
    facts = yaml.safe_load(Path("c.yaml").read_text("utf-8"))["facts"]
    assert (facts["platforms.channels"], facts["platforms.measure"]) == (["tiktok", "linkedin"], "hires")


def test_a_yaml_template_says_what_each_id_is_shown_as(lab):
    text = ok(invoke(["facts", "--template", "--rules", "lab"])).stdout
    assert ("  #   answer: a list of any of linkedin, facebook, tiktok, e.g. [linkedin]\n"
            "  #   shown as: LinkedIn, facebook, TikTok\n"
            "  platforms.channels:\n") in text


def _csv_rows(path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(Path(path).read_text("utf-8"))))


def test_a_questionnaire_filled_in_with_labels_is_read_as_the_ids(lab):
    ok(invoke(["facts", "--template", "--rules", "lab", "-o", "c.csv"]))
    rows = _csv_rows("c.csv")
    answers = {"organisation.name": "Acme", "pack": "lab", "purpose.goals_written": "yes",
               "audience.personas": "3", "platforms.channels": "linkedin, FACEBOOK",
               "platforms.measure": "Not Measured"}
    for row in rows:
        if row[0] in answers:
            row[2] = answers[row[0]]
    measure = next(r for r in rows if r[0] == "platforms.measure")
    assert measure[5] == "Answer one of: Not measured, Reach, Hires from social; or dont-know, or not-applicable."
    with open("c.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    Path("c.yaml").write_text(NOW.replace("{answer: [linkedin, facebook], note: From the company pages}",
                                          "[linkedin, facebook]"), "utf-8")
    from_table = json.loads(ok(invoke(["assess", "c.csv", "--format", "json"])).stdout)
    from_yaml = json.loads(ok(invoke(["assess", "c.yaml", "--format", "json"])).stdout)
    assert from_table["elements"] == from_yaml["elements"]
    assert from_table["findings"] == from_yaml["findings"]
    # a typo names the labels in its hint, at its row and column
    measure[2] = "Not mesured"
    with open("c.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    result = invoke(["assess", "c.csv"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: c.csv:{rows.index(measure) + 1}:3: 'Not mesured' is not an allowed "
                             "answer to 'platforms.measure'\n  hint: did you mean 'Not measured'?\n")


def test_workbook_drop_downs_list_the_labels_on_a_hidden_sheet_when_a_label_has_a_comma(lab):
    ok(invoke(["facts", "--template", "--rules", "lab", "-o", "c.xlsx"]))
    wb = openpyxl.load_workbook("c.xlsx")
    formulas = sorted(dv.formula1 for dv in wb["Facts"].data_validations.dataValidation)
    assert formulas == ['"Not measured,Reach,Hires from social,dont-know,not-applicable"',
                        '"yes,no,dont-know,not-applicable"']
    assert wb.sheetnames == ["Facts"]
    Path("lab/pack.yaml").write_text(LABELLED.replace("hires: Hires from social", "hires: 'Hires, from social'"),
                                     "utf-8")
    ok(invoke(["facts", "--template", "--rules", "lab", "-o", "d.xlsx"]))
    wb = openpyxl.load_workbook("d.xlsx")
    assert wb.sheetnames == ["Facts", "Lists"] and wb["Lists"].sheet_state == "hidden"
    formulas = sorted(dv.formula1 for dv in wb["Facts"].data_validations.dataValidation)
    assert formulas == ['"yes,no,dont-know,not-applicable"', "Lists!$A$1:$A$5"]
    assert [c.value for c in wb["Lists"]["A"]] == ["Not measured", "Reach", "Hires, from social",
                                                   "dont-know", "not-applicable"]
    # the same bytes every time
    ok(invoke(["facts", "--template", "--rules", "lab", "-o", "e.xlsx"]))
    assert Path("d.xlsx").read_bytes() == Path("e.xlsx").read_bytes()


def test_the_same_input_gives_the_same_bytes_whatever_the_order_of_the_labels(lab):
    outputs = []
    for text in (LABELLED, LABELLED.replace("{none: Not measured, reach: Reach, hires: Hires from social}",
                                            "{hires: Hires from social, none: Not measured, reach: Reach}")):
        Path("lab/pack.yaml").write_text(text, "utf-8")
        ok(invoke(["report", "now.yaml", "-o", "r.md"]))
        outputs.append((ok(invoke(["assess", "now.yaml"])).stdout, ok(invoke(["roadmap", "now.yaml"])).stdout,
                        Path("r.md").read_bytes()))
    assert outputs[0] == outputs[1]
