"""Advice a consultant can hand over (issue 11): the engine's side of the reproducers. The
pack's side is in rules/default/tests.yaml (run by test_testing's built-in pack test)."""

from __future__ import annotations

import maturity
from maturity.questions import question_rules

MODEL = maturity.load_pack()


def assess(facts: dict, model: maturity.Model = MODEL) -> maturity.Assessment:
    return maturity.assess(model, maturity.Organisation("Client", dict(facts), id="client"))


def test_a_negated_test_does_not_pass_on_an_unanswered_fact():
    # 30 of 34 questions blank: "social is one-way" must not rest on a blank two_way answer.
    a = assess({"content.posts_per_week": 3, "platforms.active": ["linkedin"]})
    assert "one-way" not in [f.finding.id for f in a.findings]
    data = maturity.assessment_data(a)
    assert [x["kind"] for x in data["advice"] if x["id"] == "two-way"] == ["question"]
    answered = assess({"content.posts_per_week": 3, "engagement.two_way": False})
    assert "one-way" in [f.finding.id for f in answered.findings]


def test_unanswered_advice_is_asked_in_the_questions_words():
    a = assess({})
    asked = {x.advice.id: x for x in a.advice}
    two_way = asked["two-way"]
    assert (two_way.kind, two_way.asks) == ("question", ("engagement.two_way",))
    assert two_way.action == ("Find out: " + MODEL.fact_by_id["engagement.two_way"].question
                              + " If the answer shows a gap: make engagement a two-way "
                              "conversation: answer comments and messages, ask questions that "
                              "start conversations, and end each exchange with one next step.")
    assert all(x.kind == "question" for x in a.advice)


def test_advice_json_carries_priority_effort_timeframe_about_and_kind():
    data = maturity.assessment_data(assess({"engagement.two_way": False}))
    item = next(x for x in data["advice"] if x["id"] == "two-way")
    assert {k: item[k] for k in ("kind", "priority", "effort", "timeframe", "about", "asks")} == {
        "kind": "action", "priority": "high", "effort": "small", "timeframe": "now",
        "about": ["engagement.two_way"], "asks": []}
    assert item["rule"] == "advice.two_way"


def test_question_twins_exist_only_for_advice_about_tested_facts():
    twins = {r.id for r in question_rules(MODEL)}
    assert "advice.two_way?" in twins
    assert "advice.stop_and_strategise?" not in twins  # about nothing: no question form
    assert "advice.reanchor_brand?" not in twins


def test_stage_because_is_never_empty_and_names_facts_that_hold():
    cases = [
        {},  # nothing answered
        {"platforms.active": [], "content.posts_per_week": 0},  # no activity at all
        {"purpose.owner_named": True, "purpose.goals_written": False,
         "platforms.active": ["linkedin"], "content.posts_per_week": 1},
    ]
    for facts in cases:
        a = assess(facts)
        data = maturity.assessment_data(a)
        assert data["stage"]["because"] and all(b["because"] for b in data["stage"]["because"])
        for evidence in a.stage_evidence:
            assert all(value not in (None, False) for _, value in evidence.facts
                       if not isinstance(value, (int, float)) or isinstance(value, bool)), evidence
    owner = assess(cases[2])
    assert owner.stage.id == "broadcasting"
    assert [e.rule for e in owner.stage_evidence] == ["stage.broadcasting_owner"]
    assert "written goals" not in " ".join(e.because for e in owner.stage_evidence)
    assert assess(cases[1]).stage.id == "not_started"
    text = maturity.assessment_text(assess({}))
    assert "because none of the answers given meets a rule for a later stage" in text


def test_strategy_first_is_not_just_do_it_and_a_post_earns_nothing():
    facts = {"purpose.goals_written": True, "purpose.tied_to_hiring_plan": True,
             "purpose.desired_actions": ["apply"], "purpose.success_metrics": 3,
             "purpose.reviewed_with_results": True, "purpose.owner_named": True,
             "audience.priority_roles_named": True, "audience.personas": 3,
             "audience.platform_research": True,
             "audience.research_sources": ["employee_interviews", "candidate_surveys", "ats_source_data"],
             "audience.months_since_refresh": 2, "platforms.active": [], "content.posts_per_week": 0}
    before = assess(facts)
    after = assess({**facts, "platforms.active": ["linkedin"], "content.posts_per_week": 1})
    assert (before.stage.id, after.stage.id) == ("focused", "focused")
    assert "Active on social platforms" not in maturity.assessment_text(before)


def test_rules_check_warns_when_advice_does_not_test_its_facts(tmp_path):
    from conftest import TINY_PACK, write_pack
    rules = TINY_PACK["rules"] + [{
        "id": "advice.untested", "because": "b",
        "when": {"fact": "audience.personas", "lt": 2},
        "then": {"advice": [{"id": "x", "action": "Do it", "about": ["purpose.goals_written"]}]}}]
    folder = write_pack(tmp_path, rules=rules)
    found = [p for p in maturity.check_pack(folder) if p.severity == "warning"]
    assert [p.message for p in found] == [
        "advice 'x' is about 'purpose.goals_written', which rule 'advice.untested' does not test"]


def test_an_unknown_fact_in_about_is_an_error(tmp_path):
    from conftest import TINY_PACK, write_pack
    rules = TINY_PACK["rules"] + [{
        "id": "advice.bad", "when": {"fact": "audience.personas", "lt": 2},
        "then": {"advice": [{"id": "x", "action": "Do it", "about": ["audience.persona"]}]}}]
    problems = maturity.check_pack(write_pack(tmp_path, rules=rules))
    assert [(p.message, p.hint) for p in problems] == [
        ("unknown fact 'audience.persona'", "did you mean 'audience.personas'?")]


def test_a_question_waits_on_the_second_fact_when_the_first_alone_would_let_it_through(tmp_path):
    # Found by tests/test_differential.py: with the tests on the first `about` fact (in id
    # order) let through the condition held, and the twin kept only "the first fact
    # unanswered", forgetting the condition and the second fact. The first is answered here,
    # the second is not: asked.
    from conftest import TINY_PACK, write_pack
    rules = TINY_PACK["rules"] + [{
        "id": "advice.ask", "because": "b",
        "when": {"any": [{"fact": "audience.personas", "present": False},
                         {"fact": "audience.personas", "gte": 3},
                         {"fact": "platforms.measure", "equals": "hires"}]},
        "then": {"advice": [{"id": "ask", "action": "Do it",
                             "about": ["audience.personas", "platforms.measure"]}]}}]
    model = maturity.load_pack(write_pack(tmp_path, rules=rules))
    given = assess({"audience.personas": 1}, model)
    assert [(a.kind, a.asks) for a in given.advice if a.advice.id == "ask"] == [
        ("question", ("platforms.measure",))]
