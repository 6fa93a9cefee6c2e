"""A status that questions not answered yet could raise is a floor, and said to be one: "Started
or more", or "Not known" at the lowest level (Assessment.status_open, explain.shown_status)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import maturity
from maturity.compare import compare, load_side, side_of
from maturity.documents import render_document
from maturity.explain import shown_status, status_known
from maturity.recommend import next_dot
from maturity.render import to_dot
from maturity.report import assessment_data, assessment_text
from maturity.reportdata import report_data

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str):
    return maturity.load_facts(EXAMPLES / f"{name}.yaml")


def assess(model, facts: dict) -> maturity.Assessment:
    return maturity.assess(model, maturity.Organisation("Acme", facts))


def without(name: str, fact_id: str) -> maturity.Assessment:
    model, org = example(name)
    return assess(model, {f: v for f, v in org.facts.items() if f != fact_id})


def test_a_status_a_blank_answer_could_raise_reads_or_more():
    # The connected example without its answer about platform research: Audience is started on
    # the answers there are, and the rule that would make it optimised asks that question.
    a = without("connected", "audience.platform_research")
    assert a.status_open == frozenset({"audience"}) and a.done_open <= a.status_open
    audience = a.element("audience")
    assert shown_status(a, audience) == "Started or more" and not status_known(a, audience)
    text = assessment_text(a)
    assert "Defined Target Audience                 Started or more  NEXT" in text
    assert "'or more': questions not answered yet could show a higher status." in text
    assert "'Not known'" not in text
    assert next_dot(a).result is audience
    elements = {e["id"]: e for e in assessment_data(a)["elements"]}
    assert elements["audience"]["status_label"] == "Started or more"
    assert [e for e, x in elements.items() if not x["status_known"]] == ["audience"]
    assert "Started or more" in to_dot(a)


def test_a_status_every_answer_shows_is_said_as_it_is():
    model, org = example("connected")
    a = maturity.assess(model, org)
    assert a.status_open == frozenset()
    assert all(e["status_known"] for e in assessment_data(a)["elements"])
    assert "or more" not in assessment_text(a) and "or more" not in to_dot(a)
    assert report_data(a)["scorecard_note"] == ""


def test_answers_that_rule_a_level_out_leave_the_status_known():
    # Answered "no", platform research rules out the level it is asked for: Audience is started,
    # and nothing more is open about it.
    model, org = example("connected")
    a = assess(model, {**org.facts, "audience.platform_research": False})
    assert "audience" not in a.status_open
    assert shown_status(a, a.element("audience")) == "Started"


def test_dont_know_to_every_question_is_not_known_not_missing(tmp_path):
    model, org = example("connected")
    facts = tmp_path / "dont-know.yaml"
    facts.write_text(yaml.safe_dump({"organisation": {"name": "Acme"},
                                     "facts": {f: "dont-know" for f in org.facts}}))
    model, org = maturity.load_facts(facts)
    assert org.facts == {} and len(org.answers) == 39
    a = maturity.assess(model, org)
    assert a.unassessed == frozenset()  # "don't know" is an answer...
    assert a.status_open == frozenset(e.id for e in model.elements)  # ...that shows nothing
    assert {shown_status(a, e) for e in a.elements} == {"Not known"}
    text = assessment_text(a)
    assert "Missing" not in text.split("Elements", 1)[1].split("Priorities", 1)[0]
    assert "'Not known': no answer shows work on it yet, and questions not answered yet could." in text
    step = next_dot(a)
    assert step.reasons[0] == ("no answer so far shows work on Purpose; whether it is done rests "
                               "on questions not answered yet")
    row = report_data(a)["scorecard"][0]
    assert (row["status_label"], row["reason"]) == (
        "Not known", "no answer shows work on it yet; the questions not answered could")


def _candidates(fact) -> list:
    if fact.type == "boolean":
        return [True, False]
    if fact.type in ("integer", "number"):
        return [0, 1, 2, 3, 5, 10, 30, 100, 1000]
    if fact.type == "choices":
        return [[], *([v] for v in fact.values), list(fact.values)]
    return list(fact.values)  # a choice


@pytest.mark.parametrize("name", ["connected", "mid-size", "broadcasting", "enterprise"])
def test_a_floor_is_exactly_a_status_some_answer_to_the_blank_question_raises(name):
    # Oracle: with one answer taken away, a status is a floor when, and only when, some answer to
    # that question raises it (each fact's candidate answers: both of a yes/no, numbers around
    # every threshold the packs use, each choice and all of them).
    model, org = example(name)
    checked = 0
    for fact_id in sorted(org.facts):
        fact = model.fact_by_id[fact_id]
        candidates = _candidates(fact)
        if not candidates:
            continue
        facts = {f: v for f, v in org.facts.items() if f != fact_id}
        a = assess(model, facts)
        floor = {e.element.id: e.status.rank for e in a.elements if e.element.id not in a.unassessed}
        raised = set()
        for value in candidates:
            b = assess(model, {**facts, fact_id: value})
            raised |= {e.element.id for e in b.elements if e.element.id in floor
                       and e.status.rank > floor[e.element.id]}
        assert a.status_open == raised, fact_id
        assert a.done_open <= a.status_open
        checked += bool(raised)
    assert checked  # some answer taken away opened a status


def test_compare_says_a_rise_from_a_floor_and_a_fall_to_one_as_what_the_answers_show():
    model, org = example("connected")
    full = side_of(maturity.assess(model, org), "connected.yaml")
    part = side_of(without("connected", "audience.platform_research"), "open.yaml")
    rows = {r["id"]: r for r in compare(part, full)["elements"]}
    assert rows["audience"]["from_label"] == "Started or more"
    assert rows["audience"]["movement_text"].startswith("up 2 levels from what the answers showed then")
    rows = {r["id"]: r for r in compare(full, part)["elements"]}
    assert rows["audience"]["movement_text"].startswith("down 2 levels as far as the answers now show")
    assert compare(full, part)["stage"]["open"]


def test_compare_reads_a_saved_assessment_from_before_status_known(tmp_path):
    # JSON saved before status_known: a dot below a done level with its done not known is a floor.
    model, org = example("connected")
    full = side_of(maturity.assess(model, org), "connected.yaml")
    data = assessment_data(without("connected", "audience.platform_research"))
    for e in data["elements"]:
        del e["status_known"]
    saved = tmp_path / "before.json"
    saved.write_text(json.dumps(data))  # load_side checks it against `dots schema assessment`
    rows = {r["id"]: r for r in compare(load_side(str(saved), None, "previous"), full)["elements"]}
    assert rows["audience"]["movement_text"].startswith("up 2 levels from what the answers showed then")


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_the_report_explains_or_more_under_its_scorecard(tmp_path, suffix):
    a = without("connected", "audience.platform_research")
    text = render_document(report_data(a), suffix[1:]).decode()
    assert "Started or more" in text
    assert "&#39;or more&#39;: questions not answered yet could show a higher status." in text \
        if suffix == ".html" else "'or more': questions not answered yet could show a higher status." in text


@pytest.mark.parametrize("name", ["broadcasting", "connected", "mid-size", "just-do-it"])
def test_a_stage_is_a_floor_exactly_when_some_answer_to_the_blank_question_raises_it(name):
    # Oracle, as for statuses: with one answer taken away, the stage is a floor when, and only
    # when, some answer to that question gives a higher stage (through the facts a stage rule
    # tests, or the statuses, done and connection resting on them).
    model, org = example(name)
    opened = 0
    for fact_id in sorted(org.facts):
        candidates = _candidates(model.fact_by_id[fact_id])
        facts = {f: v for f, v in org.facts.items() if f != fact_id}
        a = assess(model, facts)
        raised = any(assess(model, {**facts, fact_id: v}).stage.rank > a.stage.rank for v in candidates)
        assert a.stage_open == raised, fact_id
        opened += raised
    assert opened or name == "just-do-it"


def test_a_stage_a_blank_answer_could_raise_says_or_higher():
    # broadcasting without its posts a week: the rules reach Just do it only, and the answer
    # could make it Broadcasting.
    a = without("broadcasting", "content.posts_per_week")
    assert (a.stage.id, a.stage_open) == ("just_do_it", True)
    text = assessment_text(a)
    assert "Stage: Just do it (2 of 7) or higher: questions not answered yet could raise it\n" in text
    assert assessment_data(a)["stage"]["known"] is False
    assert "Questions not answered yet could put it at a higher stage." in report_data(a)["summary"]["text"]
    assert 'label="Acme: Just do it (stage 2 of 7 or higher)"' in to_dot(a)
    model, org = example("broadcasting")
    full = maturity.assess(model, org)
    assert not full.stage_open and assessment_data(full)["stage"]["known"] is True
    assert "or higher" not in assessment_text(full)
    assert compare(side_of(full, "q3.yaml"), side_of(a, "q4.yaml"))["stage"]["open"]
