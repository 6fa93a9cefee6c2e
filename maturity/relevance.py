"""Which open questions still matter (`dots interview --skip-settled`): a question is settled
when no answer to it can make any rule fire, whatever the other open questions turn out to be,
given the answers so far. Then it cannot change the stage, a status or the next dot.

Each rule that tests the fact is read in three-valued (Kleene) logic, as the engine reads it
(docs/engine.md): the fact itself, every unanswered fact, and every test on statuses, stages
and connection (which other answers may still change) are unknown. A rule whose condition is
then *false* is false for every answer to them; when every rule testing the fact is, the
question is settled. The test is sound, never calling a question settled that could matter,
and cheap: no rule runs."""

from __future__ import annotations

from typing import Any

from .model import All, Any_, Condition, Model, Not, Test, tests_in
from .organisation import Organisation, rule_facts

_COMPARE = {"equals": lambda a, b: a == b, "not_equals": lambda a, b: a != b,
            "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
            "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
            "one_of": lambda a, b: a in b, "contains": lambda a, b: b in a}


def could_change(model: Model, organisation: Organisation, fact_id: str) -> bool:
    """False when no answer to `fact_id` can make a rule fire, given the answers so far (the
    other open questions open, whatever their answers will be)."""
    facts = {k: v for k, v in rule_facts(model, organisation).items() if k != fact_id}
    for rule in model.rules:
        if any(t.subject in ("fact", "count") and t.ref == fact_id for t in tests_in(rule.when)):
            if kleene(rule.when, facts) is not False:
                return True
    return False


def kleene(condition: Condition, facts: dict[str, Any]) -> bool | None:
    """`condition` in three-valued logic: True, False, or None (unknown)."""
    if isinstance(condition, Not):
        value = kleene(condition.item, facts)
        return None if value is None else not value
    if isinstance(condition, (All, Any_)):
        values = [kleene(c, facts) for c in condition.items]
        decisive = isinstance(condition, Any_)  # True decides an any, False an all
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    return _test(condition, facts)


def _test(t: Test, facts: dict[str, Any]) -> bool | None:
    if t.subject not in ("fact", "count"):
        return None  # statuses, stages and connection may still change
    if t.ref not in facts:
        return None
    if t.op == "present":
        return bool(t.value)
    value = facts[t.ref]
    if t.subject == "count":
        value = len(value)
    try:
        return bool(_COMPARE[t.op](value, t.value))
    except (TypeError, KeyError):
        return None


__all__ = ["could_change", "kleene"]
