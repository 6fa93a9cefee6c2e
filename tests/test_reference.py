"""tests/reference.py, the plain evaluator the differential test trusts: checked here against
the test cases written by hand for the built-in packs, and against the documented rules for
unanswered facts, done and disconnected, one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

import maturity
import reference
from conftest import TINY_PACK, write_pack
from reference import evaluate


@pytest.mark.parametrize("pack", maturity.builtin_packs())
def test_reference_gives_what_the_built_in_packs_test_cases_expect(pack: str):
    model = maturity.load_pack(pack)
    assert model.tests
    for case in model.tests:
        outcome = evaluate(model, case.facts)
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


def _tiny(tmp_path: Path, rules: list[dict]):
    return maturity.load_pack(write_pack(tmp_path, rules=TINY_PACK["rules"] + rules))


def _rule(rid: str, when: dict) -> dict:
    return {"id": rid, "when": when,
            "then": {"findings": [{"id": rid, "severity": "info", "message": rid}]}}


def test_unanswered_facts_fail_every_test_but_present_false_and_not_turns_that(tmp_path: Path):
    model = _tiny(tmp_path, [
        _rule("eq", {"fact": "audience.personas", "equals": 0}),
        _rule("neq", {"fact": "audience.personas", "not_equals": 0}),
        _rule("absent", {"fact": "audience.personas", "present": False}),
        _rule("count", {"count": "platforms.channels", "lt": 1}),
        _rule("not-gte", {"not": {"fact": "audience.personas", "gte": 3}}),
        _rule("not-any", {"not": {"any": [{"fact": "platforms.measure", "equals": "none"},
                                          {"fact": "platforms.channels", "contains": "tiktok"}]}}),
    ])
    outcome = evaluate(model, {})
    assert {"eq", "neq", "count"}.isdisjoint(outcome.findings)
    assert {"absent", "not-gte", "not-any"} <= set(outcome.findings)
    answered = evaluate(model, {"audience.personas": 5, "platforms.channels": []})
    assert {"neq", "count"} <= set(answered.findings)
    assert {"absent", "not-gte"}.isdisjoint(answered.findings)


def test_on_unanswered_is_the_one_place_that_decides(tmp_path: Path, monkeypatch):
    # Three-valued logic (a test on an unanswered fact is unknown, and so is `not` of it) is a
    # change of this one function; `present` still tests whether there is an answer.
    model = _tiny(tmp_path, [_rule("not-gte", {"not": {"fact": "audience.personas", "gte": 3}}),
                             _rule("absent", {"fact": "audience.personas", "present": False})])
    monkeypatch.setattr(reference, "on_unanswered",
                        lambda t: (t.value is False) if t.op == "present" else None)
    findings = evaluate(model, {}).findings
    assert "not-gte" not in findings and "absent" in findings


def test_done_needs_every_prerequisite_done_and_work_before_them_is_disconnected(tmp_path: Path):
    model = maturity.load_pack(write_pack(tmp_path))
    # Platforms defined, purpose and audience not: platforms is disconnected and not done.
    outcome = evaluate(model, {"platforms.channels": ["tiktok"]})
    assert dict(outcome.statuses) == {"purpose": "missing", "audience": "missing",
                                      "platforms": "defined"}
    assert outcome.done == () and outcome.disconnected == ("platforms",)
    assert "platforms-disc" in outcome.findings
    # Everything defined in order: all done, the last stage, nothing disconnected.
    outcome = evaluate(model, {"purpose.goals_written": True, "audience.personas": 4,
                               "platforms.channels": ["tiktok"], "platforms.measure": "hires"})
    assert outcome.done == ("purpose", "audience", "platforms") and outcome.disconnected == ()
    assert outcome.stage == "engaging" and "keep-going" not in outcome.advice
