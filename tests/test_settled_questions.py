"""Questions not answered that cannot apply, given the answers (relevance.settled: no answer to
one can make any rule fire), are set apart from the questions still open: in the assessment's
JSON (`settled`, and the coverage's `not_needed`), the report data (`not_needed`), every
document format and the text, and the counts agree with what is listed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
import yaml

import maturity
from maturity import documents
from maturity.advice import coverage, not_answered, unanswered
from maturity.model import candidates
from maturity.relevance import could_change, settled
from maturity.reportdata import report_data

ROOT = Path(__file__).resolve().parent.parent
MODEL = maturity.load_pack()
REFRESH = "audience.months_since_refresh"
REFRESH_Q = MODEL.fact_by_id[REFRESH].question
LINE = "Not needed, given the answers (no answer to these could change this assessment): "
# A client who answered a few questions: no personas, no referral programme.
SPARSE = {"employer.size_band": "medium", "purpose.goals_written": False, "audience.personas": 0,
          "platforms.active": ["linkedin", "facebook"], "content.posts_per_week": 3,
          "engagement.referral_programme": False}


def assess(facts: dict) -> maturity.Assessment:
    return maturity.assess(MODEL, maturity.Organisation("Client", dict(facts), id="client"))


def docx_text(raw: bytes) -> str:
    d = docx.Document(io.BytesIO(raw))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_a_question_that_cannot_apply_is_settled_and_one_that_can_is_not():
    # No personas: when they were last refreshed can change nothing. Two personas: it can.
    found = {u["fact"]: u for u in unanswered(assess(SPARSE))}
    assert found[REFRESH]["settled"] is True and found[REFRESH]["could_change"] is False
    assert found["engagement.referrals_tracked"]["settled"] is True
    assert found["purpose.owner_named"]["settled"] is False
    some = {u["fact"]: u for u in unanswered(assess({**SPARSE, "audience.personas": 2}))}
    assert some[REFRESH]["settled"] is False
    # The single decision: what `dots interview --skip-settled` skips.
    org = maturity.Organisation("Client", dict(SPARSE))
    assert not could_change(MODEL, org, REFRESH)
    assert could_change(MODEL, maturity.Organisation("Client", {**SPARSE, "audience.personas": 2}), REFRESH)


def test_no_answer_to_a_settled_question_changes_the_assessment():
    # The oracle: every answer the pack's tests tell apart, tried on its own, changes no status,
    # stage, finding, advice or rule fired.
    for facts in (SPARSE, {"purpose.goals_written": False}, {"audience.personas": 0, "employer.size_band": "small"},
                  yaml.safe_load((ROOT / "examples" / "just-do-it.yaml").read_text("utf-8"))["facts"]):
        a = assess(facts)
        blank, needless = not_answered(a)
        assert needless, facts
        tests = {}
        for rule in MODEL.rules:
            for t in maturity.model.tests_in(rule.when):
                tests.setdefault(t.ref, []).append(t)
        for fact in blank:
            if fact.id not in needless:
                continue
            for value in candidates(fact, tests.get(fact.id, [])):
                if value is None:
                    continue
                b = assess({**facts, fact.id: value})
                assert b.fired == a.fired, (fact.id, value)
                assert [(e.status.id, e.done, e.disconnected) for e in b.elements] == \
                    [(e.status.id, e.done, e.disconnected) for e in a.elements]
                assert (b.stage.id, b.status_open, b.stage_open) == (a.stage.id, a.status_open, a.stage_open)
                assert [(x.advice.id, x.kind) for x in b.advice] == [(x.advice.id, x.kind) for x in a.advice]


def test_a_settled_question_is_neither_said_to_change_the_result_nor_asked_as_advice():
    for facts in (SPARSE, {}, {"purpose.goals_written": False, "audience.personas": 0},
                  {"engagement.referral_programme": False, "engagement.two_way": True}):
        a = assess(facts)
        asked = {f for x in a.advice for f in x.asks}
        for u in unanswered(a):
            if u["settled"]:
                assert not u["could_change"] and u["fact"] not in asked, u


def test_counts_agree_with_what_is_listed():
    dont_know = {"purpose.owner_named": maturity.organisation.Answer(None, "dont_know")}
    a = maturity.assess(MODEL, maturity.Organisation("Client", dict(SPARSE), answers=dont_know))
    c = coverage(a)
    r = report_data(a)
    assert c["unanswered"] == len(r["unanswered"]) + len(r["not_needed"])
    assert c["not_needed"] == len(r["not_needed"]) == 6
    assert c["answered"] + 1 + c["unanswered"] == c["total"]  # one "don't know"
    assert r["coverage"]["text"] == (f"6 of {c['total']} questions answered; 1 recorded as don't know "
                                     f"or not applicable; {len(r['unanswered'])} still open; 6 not "
                                     "needed, given the answers.")
    assert REFRESH not in [u["fact"] for u in r["unanswered"]]
    assert {"fact": REFRESH, "element": "audience", "question": REFRESH_Q,
            "element_label": "Defined Target Audience"} in r["not_needed"]


def test_every_format_sets_settled_questions_apart():
    a = assess(SPARSE)
    r = report_data(a)
    open_ = r["unanswered"][0]["question"]
    html = documents.render_document(r, "html").decode("utf-8")
    md = documents.render_document(r, "md").decode("utf-8")
    word = docx_text(documents.render_document(r, "docx"))
    for text in (html, md, word):
        section = text[text.index("Questions not answered"):]
        table, after = section.split("Not needed, given the answers", 1)
        assert open_ in table and REFRESH_Q not in table
        assert REFRESH_Q in after.split("\n")[0] or REFRESH_Q in after[:2000]
        assert r["coverage"]["text"] in text
    assert LINE + r["not_needed"][0]["question"] in md
    # The text of `dots assess` counts them, and never lists one among the questions to settle.
    text = maturity.assessment_text(a)
    assert "still open; 6 not needed, given the answers" in " ".join(text.split())
    assert REFRESH_Q not in text


def test_when_only_settled_questions_are_left_none_is_left_open():
    model = MODEL
    a = maturity.assess(model, maturity.load_organisation(ROOT / "examples" / "just-do-it.yaml", model))
    r = report_data(a)
    assert r["unanswered"] == [] and len(r["not_needed"]) == 3
    assert r["coverage"]["text"] == "36 of 39 questions answered; 3 not needed, given the answers."
    for fmt in ("html", "md"):
        text = documents.render_document(r, fmt).decode("utf-8")
        assert "No question is left open." in text and "Every question was answered" not in text
    word = docx_text(documents.render_document(r, "docx"))
    assert "No question is left open." in word and LINE in word
    complete = report_data(maturity.assess(model, maturity.load_organisation(ROOT / "examples" / "connected.yaml", model)))
    assert complete["not_needed"] == [] and complete["coverage"]["text"] == "39 of 39 questions answered."
    assert "Every question was answered." in documents.render_document(complete, "md").decode("utf-8")


def test_the_assessments_json_marks_settled_questions(tmp_path):
    from click.testing import CliRunner

    from maturity.cli.main import cli
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"organisation": {"name": "Client"}, "facts": SPARSE}), "utf-8")
    out = CliRunner().invoke(cli, ["assess", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    flagged = {u["fact"] for u in data["unanswered"] if u["settled"]}
    assert REFRESH in flagged and data["coverage"]["not_needed"] == len(flagged) == 6
    assert data["coverage"]["unanswered"] == len(data["unanswered"])


WAKE = """\
pack: {id: wake, label: Wake}
statuses:
  - {id: missing, label: Missing}
  - {id: started, label: Started, done: true}
elements:
  - {id: purpose, label: Purpose}
  - {id: audience, label: Audience}
edges:
  - {from: purpose, to: audience}
stages:
  - {id: one, label: One}
  - {id: two, label: Two}
facts:
  - {id: org.large, type: boolean, question: Is it large?}
  - {id: purpose.goals, element: purpose, type: boolean, question: Goals?}
  - {id: audience.personas, element: audience, type: integer, min: 0, question: How many personas?}
rules:
  - id: purpose.started
    because: goals
    when: {fact: purpose.goals, equals: true}
    then: {status: {purpose: started}}
  - id: audience.started
    because: a large organisation with personas
    when: {all: [{fact: org.large, equals: true}, {fact: audience.personas, gte: 1}]}
    then: {status: {audience: started}}
  - id: audience.none
    because: no audience work
    when: {status: audience, equals: missing}
    then: {findings: [{id: no-audience, severity: high, element: audience, message: No audience work}]}
"""


def test_a_question_that_makes_a_dot_not_answered_known_is_never_settled(tmp_path):
    # The only rule testing the personas cannot fire (not large), but any answer to it makes
    # Audience, not answered so far, known to the rules: at Missing, a finding follows.
    (tmp_path / "pack.yaml").write_text(WAKE, "utf-8")
    model = maturity.load_pack(str(tmp_path / "pack.yaml"))
    org = maturity.Organisation("A", {"org.large": False, "purpose.goals": True})
    before = maturity.assess(model, org)
    after = maturity.assess(model, maturity.Organisation("A", {**org.facts, "audience.personas": 0}))
    assert "audience" in before.unassessed and not before.findings
    assert [f.finding.id for f in after.findings] == ["no-audience"]
    assert could_change(model, org, "audience.personas")
    assert settled(model, org, ["audience.personas"]) == frozenset()
    # Once a question of Audience has an answer ("don't know"), the rule testing the personas
    # decides alone: no answer to them can make it fire.
    known = maturity.Organisation("A", dict(org.facts),
                                  answers={"audience.personas": maturity.organisation.Answer(None, "dont_know")})
    assert not could_change(model, known, "audience.personas")


@pytest.mark.parametrize("facts, needless", [(SPARSE, 6), ({**SPARSE, "audience.personas": 2}, 4), ({}, 0)])
def test_the_interview_counts_the_settled_questions_as_the_report_does(facts, needless):
    from maturity.interview import summary_lines
    a = assess(facts)
    assert len(report_data(a)["not_needed"]) == needless
    line = summary_lines(MODEL, a.organisation, a, maturity.next_dot(a), "dots report c.yaml")[0]
    unanswered_ = len(MODEL.facts) - len(facts)
    assert line.endswith(f"; {unanswered_} unanswered" + (f", {needless} of them not needed, given the answers"
                                                          if needless else ""))
