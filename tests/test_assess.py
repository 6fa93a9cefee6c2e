"""maturity.assess on the tiny pack (tests/conftest.py): statuses, done, disconnected, stage,
evidence, findings and advice as documented in the module docstring of maturity/assess.py; and
the properties that must always hold: the order of rules and keys in a pack changes nothing,
and the same input gives byte-identical JSON, text and DOT."""

from __future__ import annotations

import functools
import random
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import maturity
from conftest import ORG_ACME, ORG_BETA, TINY_PACK, write_pack
from maturity.assess import Evidence


def assess(model: maturity.Model, facts: dict[str, Any], name: str = "Acme") -> maturity.Assessment:
    return maturity.assess(model, maturity.Organisation(name, facts, id=name.lower()))


def statuses(a: maturity.Assessment) -> dict[str, tuple[str, bool, bool]]:
    return {e.element.id: (e.status.id, e.done, e.disconnected) for e in a.elements}


# Statuses, done, disconnected ------------------------------------------------------------

def test_nothing_answered(tiny_model):
    a = assess(tiny_model, {})
    assert statuses(a) == {"purpose": ("missing", False, False), "audience": ("missing", False, False),
                           "platforms": ("missing", False, False)}
    assert (a.stage.id, a.stage_evidence) == ("just_do_it", [])
    assert a.fired == ["advice.late"]
    # Unanswered is unknown: the advice about the goals is asked, not given.
    assert [(x.advice.id, x.kind, x.asks) for x in a.advice] == [
        ("write-purpose", "question", ("purpose.goals_written",)), ("keep-going", "action", ())]


def test_status_is_the_highest_level_set_and_evidence_lists_highest_first(tiny_model):
    a = assess(tiny_model, {"purpose.goals_written": True, "audience.personas": 4, "platforms.measure": "reach"})
    audience = a.element("audience")
    assert audience.status.id == "defined"  # audience.started fired too
    assert audience.evidence == (
        Evidence("audience.defined", "enough personas", (("audience.personas", 4), ("platforms.measure", "reach"))),
        Evidence("audience.started", "some personas", (("audience.personas", 4),)),
    )
    data = maturity.assessment_data(a)["elements"][1]
    assert (data["id"], data["status"], [e["rule"] for e in data["because"]]) == (
        "audience", "defined", ["audience.defined", "audience.started"])
    assert data["because"][0]["facts"] == {"audience.personas": 4, "platforms.measure": "reach"}


def test_done_needs_a_done_status_and_every_prerequisite_done(tiny_model):
    a = assess(tiny_model, {"purpose.goals_written": False, "audience.personas": 4, "platforms.measure": "reach"})
    assert statuses(a) == {"purpose": ("missing", False, False), "audience": ("defined", False, True),
                           "platforms": ("defined", False, True)}
    assert a.element("audience").missing_prerequisites == ("purpose",)
    assert a.element("platforms").missing_prerequisites == ("audience",)
    assert [e.element.id for e in a.disconnected] == ["audience", "platforms"]


def test_started_on_done_foundations_is_not_disconnected(tiny_model):
    a = assess(tiny_model, {"purpose.goals_written": True, "audience.personas": 1})
    assert statuses(a) == {"purpose": ("defined", True, False), "audience": ("started", False, False),
                           "platforms": ("missing", False, False)}
    assert a.element("platforms").missing_prerequisites == ("audience",)
    assert a.disconnected == []


def test_a_missing_element_is_never_disconnected(tiny_model):
    a = assess(tiny_model, {"audience.personas": 0})
    assert statuses(a)["audience"] == ("missing", False, False)


def test_stage_is_the_highest_fired_with_its_evidence(tiny_model):
    a = assess(tiny_model, ORG_BETA, "Beta")
    assert a.fired == ["audience.defined", "audience.started", "platforms.defined", "platforms.started",
                       "purpose.defined", "stage.eng", "stage.strat"]
    assert a.stage.id == "engaging"  # stage.strat fired too, for a lower stage
    assert a.stage_evidence == [Evidence("stage.eng", "all done", ())]
    assert all(e.done for e in a.elements)


def test_the_first_stage_when_no_stage_rule_fires(tiny_model):
    a = assess(tiny_model, {"purpose.goals_written": True, "audience.personas": 2})
    assert (a.stage.id, a.stage.rank, a.stage_evidence) == ("just_do_it", 0, [])


def test_stage_rule_reads_statuses_resolved_after_round_0(tiny_model):
    # stage.strat tests 'done: purpose' and 'status: audience >= defined': both are final
    # values from round 0, whatever order the engine fired the status rules in.
    a = assess(tiny_model, {"purpose.goals_written": True, "audience.personas": 3})
    assert (a.stage.id, [e.rule for e in a.stage_evidence]) == ("strategised", ["stage.strat"])


def test_findings_and_advice_carry_rule_and_facts(tiny_model):
    a = assess(tiny_model, ORG_ACME)
    assert [(f.finding.id, f.finding.severity, f.evidence.rule) for f in a.findings] == [
        ("platforms-disc", "high", "find.disc")]
    assert [(x.advice.id, x.advice.element, x.evidence.rule) for x in a.advice] == [
        ("write-purpose", "purpose", "advice.purpose"), ("keep-going", None, "advice.late")]
    assert [x.advice.id for x in a.advice_for("purpose")] == ["write-purpose"]
    assert a.element("platforms").evidence == (
        Evidence("platforms.started", "on platforms", (("platforms.channels", ["linkedin", "facebook"]),)),)


def test_evidence_names_unanswered_facts_with_none(tiny_model):
    a = assess(tiny_model, {"audience.personas": 5})
    assert a.element("audience").evidence[0] == Evidence(
        "audience.defined", "enough personas", (("audience.personas", 5), ("platforms.measure", None)))


def test_a_pack_without_rules(tmp_path: Path):
    model = maturity.load_pack(write_pack(tmp_path, rules=None))
    a = assess(model, {"purpose.goals_written": True})
    assert (a.fired, a.stage.id, a.findings, a.advice) == ([], "just_do_it", [], [])
    assert {e.status.id for e in a.elements} == {"missing"}


def test_findings_are_ordered_by_severity_then_element_then_id(tmp_path: Path):
    rules = [{"id": f"r{n}", "when": {"fact": "purpose.goals_written", "present": True},
              "then": {"findings": [{"id": fid, "severity": sev, **({"element": el} if el else {}),
                                     "message": fid}]}}
             for n, (fid, sev, el) in enumerate([("z-low", "low", "purpose"), ("a-info", "info", None),
                                                 ("b-high", "high", "platforms"), ("c-high", "high", "purpose"),
                                                 ("a-high", "high", "platforms"), ("m-medium", "medium", None)])]
    model = maturity.load_pack(write_pack(tmp_path, rules=rules))
    assert [f.finding.id for f in assess(model, {"purpose.goals_written": False}).findings] == [
        "c-high", "a-high", "b-high", "m-medium", "z-low", "a-info"]


# Same input, same output -----------------------------------------------------------------

def outputs(model: maturity.Model, facts: dict[str, Any]) -> tuple[str, ...]:
    a = assess(model, facts)
    return (maturity.to_json(maturity.assessment_data(a)), maturity.to_json(maturity.next_data(a)),
            maturity.to_json(maturity.roadmap_data(a)), maturity.assessment_text(a),
            maturity.next_text(a), maturity.roadmap_text(a), maturity.to_dot(a))


def test_same_input_twice_gives_byte_identical_output(tmp_path: Path):
    first = outputs(maturity.load_pack(write_pack(tmp_path, dirname="one")), ORG_ACME)
    # A second model object loaded from a second copy: nothing may depend on object identity.
    second = outputs(maturity.load_pack(write_pack(tmp_path, dirname="two")), dict(reversed(ORG_ACME.items())))
    assert first == second
    assert '"next": {\n    "id": "purpose"' in first[0]


# Order in the pack does not matter (hypothesis) ------------------------------------------

def _shuffled(value: Any, rnd: random.Random) -> Any:
    """`value` with every mapping's keys in random order, and items of all/any too."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffled(value[k], rnd) if k not in ("all", "any") else
                rnd.sample([_shuffled(i, rnd) for i in value[k]], len(value[k])) for k in keys}
    if isinstance(value, list):
        return [_shuffled(i, rnd) for i in value]
    return value


def shuffled_pack(seed: int) -> dict:
    """The tiny pack with rules and edges in random order and every mapping's keys shuffled.
    The order of statuses, elements and stages is meaning (model order), so it stays."""
    rnd = random.Random(seed)
    data = _shuffled(TINY_PACK, rnd)
    data["rules"] = rnd.sample(data["rules"], len(data["rules"]))
    data["edges"] = rnd.sample(data["edges"], len(data["edges"]))
    return data


@functools.lru_cache(maxsize=None)
def baseline() -> maturity.Model:
    return maturity.load_pack(write_pack(Path(tempfile.mkdtemp(prefix="baseline-"))))


TINY_FACTS = st.fixed_dictionaries({}, optional={
    "purpose.goals_written": st.booleans(),
    "audience.personas": st.integers(0, 5),
    "platforms.channels": st.lists(st.sampled_from(["linkedin", "facebook", "tiktok"]), unique=True),
    "platforms.measure": st.sampled_from(["none", "reach", "hires"]),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), fact_sets=st.lists(TINY_FACTS, min_size=1, max_size=4))
def test_rule_and_key_order_change_nothing(seed: int, fact_sets: list[dict]):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.yaml"
        path.write_text(yaml.safe_dump(shuffled_pack(seed), sort_keys=False), "utf-8")
        model = maturity.load_pack(path)
    for facts in fact_sets:
        assert outputs(model, facts) == outputs(baseline(), facts)


def test_shuffling_really_reorders_the_pack():
    """Guard for the property above: the shuffled packs do differ in rule and key order."""
    orders = {tuple(r["id"] for r in shuffled_pack(seed)["rules"]) for seed in range(5)}
    keys = {tuple(shuffled_pack(seed)) for seed in range(5)}
    assert len(orders) == 5 and len(keys) > 1
