"""What the rules that would make a dot done still test, said next to the answers given."""

from pathlib import Path

import maturity
from maturity.explain import condition_text, what_done_needs
from maturity.model import All, Any_, Not, Test

ROOT = Path(__file__).resolve().parent.parent


def test_condition_text_names_each_test_and_the_answer_given():
    condition = All((Test("fact", "a.x", "equals", True),
                     Any_((Test("count", "a.l", "gte", 2), Test("fact", "a.l", "contains", "v"))),
                     Not(Test("fact", "a.n", "lt", 3)),
                     Test("fact", "a.c", "present", False)))
    facts = {"a.x": False, "a.l": ["v", "w", "z"]}
    assert condition_text(condition, facts) == (
        "(one of: a.l includes v (now: [v, w, z]) | number of a.l >= 2 (now: 3)); "
        "a.c is unanswered; a.x is yes (now: no); not (a.n < 3 (now: unanswered))")


def test_next_dot_says_what_the_lowest_done_level_still_needs(tmp_path):
    model = maturity.load_pack("default")
    org = maturity.load_organisation(ROOT / "examples" / "mid-size.yaml", model)
    step = maturity.next_dot(maturity.assess(model, org))
    assert step.result.element.id == "content"
    # content.defined needs pillars, a calendar and stories, video or employee content: the
    # first two are answered no; stories are there, so the alternative is met.
    assert [(n["fact"], n["test"], n["expected"], n["actual"], n["met"]) for n in step.needs] == [
        ("content.pillars_from_evp", "equals", True, False, False),
        ("content.editorial_calendar", "equals", True, False, False)]
    assert step.needs[0]["question"] == model.fact_by_id["content.pillars_from_evp"].question


def test_needs_are_given_exactly_when_a_rule_can_make_the_element_done(tiny_model):
    for element in tiny_model.elements:
        needs = what_done_needs(tiny_model, element.id, {})
        levels = [s.id for s in tiny_model.statuses if s.done]
        rules = [r for r in tiny_model.rules if any((element.id, lv) in r.status for lv in levels)]
        assert bool(needs) == bool(rules)


def test_what_an_element_still_needs_follows_the_rules_as_they_are_now(tmp_path):
    # The rules setting each status are indexed on first use, for every element of a large
    # model; a model whose rules changed since is indexed again, never misread.
    from maturity.explain import unmet_needs
    model = maturity.load_pack("default")
    assert unmet_needs(model, "content", {})
    setters = [r for r in model.rules if any(element == "content" for element, _ in r.status)]
    model.rules = [r for r in model.rules if r not in setters]
    assert unmet_needs(model, "content", {}) == []
    model.rules = model.rules + setters
    first = unmet_needs(model, "content", {})
    model.rules[model.rules.index(setters[0])] = setters[0]  # the same list, the same rules
    assert unmet_needs(model, "content", {}) == first


def test_one_way_among_several_is_not_said_as_the_only_way():
    # Content is defined with pillars, a calendar, and employee stories OR video OR employee-
    # created content. "Still missing: Do employees create ...? Needs yes (now: no)" read as the
    # one way; the others are said with it.
    from maturity.explain import need_text, unmet_needs
    model = maturity.load_pack(None)
    facts = {"content.pillars_from_evp": True, "content.editorial_calendar": True,
             "content.employee_created": False, "content.formats": ["job_ads"]}
    needs = unmet_needs(model, "content", facts)
    assert len(needs) == 1
    text = need_text(needs[0])
    assert text.count("; or instead: ") == 1
    said = {"Do employees create", "employee_stories", "video"}
    assert all(word in text for word in said), text
    # the two formats are one question: said once, "includes employee_stories or includes video"
    formats = model.fact_by_id["content.formats"].question
    assert text.count(formats) == 1
    # one of them answered as it should be: nothing is missing
    assert unmet_needs(model, "content", {**facts, "content.formats": ["video"]}) == []
