"""`dots report`, `dots compare` and `dots whatif` from the command line: what each writes, the
progress between the bundled broadcasting example and its next quarter, and bad input (one
line each, exit 1, nothing written)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

import maturity
from bundled import EXAMPLES, ROOT, invoke, rules_args

BEFORE, AFTER = "broadcasting", "broadcasting-next-quarter"


def copy(example: str, folder: Path) -> str:
    shutil.copy(ROOT / "examples" / f"{example}.yaml", folder / f"{example}.yaml")
    return f"{example}.yaml"


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def fails(result, message: str, hint: str | None = None) -> None:
    assert result.exit_code == 1, result.output
    expected = f"error: {message}\n" + (f"  hint: {hint}\n" if hint else "")
    assert result.stderr == expected
    assert result.stdout == ""


# dots report --------------------------------------------------------------------------------

@pytest.mark.parametrize("example", EXAMPLES)
def test_report_of_every_example_in_markdown_and_html(workdir, example):
    facts = copy(example, workdir)
    for suffix in ("md", "html"):
        result = invoke(["report", facts, "-o", f"r.{suffix}", *rules_args(example)])
        assert result.exit_code == 0, result.stderr
        assert result.stderr == f"wrote r.{suffix}\n"
    md = (workdir / "r.md").read_text("utf-8")
    html = (workdir / "r.html").read_text("utf-8")
    for heading in ("Summary", "Strengths", "Priorities", "The picture", "Scorecard", "Findings",
                    "The next dot", "Roadmap", "Questions not answered"):
        assert f"\n## {heading}\n" in md and f"<h2>{heading}</h2>" in html
    assert "[picture]: data:image/svg+xml;base64," in md and "<svg" in html


def test_report_markdown_matches_golden(workdir, golden):
    facts = copy(BEFORE, workdir)
    assert invoke(["report", facts, "-o", "r.md"]).exit_code == 0
    # Without the picture's SVG, which is Graphviz's (the DOT it is made from has goldens).
    text, link = (workdir / "r.md").read_text("utf-8").rsplit("\n[picture]: ", 1)
    assert link.startswith("data:image/svg+xml;base64,") and link.endswith("\n")
    golden(f"{BEFORE}.report.md", text + "\n")


def test_report_docx_and_pdf(workdir):
    facts = copy(BEFORE, workdir)
    for suffix, magic in (("docx", b"PK"), ("pdf", b"%PDF-")):
        result = invoke(["report", facts, "-o", f"r.{suffix}"])
        assert result.exit_code == 0, result.stderr
        assert (workdir / f"r.{suffix}").read_bytes().startswith(magic)


def test_no_appendix(workdir):
    facts = copy(BEFORE, workdir)
    assert invoke(["report", facts, "-o", "a.md"]).exit_code == 0
    assert invoke(["report", facts, "-o", "b.md", "--no-appendix"]).exit_code == 0
    assert "## Appendix" in (workdir / "a.md").read_text("utf-8")
    assert "## Appendix" not in (workdir / "b.md").read_text("utf-8")


def test_report_with_previous_shows_progress(workdir):
    before, after = copy(BEFORE, workdir), copy(AFTER, workdir)
    result = invoke(["report", after, "--previous", before, "-o", "r.md"])
    assert result.exit_code == 0, result.stderr
    md = (workdir / "r.md").read_text("utf-8")
    progress = md.split("## Progress since 2026-11-01\n\n", 1)[1].split("\n## ", 1)[0]
    assert progress.startswith("Still Broadcasting. Inside the stage, Purpose started to defined "
                               "(up 1 level, now connected); Defined Target Audience still "
                               "started (no longer disconnected);")
    assert "| Defined Target Audience | Started | Started | no longer disconnected |" in progress
    assert "| Engagement | Started | Started | no change |" in progress
    question = maturity.load_pack(None).fact_by_id["audience.months_since_refresh"].question
    assert f"Questions newly answered:\n\n- {question} **2**\n" in progress  # the answer set apart, not "?: 2"


def test_report_with_a_template_folder(workdir):
    facts = copy(BEFORE, workdir)
    (workdir / "brand").mkdir()
    (workdir / "brand" / "report.md.j2").write_text("{{ r.cover.client }}: {{ r.summary.stage.label }}\n", "utf-8")
    assert invoke(["report", facts, "-o", "r.md", "--template", "brand"]).exit_code == 0
    assert (workdir / "r.md").read_text("utf-8") == "Harbour Care Services: Broadcasting\n"


def test_report_bad_input_missing_template_folder(workdir):
    facts = copy(BEFORE, workdir)
    fails(invoke(["report", facts, "-o", "r.html", "--template", "nope"]),
          "nope: no such template folder",
          "give a folder holding report.html.j2, report.md.j2, style.css or reference.docx (any of them)")
    assert files(workdir) == [f"{BEFORE}.yaml"]


def test_report_bad_input_template_error(workdir):
    facts = copy(BEFORE, workdir)
    (workdir / "t").mkdir()
    (workdir / "t" / "report.html.j2").write_text("<p>\n{% if r.cover %}\n", "utf-8")
    result = invoke(["report", facts, "-o", "r.html", "--template", "t"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"error: {Path('t') / 'report.html.j2'}:")
    assert "template error: Unexpected end of template" in lines[0]
    assert lines[1].startswith("  hint: ")
    assert files(workdir) == [f"{BEFORE}.yaml", "t"]


def test_report_bad_input_unknown_suffix(workdir):
    facts = copy(BEFORE, workdir)
    fails(invoke(["report", facts, "-o", "r.odt"]), "r.odt: unknown report format '.odt'",
          "use one of: .html, .md, .docx, .pdf")
    assert files(workdir) == [f"{BEFORE}.yaml"]


@pytest.mark.parametrize("suffix", ["html", "pdf"])
def test_report_bad_input_unwritable_output(workdir, suffix):
    facts = copy(BEFORE, workdir)
    fails(invoke(["report", facts, "-o", f"no/such/r.{suffix}"]),
          f"no/such/r.{suffix}: the folder for the output does not exist", "create it first")
    (workdir / f"r.{suffix}").mkdir()
    fails(invoke(["report", facts, "-o", f"r.{suffix}"]), f"r.{suffix}: the output is a folder",
          "give a file name")
    assert files(workdir) == [f"{BEFORE}.yaml", f"r.{suffix}"]


def test_report_output_is_required(workdir):
    facts = copy(BEFORE, workdir)
    result = invoke(["report", facts])
    assert result.exit_code == 2 and "Missing option '-o' / '--output'" in result.stderr


def test_report_keeps_an_old_file_when_it_fails(workdir):
    facts = copy(BEFORE, workdir)
    (workdir / "r.md").write_text("old report", "utf-8")
    (workdir / "t").mkdir()
    (workdir / "t" / "report.md.j2").write_text("{{ r.nothing.here }}", "utf-8")
    assert invoke(["report", facts, "-o", "r.md", "--template", "t"]).exit_code == 1
    assert (workdir / "r.md").read_text("utf-8") == "old report"
    assert files(workdir) == [f"{BEFORE}.yaml", "r.md", "t"]


# dots compare -------------------------------------------------------------------------------

def test_compare_text_matches_golden(workdir, golden):
    before, after = copy(BEFORE, workdir), copy(AFTER, workdir)
    result = invoke(["compare", before, after])
    assert result.exit_code == 0, result.stderr
    golden(f"{AFTER}.compare.txt", result.stdout)


def test_compare_json_follows_its_schema_and_shows_movement_inside_the_stage(workdir):
    before, after = copy(BEFORE, workdir), copy(AFTER, workdir)
    result = invoke(["compare", before, after, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, json.loads(maturity.schema_text("compare")))
    rank = [s.id for s in maturity.load_pack(None).stages].index("broadcasting") + 1
    assert data["stage"] == {"from": {"id": "broadcasting", "label": "Broadcasting", "rank": rank},
                             "to": {"id": "broadcasting", "label": "Broadcasting", "rank": rank}, "change": 0,
                             "open": False}
    assert data["status_steps"] == 2
    assert data["dots"] == {"before": 0, "after": 1, "total": 6, "gained": ["purpose"], "lost": [],
                            "not_known": []}
    moves = {e["id"]: (e["from"], e["to"], e["movement"]) for e in data["elements"]}
    assert moves == {"purpose": ("started", "defined", "up"), "audience": ("started", "started", "changed"),
                     "brand": ("missing", "started", "up"), "content": ("started", "started", "same"),
                     "platforms": ("started", "started", "same"),
                     "engagement": ("started", "started", "same")}
    assert data["disconnected"] == {"resolved": ["audience"], "new": ["brand"]}
    assert len(data["findings"]["new"]) == 1 and data["findings"]["new"][0]["element"] == "brand"
    assert "audience" in [f["element"] for f in data["findings"]["resolved"]]
    assert [q["fact"] for q in data["newly_answered"]] == ["audience.months_since_refresh"]
    assert data["pack"]["changed"] is False
    # the reverse comparison loses what the forward one gained
    back = json.loads(invoke(["compare", after, before, "--format", "json"]).stdout)
    assert back["dots"]["lost"] == ["purpose"] and back["status_steps"] == -2
    assert {f["id"] for f in back["findings"]["new"]} == {f["id"] for f in data["findings"]["resolved"]}


def test_compare_says_when_a_dot_not_answered_before_is_answered_now(workdir):
    # Engagement had no answer before: "Not answered", not Missing. Answered "no" now, it is
    # at the same lowest level, not known to be more (its other questions are open), and the
    # movement says it is now answered, not "no change".
    (workdir / "q3.yaml").write_text("organisation: {name: Acme}\nfacts:\n  purpose.goals_written: true\n", "utf-8")
    (workdir / "q4.yaml").write_text("organisation: {name: Acme}\nfacts:\n  purpose.goals_written: true\n"
                                     "  engagement.two_way: false\n", "utf-8")
    data = json.loads(invoke(["compare", "q3.yaml", "q4.yaml", "--format", "json"]).stdout)
    row = next(e for e in data["elements"] if e["id"] == "engagement")
    assert (row["from_label"], row["to_label"], row["movement_text"]) == ("Not answered", "Not known", "now answered")
    # no level moved (there was none to move from), and the row did change
    assert (row["from"], row["to"], row["change"], row["movement"]) == ("missing", "missing", None, "changed")
    text = invoke(["compare", "q3.yaml", "q4.yaml"]).stdout
    assert "  Engagement                              Not answered    -> Not known        now answered\n" in text
    back = json.loads(invoke(["compare", "q4.yaml", "q3.yaml", "--format", "json"]).stdout)
    assert next(e for e in back["elements"] if e["id"] == "engagement")["movement_text"] == "no longer answered"


def test_compare_counts_no_level_moved_from_a_dot_not_answered(workdir):
    # Purpose not answered before, defined now: "now answered", not "up 2 levels" from a
    # Missing it never was; and Audience, optimised on Purpose then, was not known to be
    # connected: "connected (not known before)". Saved JSON says which dots' done is known.
    example = yaml.safe_load((ROOT / "examples" / "connected.yaml").read_text("utf-8"))
    before = {**example, "facts": {k: v for k, v in example["facts"].items() if not k.startswith("purpose.")}}
    (workdir / "q1.yaml").write_text(yaml.safe_dump(before), "utf-8")
    (workdir / "q2.yaml").write_text(yaml.safe_dump(example), "utf-8")
    saved = json.loads(invoke(["assess", "q1.yaml", "--format", "json"]).stdout)
    (workdir / "q1.json").write_text(json.dumps(saved), "utf-8")
    assert {e["id"]: e["done_known"] for e in saved["elements"]} == {
        "purpose": False, "audience": False, "brand": False, "content": False, "platforms": False,
        "engagement": True}
    for side in ("q1.yaml", "q1.json"):
        data = json.loads(invoke(["compare", side, "q2.yaml", "--format", "json"]).stdout)
        rows = {e["id"]: e for e in data["elements"]}
        assert (rows["purpose"]["change"], rows["purpose"]["movement"], rows["purpose"]["movement_text"]) == \
            (None, "changed", "now answered, now connected")
        assert rows["audience"]["movement_text"] == "connected (not known before)"
        assert data["status_steps"] == 0
    back = json.loads(invoke(["compare", "q2.yaml", "q1.yaml", "--format", "json"]).stdout)
    rows = {e["id"]: e for e in back["elements"]}
    assert rows["purpose"]["movement_text"] == "no longer answered"
    assert rows["audience"]["movement_text"] == "not known to be connected now"


def test_compare_does_not_call_resolved_what_rests_on_questions_not_answered_now(workdir):
    # Mid-size a quarter later with nothing asked about the brand, and just-do-it with five
    # engagement and content answers left blank: the findings and advice that went away went
    # only for want of answers ("Findings resolved: Candidates cannot apply from a phone" with
    # mobile apply not asked), the brand is not known lost, and the stage is down only as far
    # as the answers show.
    for name in ("mid-size", "just-do-it"):
        copy(name, workdir)
    example = yaml.safe_load((workdir / "mid-size.yaml").read_text("utf-8"))
    (workdir / "no-brand.yaml").write_text(yaml.safe_dump(
        {**example, "facts": {k: v for k, v in example["facts"].items() if not k.startswith("brand.")}}), "utf-8")
    data = json.loads(invoke(["compare", "mid-size.yaml", "no-brand.yaml", "--format", "json"]).stdout)
    jsonschema.validate(data, json.loads(maturity.schema_text("compare")))
    assert data["stage"]["change"] < 0 and data["stage"]["open"] is True
    assert data["dots"]["lost"] == [] and data["dots"]["not_known"] == ["brand"]
    assert data["findings"]["resolved"] == [] and data["advice_done"] == []
    assert data["advice_not_known"] and all(a["id"] for a in data["advice_not_known"])
    text = invoke(["compare", "mid-size.yaml", "no-brand.yaml"]).stdout
    assert "(down, as far as the answers now show)" in text
    assert "Dots lost" not in text and "Advice no longer given" not in text
    assert "Advice no longer shown, resting on questions not answered now" in text
    example = yaml.safe_load((workdir / "just-do-it.yaml").read_text("utf-8"))
    blank = ("engagement.two_way", "engagement.response_time_hours", "engagement.measurement",
             "platforms.mobile_apply", "content.formats")
    (workdir / "later.yaml").write_text(yaml.safe_dump(
        {**example, "facts": {k: v for k, v in example["facts"].items() if k not in blank}}), "utf-8")
    data = json.loads(invoke(["compare", "just-do-it.yaml", "later.yaml", "--format", "json"]).stdout)
    assert data["findings"]["resolved"] == []
    assert "Candidates cannot apply from a phone." in [f["message"] for f in data["findings"]["not_known"]]
    # answered now, and no longer a gap: resolved as before
    (workdir / "fixed.yaml").write_text(yaml.safe_dump(
        {**example, "facts": {**example["facts"], "platforms.mobile_apply": True}}), "utf-8")
    data = json.loads(invoke(["compare", "just-do-it.yaml", "fixed.yaml", "--format", "json"]).stdout)
    assert [f["message"] for f in data["findings"]["resolved"]] == ["Candidates cannot apply from a phone."]
    assert data["findings"]["not_known"] == []
    # the report's progress section says the same
    assert invoke(["report", "later.yaml", "--previous", "just-do-it.yaml", "-o", "r.md"]).exit_code == 0
    report = (workdir / "r.md").read_text("utf-8")
    assert "Findings no longer shown, resting on questions not answered now:" in report
    assert "Findings resolved" not in report


def test_compare_says_a_level_down_on_an_open_question_is_as_far_as_the_answers_show(workdir):
    # The connected example, then without its answer about platform research: Audience shows
    # Started, but the open answer could make it optimised again. "down 2 levels" alone said
    # the audience work was lost.
    copy("connected", workdir)
    example = yaml.safe_load((workdir / "connected.yaml").read_text("utf-8"))
    facts = {k: v for k, v in example["facts"].items() if k != "audience.platform_research"}
    (workdir / "later.yaml").write_text(yaml.safe_dump({**example, "facts": facts}), "utf-8")
    data = json.loads(invoke(["compare", "connected.yaml", "later.yaml", "--format", "json"]).stdout)
    rows = {e["id"]: e for e in data["elements"]}
    assert rows["audience"]["movement_text"] == ("down 2 levels as far as the answers now show, "
                                                 "not known to be connected now")
    assert data["dots"]["lost"] == [] and data["dots"]["not_known"] == ["audience", "brand", "content",
                                                                        "platforms"]
    # answered no, it is down: said plainly
    (workdir / "no.yaml").write_text(yaml.safe_dump(
        {**example, "facts": {**facts, "audience.platform_research": False}}), "utf-8")
    data = json.loads(invoke(["compare", "connected.yaml", "no.yaml", "--format", "json"]).stdout)
    assert {e["id"]: e for e in data["elements"]}["audience"]["movement_text"].startswith("down 2 levels, ")


def test_compare_with_a_saved_json_assessment(workdir):
    before, after = copy(BEFORE, workdir), copy(AFTER, workdir)
    assert invoke(["assess", before, "--format", "json", "-o", "q4.json"]).exit_code == 0
    data = json.loads(invoke(["compare", "q4.json", after, "--format", "json"]).stdout)
    assert data["status_steps"] == 2 and data["newly_answered"] is None
    assert data["previous"]["source"] == "q4.json"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(stage="x"), "expected a mapping, got 'x'"),
    (lambda d: d["elements"].__setitem__(0, {}), "'id' is missing"),
    (lambda d: d.update(organisation=None), "expected a mapping, got nothing"),
    (lambda d: d["elements"][0].update(done=None), "expected true or false, got nothing"),
    (lambda d: d["findings"].append({"id": 3, "severity": "low", "element": None, "message": "m"}),
     "expected text, got 3"),
])
def test_a_damaged_saved_assessment_is_a_located_error(workdir, change, message):
    # Each of these crashed compare and report --previous ("internal error: TypeError: string
    # indices must be integers", KeyError, AttributeError).
    before, after = copy(BEFORE, workdir), copy(AFTER, workdir)
    data = json.loads(invoke(["assess", before, "--format", "json"]).stdout)
    change(data)
    (workdir / "q4.json").write_text(json.dumps(data, indent=2), "utf-8")
    for args in (["compare", "q4.json", after], ["report", after, "--previous", "q4.json", "-o", "r.md"]):
        result = invoke(args)
        assert result.exit_code == 1, result.stderr
        first = result.stderr.splitlines()[0]
        assert re.match(r"error: q4\.json:\d+:\d+: ", first), first
        assert message in result.stderr, result.stderr
        assert "internal error" not in result.stderr
        assert "hint: " in result.stderr
    assert not (workdir / "r.md").exists()


@pytest.mark.parametrize("example", EXAMPLES)
def test_what_assess_saves_follows_the_assessment_schema(workdir, example):
    # the schema compare checks a saved assessment with (dots schema assessment)
    facts = copy(example, workdir)
    data = json.loads(invoke(["assess", facts, "--format", "json", *rules_args(example)]).stdout)
    jsonschema.validate(data, json.loads(maturity.schema_text("assessment")))


def test_compare_picture_marks_changed_dots(workdir):
    before, after = copy(BEFORE, workdir), copy(AFTER, workdir)
    result = invoke(["compare", before, after, "--picture", "moved.dot"])
    assert result.exit_code == 0, result.stderr
    dot = (workdir / "moved.dot").read_text("utf-8")
    assert dot.count('fontcolor="#b45f06"') == 3  # purpose, audience, brand
    assert "(Defined, was Started)" in dot and "changed since 2026-11-01: what it was" in dot


def _saved(workdir: Path, example: str, name: str, **pack) -> str:
    facts = copy(example, workdir)
    data = json.loads(invoke(["assess", facts, "--format", "json", *rules_args(example)]).stdout)
    data["pack"].update(pack)
    (workdir / name).write_text(json.dumps(data), "utf-8")
    return name


def test_compare_refuses_another_pack_version_unless_allowed(workdir):
    old = _saved(workdir, BEFORE, "old.json", version="0.9")
    after = copy(AFTER, workdir)
    fails(invoke(["compare", old, after]),
          f"old.json: assessed with pack 'default' version 0.9, but {after} with version 1.0",
          "pass --allow-pack-change to compare across pack versions")
    result = invoke(["compare", old, after, "--allow-pack-change", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["pack"]["changed"] is True


def test_compare_two_facts_files_for_different_packs(workdir):
    other = _saved(workdir, "talent-community-brightwell", "tc.json")
    after = copy(AFTER, workdir)
    for flags in ([], ["--allow-pack-change"]):
        fails(invoke(["compare", other, after, *flags]),
              f"tc.json: assessed with pack 'talent_community', but {after} with pack 'default'",
              "compare two assessments made with the same pack")
    assert not (workdir / "moved.svg").exists()


def test_compare_bad_json(workdir):
    (workdir / "bad.json").write_text('{"format": 1,\n  "stage": }', "utf-8")
    (workdir / "other.json").write_text('{"format": 1}', "utf-8")
    after = copy(AFTER, workdir)
    fails(invoke(["compare", "bad.json", after]), "bad.json:2:12: not valid JSON: Expecting value")
    fails(invoke(["compare", "other.json", after]),
          "other.json:1:1: not an assessment saved by `dots assess --format json`",
          "save one with: dots assess FACTS --format json -o FILE.json")


def test_compare_picture_needs_a_facts_file(workdir):
    before = copy(BEFORE, workdir)
    saved = _saved(workdir, AFTER, "now.json")
    fails(invoke(["compare", before, saved, "--picture", "p.svg"]),
          "now.json: the picture needs CURRENT as a facts file, not saved JSON",
          "give CURRENT's facts file, or leave out --picture")
    assert not (workdir / "p.svg").exists()


# dots whatif --------------------------------------------------------------------------------

def test_whatif_side_by_side(workdir, golden):
    facts = copy(BEFORE, workdir)
    before = (workdir / facts).read_bytes()
    result = invoke(["whatif", facts, "--set", "purpose.tied_to_hiring_plan=true",
                     "--set", "audience.personas=2", "--set", "audience.platform_research=true"])
    assert result.exit_code == 0, result.stderr
    golden(f"{BEFORE}.whatif.txt", result.stdout)
    assert (workdir / facts).read_bytes() == before  # the facts file is not changed


def test_whatif_json_matches_assessing_the_changed_file(workdir):
    facts = copy(BEFORE, workdir)
    result = invoke(["whatif", facts, "--set", "purpose.tied_to_hiring_plan=true", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["changes"] == [{"fact": "purpose.tied_to_hiring_plan", "before": "no", "after": "yes",
                                "before_label": "no", "after_label": "yes"}]
    text = (workdir / facts).read_text("utf-8").replace("purpose.tied_to_hiring_plan: false",
                                                        "purpose.tied_to_hiring_plan: true")
    (workdir / "changed.yaml").write_text(text, "utf-8")
    assessed = json.loads(invoke(["assess", "changed.yaml", "--format", "json"]).stdout)
    assert [e["after"] for e in data["elements"]] == [e["status"] for e in assessed["elements"]]
    assert data["after"]["next"] == (assessed["next"] or {}).get("id")
    assert data["before"]["next"] == "purpose" and data["after"]["next"] == "audience"


def test_whatif_unanswers_with_an_empty_value(workdir):
    facts = copy(BEFORE, workdir)
    data = json.loads(invoke(["whatif", facts, "--set", "purpose.goals_written=", "--format", "json"]).stdout)
    assert data["changes"] == [{"fact": "purpose.goals_written", "before": "yes", "after": "unanswered",
                                "before_label": "yes", "after_label": "unanswered"}]


@pytest.mark.parametrize("setting, message, hint", [
    ("purpose.goals_writen=true", "--set: unknown fact 'purpose.goals_writen'",
     "did you mean 'purpose.goals_written'?"),
    ("audience.personas=many", "--set: 'audience.personas' is a number, got 'many'",
     "write a number without quotes"),
    ("nothing", "--set: 'nothing' is not fact=value",
     "write --set FACT=VALUE, with a fact id from 'dots facts'"),
])
def test_whatif_bad_settings(workdir, setting, message, hint):
    facts = copy(BEFORE, workdir)
    fails(invoke(["whatif", facts, "--set", setting]), message, hint)


# dots render --layout -----------------------------------------------------------------------

@pytest.mark.parametrize("example", ["just-do-it", BEFORE, "enterprise"])
@pytest.mark.parametrize("layout", ["page", "slide"])
def test_render_layouts_match_golden(workdir, golden, example, layout):
    facts = copy(example, workdir)
    result = invoke(["render", facts, "-o", "p.dot", "--layout", layout, "--ladder"])
    assert result.exit_code == 0, result.stderr
    golden(f"{example}.{layout}.dot", (workdir / "p.dot").read_text("utf-8"))


def test_render_dpi_sets_the_png_size(workdir):
    facts = copy(BEFORE, workdir)
    widths = []
    for dpi in ("50", "100"):
        assert invoke(["render", facts, "-o", f"p{dpi}.png", "--layout", "page", "--dpi", dpi]).exit_code == 0
        widths.append(int.from_bytes((workdir / f"p{dpi}.png").read_bytes()[16:20], "big"))
    assert 1.8 < widths[1] / widths[0] < 2.2
    result = invoke(["render", facts, "-o", "p.png", "--dpi", "5"])
    assert result.exit_code == 2 and "5 is not in the range 36<=x<=1200" in result.stderr

