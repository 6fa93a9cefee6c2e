"""The client report: one data model (maturity.reportdata) rendered as HTML and Markdown from
Jinja2 templates, DOCX with python-docx and PDF with WeasyPrint; templates replaced from a
folder; template problems reported as one line each; reproducible documents."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from pathlib import Path

import pytest

import maturity
from maturity import documents
from maturity.advice import priorities
from maturity.reportdata import SECTIONS, report_data

ROOT = Path(__file__).resolve().parents[1]
HEADINGS = ["Summary", "Strengths", "Priorities", "The picture", "Scorecard", "Findings",
            "The next dot", "Roadmap", "More advice", "Questions not answered",
            "Appendix: the evidence behind each conclusion"]


def assessed(example: str) -> maturity.Assessment:
    model = maturity.load_pack(None)
    return maturity.assess(model, maturity.load_organisation(ROOT / "examples" / f"{example}.yaml", model))


@pytest.fixture(scope="module")
def broadcasting() -> maturity.Assessment:
    return assessed("broadcasting")


@pytest.fixture(scope="module")
def mid_size() -> maturity.Assessment:
    return assessed("mid-size")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# The data model ----------------------------------------------------------------------------

def test_data_has_every_section(broadcasting):
    r = report_data(broadcasting, picture_svg="<svg/>")
    assert [k for k in SECTIONS if k in r] == list(SECTIONS)
    assert r["cover"] == {"client": "Harbour Care Services", "id": "harbour-care",
                          "sector": "Health and social care", "size": "600 staff",
                          "date": "2026-11-01", "consultant": "Sam Jones",
                          "model": "Social recruitment marketing maturity", "pack": "default",
                          "pack_version": "1.0"}


def test_summary_is_true_of_the_organisation(broadcasting):
    s = report_data(broadcasting)["summary"]
    stage, stages = broadcasting.stage, broadcasting.model.stages
    assert stage.id == "broadcasting"
    assert s["text"] == (
        f"Harbour Care Services is at stage {stage.rank + 1} of {len(stages)}, Broadcasting: "
        f"{stage.description} 0 of 6 dots are connected so far. 4 dots are "
        "disconnected, started before their foundations: Defined Target Audience, Content / "
        "Messaging, Tools & Platforms, Engagement. The next dot to connect is Purpose.")
    assert [(x["label"], x["current"]) for x in s["ladder"]] == [
        (x.label, x.id == "broadcasting") for x in stages]


def test_scorecard_follows_the_order_to_connect_the_dots(mid_size):
    rows = report_data(mid_size)["scorecard"]
    # Purpose, audience and brand are done (first, in dependency order); then the roadmap.
    assert [(r["n"], r["id"], r["done"], r["next"]) for r in rows] == [
        (1, "purpose", True, False), (2, "audience", True, False), (3, "brand", True, False),
        (4, "content", False, True), (5, "platforms", False, False), (6, "engagement", False, False)]
    assert rows[4]["reason"] == "started before its foundations (Content / Messaging not done)"


def test_strengths_are_the_assessments(mid_size, broadcasting):
    strengths = report_data(mid_size)["strengths"]
    assert [s["element"] for s in strengths] == ["purpose", "audience", "brand"]
    assert strengths[0]["text"].startswith("Purpose is ") and strengths[0]["rule"].startswith("purpose.")
    assert report_data(broadcasting)["strengths"] == []


def test_sections_from_the_advice_work_are_used_when_present(broadcasting, monkeypatch):
    from maturity import reportdata
    real = reportdata.assessment_data

    def with_advice(a):
        return {**real(a), "strengths": [{"element": None, "text": "A named owner.", "rule": "r1"}],
                "priorities": [{"id": "p", "element": "purpose", "action": "Do it", "priority": "high",
                                "effort": "small", "timeframe": "now", "rule": "r2"}],
                "unanswered": [{"fact": "audience.months_since_refresh", "element": "audience",
                                "question": "When?", "could_change": True}]}
    monkeypatch.setattr(reportdata, "assessment_data", with_advice)
    r = report_data(broadcasting)
    assert r["strengths"] == [{"element": None, "text": "A named owner.", "rule": "r1",
                               "element_label": "General"}]
    assert r["priorities"][0]["effort"] == "small" and r["priorities"][0]["element_label"] == "Purpose"
    assert r["unanswered"][0]["could_change"] is True
    html = documents.render_template(r, "html")
    assert "A named owner." in html and "(high priority, small effort, start now)" in html and "could change the result" in html


def test_priorities_are_the_assessments(broadcasting):
    from maturity.advice import priorities
    shown = report_data(broadcasting)["priorities"]
    assert [p["id"] for p in shown] == [p.advice.id for p in priorities(broadcasting)]
    assert shown[0]["element"] == "purpose"  # the next dot's actions first


def test_unanswered_lists_the_facts_not_answered(broadcasting):
    # The one question not answered cannot apply (no answer to it could change anything, given
    # the answers): it is set apart, not listed as a question to answer.
    r = report_data(broadcasting)
    assert r["unanswered"] == []
    assert [u["fact"] for u in r["not_needed"]] == ["audience.months_since_refresh"]


def test_no_appendix(broadcasting):
    r = report_data(broadcasting, appendix=False)
    assert r["appendix"] is None
    html = documents.render_template(r, "html")
    assert 'id="appendix"' not in html and "Appendix" not in html
    assert "Appendix" not in documents.render_template(r, "md")


def test_appendix_names_rules_and_facts(broadcasting):
    ap = report_data(broadcasting)["appendix"]
    why = broadcasting.stage_evidence[0]
    questions = broadcasting.model.fact_by_id
    assert ap["conclusions"][0] == {
        "conclusion": "Stage: Broadcasting", "rule": why.rule, "because": why.because,
        "facts": [{"fact": k, "question": questions[k].question,
                   "answer": maturity.explain.answer(v, questions[k])} for k, v in why.facts]}
    # an answer by its labels: [Facebook, LinkedIn], not [facebook, linkedin]
    assert {"fact": "platforms.active", "question": questions["platforms.active"].question,
            "answer": "[Facebook, LinkedIn]"} in ap["conclusions"][0]["facts"]
    assert ap["rules_fired"] == len(broadcasting.fired)
    assert len(ap["answers"]) == len(broadcasting.organisation.facts)


def test_appendix_says_what_each_rule_concluded(mid_size):
    # Two rules set Purpose's status: the appendix gives each the level it sets, not Purpose's
    # status twice (purpose.started sets Started, below the Defined that purpose.defined sets).
    rows = {r["rule"]: r["conclusion"] for r in report_data(mid_size)["appendix"]["conclusions"]}
    assert rows["purpose.defined"] == "Purpose: Defined"
    assert rows["purpose.started"] == "Purpose: Started (below Defined, which another rule sets)"
    assert rows["content.started"] == "Content / Messaging: Started"


# HTML and Markdown -------------------------------------------------------------------------

def test_html_is_self_contained_with_every_section(broadcasting):
    svg = documents.inline_svg(maturity.render_bytes(broadcasting, "svg", layout="page"))
    html = documents.render_template(report_data(broadcasting, picture_svg=svg), "html")
    for section in ("cover", "summary", "strengths", "priorities", "picture", "scorecard",
                    "findings", "next", "roadmap", "unanswered", "appendix"):
        assert f'id="{section}"' in html
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in html
    assert "<svg" in html and "<?xml" not in html and "<!DOCTYPE svg" not in html
    # Nothing fetched: no scripts, links or sources pointing anywhere.
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "@page" in html and "size: A4" in html
    rank = broadcasting.stage.rank + 1
    assert f'class="here" aria-current="step">{rank}. Broadcasting' in html
    assert html.count('class="here"') == 1


def test_html_escapes_text_from_files(tmp_path):
    model = maturity.load_pack(None)
    org = maturity.Organisation("<b>Acme & Co</b>", {"purpose.goals_written": True})
    html = documents.render_template(report_data(maturity.assess(model, org)), "html")
    assert "<b>Acme" not in html and "&lt;b&gt;Acme &amp; Co&lt;/b&gt;" in html


def test_markdown_has_every_section_and_the_picture_inline(broadcasting):
    svg = documents.inline_svg(maturity.render_bytes(broadcasting, "svg", layout="page"))
    md = documents.render_template(report_data(broadcasting, picture_svg=svg), "md")
    for heading in HEADINGS:
        assert f"\n## {heading}\n" in md
    assert f"- Stage {broadcasting.stage.rank + 1}: **Broadcasting** (you are here)" in md
    link = re.search(r"^\[picture\]: data:image/svg\+xml;base64,(\S+)$", md, re.M)
    assert base64.b64decode(link.group(1)).decode("utf-8") == svg
    assert "\n\n\n\n" not in md
    table = md.split("## Scorecard\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert all(line.count("|") - line.count("\\|") == 7 for line in table)


def test_markdown_table_cells_escape_pipes():
    assert documents._cell("a | b\nc") == "a \\| b c"


def test_same_input_same_html_and_markdown(tmp_path):
    for suffix in ("html", "md"):
        first = documents.write_report(assessed("broadcasting"), tmp_path / f"a.{suffix}").read_bytes()
        second = documents.write_report(assessed("broadcasting"), tmp_path / f"b.{suffix}").read_bytes()
        assert first == second, suffix


# Templates ----------------------------------------------------------------------------------

def test_a_template_folder_replaces_files_one_by_one(broadcasting, tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "style.css").write_text("body { color: #123456; }", "utf-8")
    html = documents.write_report(broadcasting, tmp_path / "r.html", template_dir=folder).read_text("utf-8")
    assert "#123456" in html and "--accent" not in html   # our style.css, the built-in page
    assert 'id="scorecard"' in html
    (folder / "report.md.j2").write_text("# {{ r.cover.client }} for ACME Consulting\n", "utf-8")
    md = documents.write_report(broadcasting, tmp_path / "r.md", template_dir=folder).read_text("utf-8")
    assert md == "# Harbour Care Services for ACME Consulting\n"


def test_a_packs_templates_folder_is_used(tmp_path):
    import shutil
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "default", pack)
    (pack / "templates").mkdir()
    (pack / "templates" / "report.md.j2").write_text("pack {{ r.cover.pack }}\n", "utf-8")
    model = maturity.load_pack(pack)
    a = maturity.assess(model, maturity.load_organisation(ROOT / "examples" / "broadcasting.yaml", model))
    assert documents.write_report(a, tmp_path / "r.md").read_text("utf-8") == "pack default\n"


@pytest.mark.parametrize("text, line, message", [
    ("{% for x in r.scorecard %}\n{{ x.n }\n", 2, "template error: unexpected '}'"),
    ("line one\n{{ r.no_such_section.title }}\n", 2, "template error: 'dict object' has no attribute 'no_such_section'"),
])
def test_template_errors_name_file_and_line(broadcasting, tmp_path, text, line, message):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "report.md.j2").write_text(text, "utf-8")
    out = tmp_path / "r.md"
    with pytest.raises(maturity.DataError) as info:
        documents.write_report(broadcasting, out, template_dir=folder)
    [problem] = info.value.problems()
    assert (problem.file, problem.line) == (str(folder / "report.md.j2"), line)
    assert problem.message.startswith(message)
    assert len(info.value.format().splitlines()) == 2  # one line and its hint
    assert files_in(tmp_path) == ["t"]


def test_a_missing_included_template(broadcasting, tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "report.html.j2").write_text('{% include "header.html" %}', "utf-8")
    with pytest.raises(maturity.DataError) as info:
        documents.write_report(broadcasting, tmp_path / "r.html", template_dir=folder)
    assert info.value.format() == (f"error: {folder}: template 'header.html' not found in {folder} "
                                   "or the built-in templates\n"
                                   "  hint: check the name in the template's include or extends")
    assert files_in(tmp_path) == ["t"]


def test_a_missing_template_folder(broadcasting, tmp_path):
    with pytest.raises(maturity.OutputError) as info:
        documents.write_report(broadcasting, tmp_path / "r.html", template_dir=tmp_path / "nope")
    assert info.value.format().splitlines()[0] == f"error: {tmp_path / 'nope'}: no such template folder"
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("name, message", [("r.txt", "unknown report format '.txt'"),
                                           ("report", "the output has no suffix")])
def test_unknown_suffix(broadcasting, tmp_path, name, message):
    with pytest.raises(maturity.OutputError) as info:
        documents.write_report(broadcasting, tmp_path / name)
    assert info.value.format() == (f"error: {tmp_path / name}: {message}\n"
                                   "  hint: use one of: .html, .md, .docx, .pdf")
    assert files_in(tmp_path) == []


# DOCX and PDF ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docx_bytes(broadcasting, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("docx") / "r.docx"
    return documents.write_report(broadcasting, path).read_bytes()


def test_docx_has_headings_scorecard_table_and_picture(docx_bytes):
    import docx
    d = docx.Document(io.BytesIO(docx_bytes))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings == HEADINGS
    assert d.paragraphs[0].style.name == "Title" and d.paragraphs[0].text == "Harbour Care Services"
    scorecard = d.tables[0]
    assert [c.text for c in scorecard.rows[0].cells] == ["#", "Element", "Status", "Done", "Disconnected", "Reason"]
    assert [r.cells[1].text for r in scorecard.rows[1:]][:2] == ["Purpose (next)", "Defined Target Audience"]
    widths = [c.width for c in scorecard.columns]  # "#" narrow, "Reason" widest, in the grid too
    assert widths[0] == min(widths) and widths[-1] == max(widths) > 3 * widths[0]
    assert [c.width for c in scorecard.rows[1].cells] == widths
    assert len(d.inline_shapes) == 1
    assert any(n.startswith("word/media/") and n.endswith(".png")
               for n in zipfile.ZipFile(io.BytesIO(docx_bytes)).namelist())


def test_source_date_epoch_makes_docx_and_pdf_reproducible(broadcasting, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    for suffix in ("docx", "pdf"):
        first = documents.write_report(broadcasting, tmp_path / f"a.{suffix}").read_bytes()
        second = documents.write_report(broadcasting, tmp_path / f"b.{suffix}").read_bytes()
        assert first == second, suffix
    import docx
    props = docx.Document(str(tmp_path / "a.docx")).core_properties
    assert props.created.isoformat().startswith("2026-09-21T")
    assert props.modified == props.created
    info = pdfinfo(tmp_path / "a.pdf")
    assert info["CreationDate"].startswith("Mon Sep 21") and "2026" in info["CreationDate"]


def pdfinfo(path: Path) -> dict[str, str]:
    """The PDF's metadata and page size as poppler's pdfinfo reads it (make test installs it)."""
    import subprocess
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def test_pdf_is_a4_with_page_numbers(broadcasting, tmp_path):
    path = documents.write_report(broadcasting, tmp_path / "r.pdf")
    info = pdfinfo(path)
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert int(info["Pages"]) > 3
    assert info["Title"] == "Harbour Care Services: Social recruitment marketing maturity"
    import subprocess
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) == int(info["Pages"])
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page


def test_bad_source_date_epoch(broadcasting, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(maturity.OutputError) as info:
        documents.write_report(broadcasting, tmp_path / "r.docx")
    assert info.value.format().startswith("error: SOURCE_DATE_EPOCH is not a number of seconds")
    assert files_in(tmp_path) == []


PEERS = {"results": "r.sqlite", "pack": {"id": "default", "version": "1.0"}, "peers": 40,
         "segment": {"by": "sector", "value": "Retail"}, "min_group": 10, "suppressed": False,
         "stage": {"id": "broadcasting", "label": "Broadcasting"}, "stage_ahead_of_pct": 62.5,
         "stage_level_with_pct": 25.0, "stage_behind_pct": 12.5,
         "elements": [{"id": "purpose", "label": "Purpose", "status": "started", "status_label": "Started",
                       "peers": 40, "ahead_of_pct": 50.0, "level_with_pct": 30.0, "behind_pct": 20.0}]}


def test_peers_in_every_format(broadcasting, tmp_path):
    r = report_data(broadcasting, benchmark=PEERS)
    assert r["benchmark"]["text"] == ("Among 40 other organisations in sector Retail assessed with "
                                      "pack default 1.0, the stage Broadcasting is ahead of 62.5% of "
                                      "them, level with 25% and behind 12.5%.")
    html = documents.render_template(r, "html")
    assert 'id="benchmark"' in html and "<td>Purpose</td><td>Started</td><td>50%</td>" in html
    import docx
    d = docx.Document(io.BytesIO(documents.render_document(r, "docx")))
    assert "Against peers" in [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert [c.text for c in d.tables[-3].rows[1].cells] == ["Purpose", "Started", "50%", "30%", "20%"]
    few = report_data(broadcasting, benchmark={**PEERS, "peers": 3, "suppressed": True})["benchmark"]
    assert few == {"text": "Only 3 other organisations in the results were assessed with pack "
                           "default 1.0, fewer than 10: too few to compare with.", "rows": []}
    assert report_data(broadcasting)["benchmark"] is None


def test_rule_ids_appear_only_in_the_appendix_of_every_format(mid_size, tmp_path):
    """A client reads no rule id in the body of the report; the appendix names them."""
    r = report_data(mid_size, appendix=False)
    assert r["strengths"] and all(s["rule"] for s in r["strengths"])  # the data keeps them
    rules = set(mid_size.fired)
    import docx
    bodies = {fmt: documents.render_template(r, fmt) for fmt in ("html", "md")}
    path = tmp_path / "r.docx"
    documents.write_report(mid_size, path, appendix=False)
    bodies["docx"] = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    for fmt, body in bodies.items():
        assert "(rule " not in body, fmt
        assert not [x for x in rules if x in body], fmt


def test_now_phase_lists_its_quick_wins_in_every_format(tmp_path):
    """The roadmap's "Now" phase shows its quick wins (not a projected stage), and a dot whose
    actions all moved there points to them, in HTML, Markdown and DOCX alike."""
    import docx
    from maturity.schedule import plan
    a = assessed("just-do-it")
    phases = plan(a)
    wins = [x.action for x in phases[0].quick_wins]
    emptied = [s.result.element.label for p in phases[1:] for s in p.steps if not s.actions]
    assert wins and emptied
    r = report_data(a)
    assert [x["action"] for x in r["roadmap"][0]["actions"]] == wins
    # medium effort: no "quick wins" (they would be, had every one a small effort)
    assert r["roadmap"][0]["intro"] == "To start at once; effort medium"
    path = tmp_path / "r.docx"
    documents.write_report(a, path)
    bodies = {fmt: documents.render_template(r, fmt) for fmt in ("html", "md")}
    bodies["docx"] = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    for fmt, body in bodies.items():
        now = body[body.index(r["roadmap"][0]["intro"]):body.index("Phase 1")]
        assert all(w.replace("'", "&#39;" if fmt == "html" else "'") in now for w in wins), fmt
        assert "Then: stage" not in now, fmt
        assert body.count("Start with its quick wins under Now, above.") == len(emptied), fmt


def test_needs_are_worded_as_questions_with_the_answer_given(broadcasting):
    from maturity.explain import need_text
    nxt = report_data(broadcasting)["next"]
    assert nxt["needs"] and nxt["needs"] == [need_text(n) for n in
                                             maturity.assessment_data(broadcasting)["next"]["needs"]]
    assert all(" Needs " in n and "equals" not in n for n in nxt["needs"])


# Reports of large models -------------------------------------------------------------------

def generated(tmp_path_factory, n: int, groups: bool, seed: int = 1) -> maturity.Assessment:
    """An assessment with the generated model of `n` elements (bench/models.py)."""
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    import models
    folder = tmp_path_factory.mktemp(f"generated{n}")
    path = folder / "pack.yaml"
    path.write_text(models.dump(models.model(n, groups=groups)), "utf-8")
    model = maturity.load_pack(path)
    return maturity.assess(model, maturity.Organisation("Generated Ltd", models.organisation(n, seed)))


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> maturity.Assessment:
    return generated(tmp_path_factory, 200, groups=True)


@pytest.fixture(scope="module")
def large_flat(tmp_path_factory) -> maturity.Assessment:
    return generated(tmp_path_factory, 200, groups=False)


def test_scorecard_of_a_model_with_groups_is_by_group(large, broadcasting):
    r = report_data(large)
    groups = r["scorecard_groups"]
    model = large.model
    assert [g["id"] for g in groups] == [g.id for g in model.groups]
    for g in groups:
        members = set(model.members[g["id"]])
        assert {row["id"] for row in g["rows"]} == members
        # in the order to connect the dots, as the whole scorecard
        assert [row["n"] for row in g["rows"]] == sorted(row["n"] for row in g["rows"])
        done = sum(large.element(e).done for e in members)
        assert (g["done"], g["total"]) == (done, len(members))
        assert g["heading"] == f"{model.group_by_id[g['id']].label} ({done} of {len(members)} done)"
    assert sum(len(g["rows"]) for g in groups) == len(r["scorecard"]) == 200
    # without groups: one group of every row, with no heading (the templates draw one table)
    flat = report_data(broadcasting)
    assert [(g["heading"], g["rows"]) for g in flat["scorecard_groups"]] == [("", flat["scorecard"])]


def test_summary_of_a_large_model_counts_per_group(large, large_flat):
    r = report_data(large)
    text = r["summary"]["text"]
    done = [e for e in large.elements if e.done]
    assert len(done) > 10 and len(large.disconnected) > 10  # more than the summary names
    assert not any(f"{e.element.label}," in text for e in done)
    for g in large.model.groups:
        members = large.model.members[g.id]
        n = sum(large.element(e).done for e in members)
        assert (f"{g.label}: {n} of {len(members)}" in text) == (n > 0)
        d = sum(large.element(e).disconnected for e in members)
        assert (f"{g.label}: {d}," in text or f"{g.label}: {d})" in text) == (d > 0)
    assert f"{len(done)} of 200 dots are connected so far (" in text
    flat = report_data(large_flat)["summary"]["text"]
    assert sum(e.done for e in large_flat.elements) > 10
    assert f"{sum(e.done for e in large_flat.elements)} of 200 dots are connected so far." in flat
    assert "disconnected, started before their foundations; the scorecard marks them." in flat


def test_a_long_list_of_strengths_is_cut_with_a_count(large, tmp_path):
    from maturity.advice import strengths
    every = strengths(large)
    assert len(every) > 12
    r = report_data(large)
    assert [s["text"] for s in r["strengths"]] == [s.text for s in every[:12]]
    assert r["strengths_more"] == len(every) - 12
    line = f"And {len(every) - 12} more dots at a done level: the scorecard gives each one's reason."
    for suffix in ("html", "md"):
        text = documents.render_document(r, suffix).decode("utf-8")
        assert line in text
    assert line in documents.render_document(r, "docx").decode("latin-1") or \
        line in _docx_text(documents.render_document(r, "docx"))


def _docx_text(raw: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))


def test_documents_show_group_headings_over_the_scorecard(large):
    r = report_data(large)
    headings = [g["heading"] for g in r["scorecard_groups"]]
    html = documents.render_document(r, "html").decode("utf-8")
    md = documents.render_document(r, "md").decode("utf-8")
    docx = _docx_text(documents.render_document(r, "docx"))
    for heading in headings:
        assert f"<h3>{heading}</h3>" in html
        assert f"### {heading}\n" in md
        assert heading in docx
    assert html.count('<table class="scorecard">') == len(headings)


def test_which_picture_a_document_shows(large, large_flat, broadcasting, tmp_path_factory):
    from maturity.views import WHOLE_IN_DOCUMENTS, document_view
    assert document_view(broadcasting) == "whole"
    assert document_view(large) == "summary"
    assert document_view(large_flat) == "frontier"
    small = generated(tmp_path_factory, WHOLE_IN_DOCUMENTS, groups=True)
    assert document_view(small) == "whole"


def test_a_large_flat_model_with_nothing_left_shows_the_whole(tmp_path_factory):
    from maturity.views import document_view
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    import models
    every = {}
    for i in range(60):
        every.update({f"e{i:02d}.yes": True, f"e{i:02d}.n": 10, f"e{i:02d}.how": "all"})
    folder = tmp_path_factory.mktemp("done60")
    (folder / "pack.yaml").write_text(models.dump(models.model(60, groups=False)), "utf-8")
    model = maturity.load_pack(folder / "pack.yaml")
    a = maturity.assess(model, maturity.Organisation("Done Ltd", every))
    assert all(e.done for e in a.elements)
    assert document_view(a) == "whole"


def test_the_report_of_a_large_model_draws_the_view_it_names(large, large_flat, tmp_path):
    from maturity.render import render_bytes
    out = documents.write_report(large, tmp_path / "large.html")
    html = out.read_text("utf-8")
    summary = documents.inline_svg(render_bytes(large, "svg", summary=True, layout="page"))
    assert summary in html
    assert "The 5 groups of Generated Ltd&#39;s 200 dots" in html
    out = documents.write_report(large_flat, tmp_path / "flat.html")
    frontier = documents.inline_svg(render_bytes(large_flat, "svg", "frontier", layout="page"))
    assert frontier in out.read_text("utf-8")
    assert "The dots Generated Ltd could connect next" in out.read_text("utf-8")


def test_a_stage_no_rule_set_is_in_the_appendix_of_every_format(large):
    """The generated model sets no rule for its first stage: its conclusion has no rule id,
    which every format shows as an empty cell (the Word writer crashed on it)."""
    r = report_data(large)
    first = r["appendix"]["conclusions"][0]
    assert first["conclusion"] == "Stage: Level 0" and first["rule"] == ""
    assert "Stage: Level 0" in _docx_text(documents.render_document(r, "docx"))
    for fmt in ("html", "md"):
        text = documents.render_document(r, fmt).decode("utf-8")
        row = next(line for line in text.splitlines() if "Stage: Level 0" in line)
        assert "None" not in row


def test_a_finding_whose_rule_gives_no_reason_has_no_empty_why(large):
    # The generated model's rules have no `because:`: "Activity 2." and the answers, never
    # "Activity 2. Why: ." (a reason is still given where a rule has one: the goldens).
    r = report_data(large)
    bare = [f for f in r["findings"] if not f["because"]]
    assert bare
    html = documents.render_document(r, "html").decode("utf-8")
    md = documents.render_document(r, "md").decode("utf-8")
    docx = _docx_text(documents.render_document(r, "docx"))
    for text in (html, md, docx):
        assert "Why: ." not in text and "Why: <" not in text and "Why: \n" not in text
        assert "Why:" not in text.split("Findings", 1)[1].split("The next dot", 1)[0]
    f = bare[0]
    assert f"<p class=\"evidence\">{f['element_label']}.</p>" in html or \
        f"<p class=\"evidence\">{f['element_label']}. Answers:" in html


def test_no_priorities_while_dots_remain_says_so_truly():
    # The levels pack gives no advice: with dots left, the priorities must not say every dot is
    # connected (they did).
    model = maturity.load_pack("levels")
    a = maturity.assess(model, maturity.Organisation("Fenwick Foods", {"careers_site.state": "in_place"}))
    r = report_data(a)
    assert r["priorities"] == [] and r["next"] is not None
    said = "No advice of the model applies to these answers yet: the next dot, below, says where to go on."
    for text in (documents.render_document(r, "html").decode("utf-8"),
                 documents.render_document(r, "md").decode("utf-8"),
                 _docx_text(documents.render_document(r, "docx"))):
        assert said in text
        assert "every dot is connected already" not in text


def test_findings_of_a_model_with_groups_are_by_group(large, broadcasting, tmp_path):
    r = report_data(large)
    groups = r["findings_groups"]
    model = large.model
    # the generated model's "is missing" findings name no element: general, and only "info",
    # so after the groups whose findings are "medium" (most severe first)
    assert [g["id"] for g in groups] == [g.id for g in model.groups if any(
        f["element"] in model.members[g.id] for f in r["findings"])] + [None]
    assert {f["severity"] for g in groups[:-1] for f in g["findings"]} == {"medium"}
    assert groups[-1]["findings"] == [f for f in r["findings"] if f["element"] is None]
    for g in groups[:-1]:
        assert all(f["element"] in model.members[g["id"]] for f in g["findings"])
        assert g["heading"] == f"{g['label']} ({len(g['findings'])} findings)"
        # most severe first, as the whole list
        assert g["findings"] == [f for f in r["findings"] if f in g["findings"]]
    assert sum(len(g["findings"]) for g in groups) == len(r["findings"])
    flat = report_data(broadcasting)
    assert [(g["heading"], g["findings"]) for g in flat["findings_groups"]] == [("", flat["findings"])]
    html = documents.render_document(r, "html").decode("utf-8")
    md = documents.render_document(r, "md").decode("utf-8")
    docx = _docx_text(documents.render_document(r, "docx"))
    for g in groups:
        assert f"<h3>{g['heading']}</h3>" in html and f"### {g['heading']}\n" in md and g["heading"] in docx
    assert html.count("<h4><span class=\"sev-") == len(r["findings"])


def test_groups_of_findings_come_most_severe_first():
    model = maturity.load_pack("levels")
    a = maturity.assess(model, maturity.Organisation("Fenwick Foods", {"careers_site.state": "in_place"}))
    from maturity.reportdata import _findings_groups

    def finding(severity: str, element: str | None) -> dict:
        return {"id": f"{severity}-{element}", "severity": severity, "element": element,
                "element_label": "", "message": "", "rule": "r", "because": "", "facts": []}
    # groups by their most severe finding; on a tie, General, then the pack's order
    groups = _findings_groups(a, [finding("high", "analytics"), finding("medium", None),
                                  finding("medium", "careers_site"), finding("low", "job_ads")])
    assert [g["id"] for g in groups] == ["level3", None, "level1"]
    assert groups[1]["heading"] == "General (1 finding)"
    assert groups[2]["heading"] == "Level 1: Foundations (2 findings)"


def test_findings_under_groups_fall_back_to_heading_2_without_heading_3(large, tmp_path):
    # A reference document made in Word holds only the heading styles used in it.
    import docx
    reference = docx.Document()
    style = reference.styles["Heading 3"]._element
    style.getparent().remove(style)
    folder = tmp_path / "brand"
    folder.mkdir()
    reference.save(folder / "reference.docx")
    raw = documents.render_document(report_data(large), "docx", folder)
    made = docx.Document(io.BytesIO(raw))
    first = report_data(large)["findings"][0]
    said = [p for p in made.paragraphs if p.text == f"[{first['severity']}] {first['message']}"]
    assert [p.style.name for p in said] == ["Heading 2"]
    default = docx.Document(io.BytesIO(documents.render_document(report_data(large), "docx")))
    said = [p for p in default.paragraphs if p.text == f"[{first['severity']}] {first['message']}"]
    assert [p.style.name for p in said] == ["Heading 3"]


def test_every_piece_of_advice_is_in_the_report_without_its_appendix():
    # mid-size's advice on dots connected already (review the goals, ground the personas, start
    # advocacy) is in neither the priorities nor the roadmap: without "More advice" it was only
    # in the appendix, and `--no-appendix` dropped it.
    a = assessed("mid-size")
    r = report_data(a, appendix=False)
    shown = {x["action"] for x in r["priorities"]} | {
        x["action"] for p in r["roadmap"] for x in [*p["actions"], *(y for s in p["elements"] for y in s["actions"])]}
    more = [x["action"] for g in r["more_advice"] for x in g["actions"]]
    assert {x.action for x in a.advice} == shown | set(more) and not shown & set(more)
    assert [g["element_label"] for g in r["more_advice"]] == [
        "Purpose", "Defined Target Audience", "Employment Brand & Workforce Marketing"]
    assert r["more_advice"][0]["actions"][0]["when"] == "small effort, this quarter"
    for fmt in ("html", "md"):
        body = documents.render_template(r, fmt).replace("&#39;", "'")
        assert all(x in body for x in more), fmt


def test_priorities_say_priority_effort_and_timeframe_in_words_in_every_format():
    # the report's priorities showed the ids "(medium, quarter)", where the text says them
    a = assessed("mid-size")
    r = report_data(a)
    first = r["priorities"][0]
    assert first["when"] == "high priority, medium effort, this quarter"
    assert [p["when"].split(", ")[0] for p in r["priorities"]] == [
        f"{x.advice.priority} priority" for x in priorities(a)]
    for fmt in ("html", "md"):
        body = documents.render_template(r, fmt).replace("&#39;", "'")
        assert f"({first['when']})" in body and "(medium, quarter)" not in body, fmt
    text = _docx_text(documents.render_document(r, "docx"))
    assert f"{first['action']} ({first['when']})" in text


def test_the_appendix_has_a_row_for_every_rule_that_fired():
    # A rule setting a stage below the one reached fired too ("34 rules fired" over 32 rows).
    a = assessed("broadcasting")
    rows = report_data(a)["appendix"]["conclusions"]
    assert {row["rule"] for row in rows} == set(a.fired)
    assert {"conclusion": "Stage: Just do it (below Broadcasting, which another rule sets)",
            "rule": "stage.just_do_it_posts", "because": "Recruitment posts go out every week.",
            "facts": [{"fact": "content.posts_per_week", "answer": "3",
                       "question": a.model.fact_by_id["content.posts_per_week"].question}]} in rows


# Layout of the documents ---------------------------------------------------------------------

def test_ids_in_the_html_break_only_after_a_dot_or_underscore(broadcasting):
    html = documents.render_document(report_data(broadcasting), "html").decode("utf-8")
    assert "<code>stage.<wbr>broadcasting_<wbr>goals</code>" in html
    assert "<code>purpose.<wbr>goals_<wbr>written</code>" in html
    assert "overflow-wrap: anywhere" not in html  # which cut "stage.bro/adcasting/_goals"
    assert str(documents._wbr("a<b>.c")) == "a&lt;b&gt;.<wbr>c"  # escaped first


def test_every_html_table_can_scroll_sideways_on_a_phone(broadcasting):
    """On a narrow screen a table scrolls in its wrapper rather than cutting words
    ("St/at/us", "Mi/ssi/ng"): every table is in one."""
    html = documents.render_document(report_data(broadcasting), "html").decode("utf-8")
    assert html.count("<table") == len(re.findall(r'<div class="table-wrap[^"]*"><table', html)) >= 3
    narrow = html[html.index("@media screen and (max-width: 40rem)"):]
    narrow = narrow[:narrow.index("\n}")]
    assert ".table-wrap { overflow-x: auto; }" in narrow and "anywhere" not in narrow


def test_a_short_table_starts_on_the_page_of_its_heading(broadcasting, tmp_path):
    """The scorecard once began at the foot of page 3 with its header and one row."""
    html = documents.render_document(report_data(broadcasting), "html").decode("utf-8")
    assert '<div class="table-wrap keep"><table class="scorecard">' in html
    path = documents.write_report(broadcasting, tmp_path / "r.pdf")
    import subprocess
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    (page,) = [p for p in pages if any(line.strip() == "Scorecard" for line in p.splitlines())]
    assert "Disconnected" in page and "no rule found evidence" in page  # row 3 with the header


def test_a_long_table_may_split(large):
    """A table of more than 12 rows is not kept whole: a group of 40 dots splits across pages
    (its first rows stay with its header)."""
    html = documents.render_document(report_data(large), "html").decode("utf-8")
    assert '<div class="table-wrap"><table class="scorecard">' in html
    assert "tbody tr:nth-child(-n+3) { break-before: avoid;" in html


def _within(d, section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def test_docx_is_a4_and_everything_fits_between_its_margins(docx_bytes):
    """Once US Letter with 6.0" between the margins, and every table and the picture 16 cm
    (6.3") wide: past the right margin. Now the PDF's page: A4, 16 mm sides."""
    import docx
    from docx.shared import Cm
    d = docx.Document(io.BytesIO(docx_bytes))
    (section,) = d.sections
    assert (round(section.page_width.cm, 2), round(section.page_height.cm, 2)) == (21.0, 29.7)
    assert (round(section.left_margin.cm, 2), round(section.right_margin.cm, 2)) == (1.6, 1.6)
    width = _within(d, section)
    assert d.tables
    for table in d.tables:
        assert width - Cm(0.01) <= sum(c.width for c in table.columns) <= width
    (picture,) = d.inline_shapes
    assert Cm(12) < picture.width <= width
    assert picture.height <= section.page_height - section.top_margin - section.bottom_margin


def test_docx_with_a_reference_keeps_its_page_and_fits_it(broadcasting, tmp_path):
    import docx
    from docx.shared import Inches
    reference = docx.Document()  # US Letter, 1.25" sides: 6.0" between the margins
    assert reference.sections[0].left_margin == Inches(1.25)
    (tmp_path / "brand").mkdir()
    reference.save(tmp_path / "brand" / "reference.docx")
    path = documents.write_report(broadcasting, tmp_path / "r.docx", template_dir=tmp_path / "brand")
    d = docx.Document(str(path))
    section = d.sections[0]
    assert section.page_width == Inches(8.5) and section.left_margin == Inches(1.25)
    for table in d.tables:
        assert sum(c.width for c in table.columns) <= Inches(6)
    assert d.inline_shapes[0].width <= Inches(6)


@pytest.mark.parametrize("layout", ["slide", "wide"])
def test_a_slide_or_wide_picture_gets_a_landscape_page(broadcasting, tmp_path, layout):
    """Across a portrait page, a slide picture's text was about 5 pt and a wide one a thin strip
    (16 x 2.3 cm in the DOCX): each now has an A4 landscape page of its own."""
    import subprocess

    import docx
    from docx.enum.section import WD_ORIENT
    d = docx.Document(str(documents.write_report(broadcasting, tmp_path / "r.docx", layout=layout)))
    portrait, turned, back = d.sections
    assert turned.orientation == WD_ORIENT.LANDSCAPE and turned.page_width > turned.page_height
    assert back.orientation == portrait.orientation == WD_ORIENT.PORTRAIT
    assert back.page_width == portrait.page_width
    (picture,) = d.inline_shapes
    assert _within(d, portrait) < picture.width <= _within(d, turned) or layout == "slide"
    assert picture.width > 0.85 * _within(d, turned)
    assert picture.height < turned.page_height - turned.top_margin - turned.bottom_margin
    html = documents.render_document(report_data(broadcasting, picture_layout=layout), "html").decode()
    assert '<section id="picture" class="landscape">' in html
    pdf = documents.write_report(broadcasting, tmp_path / "r.pdf", layout=layout)
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = out.split("\f")[:-1]
    (n,) = [n for n, p in enumerate(pages, 1) if any(line.strip() == "The picture" for line in p.splitlines())]
    sizes = [v.strip() for k, _, v in (line.partition(":") for line in subprocess.run(
        ["pdfinfo", "-l", "99", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines())
        if k.startswith("Page") and "size" in k]
    assert sizes[n - 1] == "841.89 x 595.276 pts (A4)"  # the picture's page, turned
    assert [s for s in sizes if s.startswith("841.89")] == [sizes[n - 1]]  # and only it
    assert "Scorecard" not in pages[n - 1]
