"""Advice a consultant can hand over (issue 11): the engine's side of the reproducers. The
pack's side is in rules/default/tests.yaml (run by test_testing's built-in pack test)."""

from __future__ import annotations

import pytest

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
    assert "Recruiting on social platforms" not in maturity.assessment_text(before)


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


# Ranked, merged, with strengths, coverage and what is still missing ----------------------

from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from maturity.advice import PRIORITY_MAX, PRIORITY_MIN, coverage, priorities, strengths, unanswered  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def example(name: str) -> maturity.Assessment:
    return assess(yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text("utf-8"))["facts"])


def test_priorities_put_stop_and_strategise_first_then_the_next_dot():
    a = example("just-do-it")
    top = priorities(a)
    assert PRIORITY_MIN <= len(top) <= PRIORITY_MAX
    assert top[0].advice.id == "stop-and-strategise"
    next_items = [x.advice.id for x in top[1:] if x.advice.element == "purpose"]
    assert next_items and [x.advice.element for x in top[1:len(next_items) + 1]] == ["purpose"] * len(next_items)
    assert len(a.advice) > len(top)  # the rest is grouped by element below them
    text = maturity.assessment_text(a)
    assert text.index("Priorities") < text.index("More advice, by element")
    assert "1. General: Hold up" in text


def test_client_text_has_no_rule_ids_and_explain_adds_them():
    a = example("broadcasting")
    plain, explained = maturity.assessment_text(a), maturity.assessment_text(a, explain=True)
    assert "rule " not in plain and "purpose.goals_written" not in plain
    assert "(rule advice.tie_goals_to_hiring)" in explained and "[rule stage.broadcasting_goals]" in explained
    assert "rule " not in maturity.next_text(a) and "(rule " in maturity.next_text(a, explain=True)


def test_questions_on_the_same_facts_are_merged():
    # Owned channels unanswered: three items ask it (the size given, so the talent community's
    # question asks nothing else).
    a = assess({"platforms.active": ["linkedin"], "employer.size_band": "large"})
    asked = [x for x in a.advice if x.kind == "question" and x.asks == ("platforms.owned_channels",)]
    assert len(asked) == 3
    text = maturity.assessment_text(a)
    question = MODEL.fact_by_id["platforms.owned_channels"].question
    assert text.count(question) == 1 and text.count(" Or: ") >= 2


def test_strengths_come_from_what_the_answers_show_done():
    assert strengths(example("just-do-it")) == []
    found = strengths(example("mid-size"))
    assert [s.element for s in found] == ["purpose", "audience", "brand"]
    assert found[0].text.startswith("Purpose is defined. ") and found[0].rule == "purpose.defined"
    evp = {"brand.evp_documented": True, "brand.evp_researched_with_employees": True,
           "brand.evp_approved": True}
    ahead = strengths(assess({**evp, "purpose.goals_written": False, "audience.personas": 0}))
    assert [s.text.split(".")[0] for s in ahead] == [
        "Employment Brand & Workforce Marketing is defined, ahead of its foundations"]
    # Nothing asked about its foundations: whether it is ahead of them is not known.
    unsure = strengths(assess(evp))
    assert [s.text.split(".")[0] for s in unsure] == [
        "Employment Brand & Workforce Marketing is defined; whether its foundations are done is "
        "not known (Purpose, Defined Target Audience not answered)"]


def test_coverage_counts_answered_questions_overall_and_per_element():
    c = coverage(assess({"purpose.goals_written": True, "engagement.two_way": False}))
    assert (c["answered"], c["total"]) == (2, len(MODEL.facts))
    purpose = next(e for e in c["by_element"] if e["id"] == "purpose")
    assert (purpose["answered"], purpose["total"]) == (1, 6)
    assert f"Coverage: 2 of {len(MODEL.facts)} questions answered" in maturity.assessment_text(
        assess({"purpose.goals_written": True, "engagement.two_way": False}))


def test_unanswered_questions_say_whether_they_could_change_stage_or_next_dot():
    facts = {"purpose.goals_written": True, "purpose.tied_to_hiring_plan": True,
             "purpose.desired_actions": ["apply"], "purpose.success_metrics": 1,
             "audience.priority_roles_named": True, "audience.personas": 2}
    # audience.platform_research decides whether the audience (the next dot) is done;
    # engagement.results_feed_plan is read by nothing before engagement is defined.
    found = {u["fact"]: u for u in unanswered(assess(facts))}
    assert len(found) == len(MODEL.facts) - len(facts)
    assert found["audience.platform_research"]["could_change"] is True
    assert found["engagement.results_feed_plan"]["could_change"] is False
    assert found["audience.platform_research"]["question"] == \
        MODEL.fact_by_id["audience.platform_research"].question
    text = maturity.assessment_text(assess(facts))
    settle = text.split("Questions to settle")[1].split("Next dot")[0]
    assert MODEL.fact_by_id["audience.platform_research"].question in settle
    assert MODEL.fact_by_id["engagement.results_feed_plan"].question not in settle


def test_needs_list_only_unmet_conditions_in_the_questions_words():
    a = assess({"audience.priority_roles_named": True, "audience.personas": 2,
                "audience.platform_research": False, "purpose.goals_written": True,
                "purpose.tied_to_hiring_plan": True, "purpose.desired_actions": ["apply"],
                "purpose.success_metrics": 1})
    step = maturity.next_dot(a)
    assert step.result.element.id == "audience"
    assert step.needs == ({"fact": "audience.platform_research",
                           "question": MODEL.fact_by_id["audience.platform_research"].question,
                           "test": "equals", "expected": True, "actual": False, "met": False},)
    text = maturity.next_text(a)
    assert "Do you know which platforms each segment uses, and why? Needs yes (now: no)" in text
    assert "audience.personas" not in text


def test_the_platforms_advice_names_are_answers(tmp_path):
    """Issue 11, section 7: Indeed, Xing, WhatsApp, Reddit and GitHub, which the advice names,
    are allowed answers, read from a facts file."""
    from conftest import write_org
    named = ["indeed", "xing", "whatsapp", "reddit", "github"]
    assert set(named) <= set(MODEL.fact_by_id["platforms.active"].values)
    _, org = maturity.load_facts(write_org(tmp_path / "o.yaml", {"platforms.active": named}))
    assert org.facts["platforms.active"] == named


def test_size_band_referrals_and_paid_social_are_questions_for_a_client():
    for fact_id in ("employer.size_band", "engagement.referral_programme",
                    "engagement.referrals_on_social", "engagement.referrals_tracked",
                    "platforms.paid_social"):
        fact = MODEL.fact_by_id[fact_id]
        assert fact.question.endswith("?") and fact.help, fact_id
    # The size band's labels give the head-count of each band, wherever the answer is shown.
    size = MODEL.fact_by_id["employer.size_band"]
    assert size.labels_of(size.values) == ["Micro (fewer than 10)", "Small (10 to 49)", "Medium (50 to 249)",
                                           "Large (250 to 4,999)", "Enterprise (5,000 or more)"]


def test_a_disconnected_dot_finding_claims_nothing_its_done_foundations_contradict():
    """A finding on a disconnected dot holds whichever of its foundations is missing: with the
    audience defined, content is not said to go out "without an agreed audience", and platforms
    chosen by audience are not said to be "chosen by habit"."""
    done_audience = {"employer.size_band": "micro", "purpose.goals_written": True,
                     "purpose.tied_to_hiring_plan": True, "purpose.desired_actions": ["apply"],
                     "purpose.success_metrics": 1, "audience.priority_roles_named": True,
                     "audience.personas": 1, "audience.platform_research": True,
                     "audience.research_sources": ["employee_interviews"]}
    a = assess({**done_audience, "platforms.active": ["facebook", "instagram"],
                "platforms.chosen_by_audience": True, "content.posts_per_week": 2,
                "engagement.two_way": True, "brand.evp_documented": False})
    assert a.element("audience").done and not a.element("brand").done
    found = {f.finding.element: f.finding.message for f in a.findings if f.finding.id.endswith("-disconnected")}
    assert {"content", "platforms"} <= set(found)
    text = " ".join(found.values())
    for claim in ("without an agreed audience", "chosen by habit", "no planned content"):
        assert claim not in text
    assert "only once the audience and the message it speaks for are both agreed" in found["content"]


def _example_facts(name: str) -> dict:
    return yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text("utf-8"))["facts"]


_NOTHING_WRITTEN = {"purpose.goals_written": False, "audience.priority_roles_named": False,
                    "brand.evp_documented": False}
_PURPOSE_DONE = {"purpose.goals_written": True, "purpose.tied_to_hiring_plan": True,
                 "purpose.desired_actions": ["apply"], "purpose.success_metrics": 1}
_AUDIENCE_DONE = {**_PURPOSE_DONE, "employer.size_band": "small", "audience.priority_roles_named": True,
                  "audience.personas": 1, "audience.platform_research": True}


@pytest.mark.parametrize("facts, untrue", [
    # engagement started by measurement alone, conversations not answered
    ({**_NOTHING_WRITTEN, "platforms.active": ["linkedin"], "content.posts_per_week": 2,
      "engagement.two_way": False, "engagement.measurement": "reach"}, "conversations start"),
    # audience started by named roles alone, no persona
    ({"purpose.goals_written": False, "audience.priority_roles_named": True, "audience.personas": 0},
     "personas without a purpose"),
    # brand started by answered reviews alone, no EVP
    ({**_NOTHING_WRITTEN, "brand.reviews_answered": True}, "brand promise written"),
    # content started by formats alone, no posts
    ({**_NOTHING_WRITTEN, "content.posts_per_week": 0, "content.formats": ["job_ads", "photos"]},
     "posts go out before"),
    ({**_NOTHING_WRITTEN, "content.formats": ["job_ads", "photos"]}, "behind-the-scenes photos"),
    # five platforms not chosen for an audience that is defined, on a defined purpose
    ({**_AUDIENCE_DONE, "platforms.active": ["linkedin", "facebook", "instagram", "tiktok"],
      "platforms.chosen_by_audience": False}, "until purpose and audience are written down"),
    ({**_NOTHING_WRITTEN, "platforms.active": ["linkedin"], "platforms.chosen_by_audience": False,
      "audience.personas": 0}, "against the personas"),
    # just do it with the purpose done
    ({**_PURPOSE_DONE, "audience.priority_roles_named": False, "platforms.active": ["linkedin"]},
     "written down. Don't just do it"),
    ({**_PURPOSE_DONE, "audience.priority_roles_named": False, "platforms.active": ["linkedin"]},
     "without a defined purpose"),
    # paid social with goals written, and with personas written
    ({"purpose.goals_written": True, "purpose.tied_to_hiring_plan": False, "audience.personas": 0,
      "platforms.active": ["linkedin"], "platforms.paid_social": "planned_budget"}, "until the purpose is written"),
    ({**_PURPOSE_DONE, "audience.priority_roles_named": True, "audience.personas": 3,
      "audience.platform_research": False, "platforms.active": ["linkedin"],
      "platforms.paid_social": "planned_budget"}, "personas are written down"),
    # the one call to action posts ask for, and source already tracked
    ({"engagement.offline_actions": ["apply"]}, "move people offline: apply"),
    ({"purpose.goals_written": True, "purpose.success_metrics": 1, "platforms.ats_tracks_source": True},
     "as soon as the ATS records it"),
    # focus with no persona and no priority role named
    ({**_NOTHING_WRITTEN, "audience.personas": 0,
      "platforms.active": ["linkedin", "facebook", "instagram", "tiktok"],
      "platforms.chosen_by_audience": False}, "where your priority personas are"),
    # broadcasting on an audience that is defined, before the purpose is
    ({"purpose.goals_written": True, "purpose.tied_to_hiring_plan": False, "purpose.owner_named": True,
      "employer.size_band": "small", "audience.priority_roles_named": True, "audience.personas": 1,
      "audience.platform_research": True, "platforms.active": ["linkedin"], "content.posts_per_week": 2},
     "define the audience before"),
    ({"purpose.goals_written": True, "purpose.tied_to_hiring_plan": False, "purpose.owner_named": True,
      "employer.size_band": "small", "audience.priority_roles_named": True, "audience.personas": 1,
      "audience.platform_research": True}, "once the purpose is written"),
    # focused, no platform yet and no EVP
    ({**_AUDIENCE_DONE, "platforms.active": [], "brand.evp_documented": False}, "content from the EVP"),
    # platforms defined on a done audience, before content is
    ({**_AUDIENCE_DONE, "content.posts_per_week": 1, "content.pillars_from_evp": False,
      "platforms.active": ["linkedin"], "platforms.chosen_by_audience": True,
      "platforms.owned_channels": ["careers_site", "email"]}, "content once they are done"),
    # content pillars for an EVP that is written (and, at mid-size, approved)
    (_example_facts("mid-size"), "once there is one"),
    (_example_facts("broadcasting-next-quarter"), "once there is one"),
    ({"brand.evp_documented": True, "content.pillars_from_evp": False}, "if there is none yet"),
    # broadcasting: strategy first, but the quick wins it is given are new work too
    (_example_facts("broadcasting"), "before adding anything new"),
    ({**_PURPOSE_DONE, "employer.size_band": "large", "audience.personas": 0,
      "platforms.active": ["linkedin", "facebook"], "content.posts_per_week": 3,
      "engagement.referral_programme": False}, "before adding anything new"),
])
def test_no_sentence_the_answers_contradict(facts, untrue):
    """Reproducers of an audit: each sentence was printed to an organisation whose answers
    show it untrue."""
    a = assess(facts)
    text = maturity.assessment_text(a) + maturity.roadmap_text(a)
    assert untrue not in " ".join(text.split())


class _Reads(list):
    """A list that counts how often it is read through."""

    def __iter__(self):
        self.reads = getattr(self, "reads", 0) + 1
        return super().__iter__()


def test_coverage_reads_the_facts_once_not_once_per_element():
    import dataclasses
    a = assess({"purpose.goals_written": True})
    model = dataclasses.replace(MODEL, facts=_Reads(MODEL.facts))
    replaced = dataclasses.replace(a, model=model)
    coverage(replaced)  # what is made once per model (its compiled form, for the settled questions)
    model.facts.reads = 0
    assert coverage(replaced) == coverage(a)
    assert model.facts.reads <= 2 < len(MODEL.elements)


def test_the_stages_above_look_their_rules_up_not_through_every_rule():
    import dataclasses
    from maturity.targets import stage_needs
    a = assess({"purpose.goals_written": True})
    model = dataclasses.replace(MODEL, rules=_Reads(MODEL.rules))
    model.rules.reads = 0
    for _ in range(3):
        b = dataclasses.replace(a, model=model)
        assert (stage_needs(b), stage_needs(b, only_next=True)) == (stage_needs(a), stage_needs(a, only_next=True))
    assert model.rules.reads == 1  # once per model, for all stages and assessments


def test_a_strength_whose_reason_restates_its_status_says_it_once():
    # The levels pack's reasons restate the status ("Careers site is in place."): said once,
    # with what the reason adds, and that whether its foundations are done is not known where
    # they are not answered.
    levels = maturity.load_pack("levels")
    a = assess({"careers_site.state": "in_place", "job_ads.state": "embedded",
                "advocacy.state": "in_place"}, levels)
    said = {s.element: s.text for s in strengths(a)}
    assert said["careers_site"] == "Careers site is in place."
    assert said["job_ads"] == "Job ads is embedded in how the team works."
    assert said["advocacy"] == ("Employee advocacy is in place; whether its foundations are done is "
                                "not known (Employer brand not answered).")


def test_a_strength_whose_reason_says_more_keeps_both():
    from maturity.examples import __file__ as examples
    model, org = maturity.load_facts(Path(examples).parent / "connected.yaml")
    a = maturity.assess(model, org)
    found = strengths(a)
    assert found
    for s in found:
        e = a.element(s.element)
        lead = f"{e.element.label} is {e.status.label.lower()}"
        assert not e.evidence[0].because.lower().startswith(lead.lower())
        assert s.text == f"{lead}{'' if e.done else ', ahead of its foundations'}. {e.evidence[0].because}"


def test_a_strength_whose_rule_gives_no_reason_ends_with_its_status(tmp_path):
    # A rule without `because:` (the generated models' rules): the strength is the status alone,
    # with no stray space after it.
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import models
    path = tmp_path / "pack.yaml"
    path.write_text(models.dump(models.model(10, groups=False)), "utf-8")
    model = maturity.load_pack(path)
    a = maturity.assess(model, maturity.Organisation("X", {"e0.yes": True, "e0.n": 6, "e1.yes": True, "e1.n": 9, "e1.how": "all"}))
    said = {s.element: s.text for s in strengths(a)}
    assert said["e0"] == "Activity 1 is done."
    assert said["e1"] == "Activity 2 is optimised."


TALENT = maturity.load_pack("talent_community")
_TC_PROPOSITION_DONE = {"proposition.written": True, "proposition.member_value": ["job_alerts", "events"],
                        "proposition.segments": 2}


@pytest.mark.parametrize("facts, untrue", [
    ({"proposition.written": True, "proposition.member_value": ["job_alerts", "events"],
      "proposition.segments": 0, "capture.entry_points": ["careers_site", "events"],
      "capture.consent_recorded": True, "capture.members": 100},
     "before the community says what they get"),
    ({"proposition.written": True, "proposition.segments": 0, "capture.entry_points": ["careers_site", "events"],
      "capture.consent_recorded": True, "capture.members": 100, "segmentation.profile_fields": ["skills"]},
     "before sign-up and consent are in place"),
    ({**_TC_PROPOSITION_DONE, "capture.entry_points": ["careers_site"], "capture.members": 100,
      "nurture.cadence": "quarterly", "nurture.personalised": True}, "the same for everyone"),
    ({**_TC_PROPOSITION_DONE, "capture.entry_points": ["careers_site"], "capture.members": 100,
      "segmentation.tagged_pct": 10, "nurture.cadence": "monthly"}, "before the proposition and member data"),
    ({"conversion.recruiters_search": True, "conversion.hires_last_year": 0, "nurture.cadence": "never"},
     "Recruiters hire from the community"),
    ({**_TC_PROPOSITION_DONE, "nurture.cadence": "weekly"}, "hear little or nothing"),
])
def test_no_talent_community_sentence_the_answers_contradict(facts, untrue):
    a = assess(facts, TALENT)
    assert untrue not in " ".join(maturity.assessment_text(a).split())


def test_the_just_do_it_finding_names_its_stage_not_the_first():
    """Audit: the finding's reason said "At the first stage", but "Just do it" is the second of
    seven stages (not started is the first)."""
    assert [s.id for s in MODEL.stages][:2] == ["not_started", "just_do_it"]
    data = maturity.assessment_data(example("just-do-it"))
    because = next(f["because"] for f in data["findings"] if f["id"] == "just-do-it")
    assert "first stage" not in because and '"Just do it" stage' in because


def test_content_pillars_are_drawn_from_a_written_evp_as_one_there_is():
    written = assess({"brand.evp_documented": True, "content.pillars_from_evp": False})
    def content(a):
        return [x.advice.id for x in a.advice if x.advice.element == "content" and x.kind == "action"]
    assert content(written) == ["content-pillars-from-evp"]
    unwritten = assess({"brand.evp_documented": False, "content.pillars_from_evp": False})
    assert content(unwritten) == ["content-pillars"]


_BRIGHTWELL = yaml.safe_load((ROOT / "examples" / "talent-community-brightwell.yaml").read_text("utf-8"))["facts"]


@pytest.mark.parametrize("facts, untrue", [
    # location is recorded at sign-up already; skills are not
    (_BRIGHTWELL, "skills and location at sign-up"),
    (_BRIGHTWELL, "Ask for location"),
    # skills recorded and most members tagged: neither is asked for, no "until most are tagged"
    ({"segmentation.profile_fields": ["skills"], "segmentation.tagged_pct": 70}, "Ask for skills"),
    ({"segmentation.profile_fields": ["skills"], "segmentation.tagged_pct": 70}, "until most"),
    # no skills recorded, so none to update
    (_BRIGHTWELL, "update skills and locations"),
])
def test_member_data_advice_asks_only_for_what_is_missing(facts, untrue):
    a = assess(facts, TALENT)
    assert untrue not in " ".join(maturity.assessment_text(a).split())


def test_brightwell_is_asked_for_skills_only():
    given = {x.advice.id for x in assess(_BRIGHTWELL, TALENT).advice if x.kind == "action"}
    assert {"ask-skills", "tag-members"} <= given and "ask-location" not in given


@pytest.mark.parametrize("facts, untrue", [
    # an EVP written but not researched with employees: there is no research behind it
    ({"brand.evp_documented": True, "brand.evp_researched_with_employees": False,
      "brand.evp_approved": False}, "with the employee research behind it"),
    # paid social on a done audience where the ATS does not record source
    ({**_AUDIENCE_DONE, "platforms.paid_social": "none", "platforms.ats_tracks_source": False},
     "from the ATS source data"),
])
def test_brand_and_paid_social_advice_presumes_no_research_or_source_data(facts, untrue):
    assert untrue not in " ".join(maturity.assessment_text(assess(facts)).split())


@pytest.mark.parametrize("facts, untrue", [
    # members get insider content, not job alerts
    ({"proposition.member_value": ["insider_content"]}, "more than job alerts"),
    # the careers site has a sign-up already
    ({"capture.entry_points": ["careers_site"]}, "already meet you: the careers site"),
])
def test_talent_community_advice_does_not_advise_what_is_there(facts, untrue):
    assert untrue not in " ".join(maturity.assessment_text(assess(facts, TALENT)).split())
