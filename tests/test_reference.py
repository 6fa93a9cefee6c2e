"""tests/reference.py, the plain evaluator the differential test trusts: checked here against
the test cases written by hand for the built-in packs, and against the documented rules for
unanswered facts, questions, done, disconnected and groups, one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

import maturity
import reference
from conftest import TINY_PACK, write_pack
from reference import evaluate, evaluate_answers


@pytest.mark.parametrize("pack", maturity.builtin_packs())
def test_reference_gives_what_the_built_in_packs_test_cases_expect(pack: str):
    model = maturity.load_pack(pack)
    assert model.tests
    for case in model.tests:
        outcome = evaluate_answers(model, case.facts)
        expect = case.expect
        if "stage" in expect:
            assert outcome.stage == expect["stage"], case.id
        statuses = dict(outcome.statuses)
        for element, status in (expect.get("statuses") or {}).items():
            assert statuses[element] == status, (case.id, element)
        if "disconnected" in expect:
            assert sorted(outcome.disconnected) == sorted(expect["disconnected"]), case.id
        assert set(expect.get("findings") or ()) <= set(outcome.findings), case.id
        assert set(expect.get("advice") or ()) <= set(outcome.advice), case.id
        assert set(expect.get("questions") or ()) <= set(outcome.questions), case.id
        assert set(expect.get("no_findings") or ()).isdisjoint(outcome.findings), case.id
        assert set(expect.get("no_advice") or ()).isdisjoint(outcome.advice), case.id


def _tiny(tmp_path: Path, rules: list[dict]):
    return maturity.load_pack(write_pack(tmp_path, rules=TINY_PACK["rules"] + rules))


def _rule(rid: str, when: dict) -> dict:
    return {"id": rid, "when": when,
            "then": {"findings": [{"id": rid, "severity": "info", "message": rid}]}}


def test_a_test_on_an_unanswered_fact_is_unknown_and_so_is_its_negation(tmp_path: Path):
    model = _tiny(tmp_path, [
        _rule("eq", {"fact": "audience.personas", "equals": 0}),
        _rule("neq", {"fact": "audience.personas", "not_equals": 0}),
        _rule("absent", {"fact": "audience.personas", "present": False}),
        _rule("count", {"count": "platforms.channels", "lt": 1}),
        _rule("not-gte", {"not": {"fact": "audience.personas", "gte": 3}}),
        _rule("not-any", {"not": {"any": [{"fact": "platforms.measure", "equals": "none"},
                                          {"fact": "platforms.channels", "contains": "tiktok"}]}}),
        # Kleene: `any` is true when one item is, whatever the others; `all` false likewise.
        _rule("any-known", {"any": [{"fact": "audience.personas", "gte": 3},
                                    {"fact": "purpose.goals_written", "equals": False}]}),
        _rule("not-all-known", {"not": {"all": [{"fact": "audience.personas", "gte": 3},
                                                {"fact": "purpose.goals_written", "equals": True}]}}),
    ])
    outcome = evaluate(model, {"purpose.goals_written": False})
    assert {"absent", "any-known", "not-all-known"} <= set(outcome.findings)
    assert {"eq", "neq", "count", "not-gte", "not-any"}.isdisjoint(outcome.findings)
    answered = evaluate(model, {"audience.personas": 5, "platforms.channels": [],
                                "platforms.measure": "reach"})
    assert {"neq", "count", "not-any", "any-known"} <= set(answered.findings)
    assert {"absent", "not-gte", "not-all-known"}.isdisjoint(answered.findings)


def test_on_unanswered_is_the_one_place_that_decides(tmp_path: Path, monkeypatch):
    # Two-valued logic, as before issue 11 (a test on an unanswered fact fails, so `not` of
    # it holds), is a change of this one function.
    model = _tiny(tmp_path, [_rule("not-gte", {"not": {"fact": "audience.personas", "gte": 3}}),
                             _rule("absent", {"fact": "audience.personas", "present": False})])
    assert "not-gte" not in evaluate(model, {}).findings
    monkeypatch.setattr(reference, "on_unanswered",
                        lambda t: (t.value is False) if t.op == "present" else False)
    findings = evaluate(model, {}).findings
    assert "not-gte" in findings and "absent" in findings


def test_advice_about_unanswered_facts_is_asked_with_its_tests_let_through(tmp_path: Path):
    about = {"about": ["audience.personas"]}
    model = _tiny(tmp_path, [
        {"id": "few", "when": {"not": {"fact": "audience.personas", "gte": 3}},
         "then": {"advice": [{"id": "more-personas", "action": "a", **about}]}},
        # Let through under `not` too: not(all[personas gte 3, goals true]) with goals true.
        {"id": "not-all", "when": {"not": {"all": [{"fact": "audience.personas", "gte": 3},
                                                   {"fact": "purpose.goals_written", "equals": True}]}},
         "then": {"advice": [{"id": "not-all", "action": "a", **about}, {"id": "plain", "action": "a"}]}},
        # Other tests still count: no question when the goals are written.
        {"id": "and-goals", "when": {"all": [{"fact": "audience.personas", "lt": 3},
                                             {"fact": "purpose.goals_written", "equals": False}]},
         "then": {"advice": [{"id": "and-goals", "action": "a", **about}]}},
    ])
    outcome = evaluate(model, {"purpose.goals_written": True})
    assert {"more-personas", "not-all"} <= set(outcome.questions)
    assert {"and-goals", "plain", "write-purpose"}.isdisjoint(outcome.questions)
    assert {"more-personas", "not-all", "plain"}.isdisjoint(outcome.advice)
    answered = evaluate(model, {"purpose.goals_written": True, "audience.personas": 1})
    assert {"more-personas", "not-all", "plain"} <= set(answered.advice)
    assert answered.questions == ()


def test_group_tests_read_every_element_of_the_group_and_its_sub_groups(tmp_path: Path):
    groups = [{"id": "all", "label": "All"}, {"id": "early", "label": "Early", "within": "all"}]
    elements = [{"id": "purpose", "label": "P", "group": "early"},
                {"id": "audience", "label": "A", "group": "early"},
                {"id": "platforms", "label": "Pl", "group": "all"}]
    model = maturity.load_pack(write_pack(tmp_path, groups=groups, elements=elements, rules=TINY_PACK["rules"] + [
        _rule("early-done", {"all_done": "early", "equals": True}),
        _rule("all-done", {"all_done": "all", "equals": True}),
        _rule("two-done", {"done_count": "all", "gte": 2}),
        _rule("three-done", {"done_count": "all", "equals": 3}),
        _rule("lowest-started", {"lowest_status": "all", "gte": "started"})]))
    # Platforms started, its done open (platforms.measure not answered): every count unknown
    outcome = evaluate(model, {"purpose.goals_written": True, "audience.personas": 4,
                               "platforms.channels": ["linkedin"]})
    assert outcome.done == ("purpose", "audience")
    assert {"early-done", "lowest-started"} <= set(outcome.findings)
    assert not {"all-done", "two-done", "three-done"} & set(outcome.findings)
    outcome = evaluate(model, {"purpose.goals_written": True, "audience.personas": 4,
                               "platforms.channels": ["tiktok"]})
    assert outcome.done == ("purpose", "audience", "platforms")
    assert {"early-done", "all-done", "two-done", "three-done", "lowest-started"} <= set(outcome.findings)


def test_done_needs_every_prerequisite_done_and_work_before_them_is_disconnected(tmp_path: Path):
    model = maturity.load_pack(write_pack(tmp_path))
    # Platforms defined, purpose and audience answered and not: platforms is disconnected
    # and not done.
    outcome = evaluate(model, {"platforms.channels": ["tiktok"], "purpose.goals_written": False,
                               "audience.personas": 0})
    assert dict(outcome.statuses) == {"purpose": "missing", "audience": "missing",
                                      "platforms": "defined"}
    assert outcome.done == () and outcome.disconnected == ("platforms",)
    assert "platforms-disc" in outcome.findings
    # Purpose and audience not asked about: unknown, so platforms is neither done nor known
    # to be disconnected, and no finding says it is.
    outcome = evaluate(model, {"platforms.channels": ["tiktok"]})
    assert outcome.done == () and outcome.disconnected == ()
    assert "platforms-disc" not in outcome.findings
    # Everything defined in order: all done, the last stage, nothing disconnected.
    outcome = evaluate(model, {"purpose.goals_written": True, "audience.personas": 4,
                               "platforms.channels": ["tiktok"], "platforms.measure": "hires"})
    assert outcome.done == ("purpose", "audience", "platforms") and outcome.disconnected == ()
    assert outcome.stage == "engaging" and "keep-going" not in outcome.advice


def test_dont_know_is_unanswered_or_the_packs_answer_and_not_applicable_is_never_asked(tmp_path: Path):
    model = maturity.load_pack(write_pack(tmp_path))
    assert "write-purpose" in evaluate_answers(model, {"purpose.goals_written": "dont-know"}).questions
    settled = evaluate_answers(model, {"purpose.goals_written": {"answer": "not-applicable"}})
    assert "write-purpose" not in settled.questions + settled.advice
    facts = [dict(f, dont_know=False) if f["id"] == "purpose.goals_written" else f
             for f in TINY_PACK["facts"]]
    model = maturity.load_pack(write_pack(tmp_path / "stand-in", facts=facts))
    assert "write-purpose" in evaluate_answers(model, {"purpose.goals_written": "dont-know"}).advice
