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

from typing import Any, Callable

from .model import All, Any_, Condition, Model, Not, Test, tests_in
from .organisation import Organisation, rule_facts


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
    """`condition` in three-valued logic: True, False, or None (unknown), every fact not in
    `facts` and every test on statuses, stages and connection unknown."""
    return three_valued(condition, lambda t, negated: _test(t, facts))


def three_valued(condition: Condition, value: Callable[[Test, bool], bool | None],
                 negated: bool = False) -> bool | None:
    """`condition` in three-valued (Kleene) logic, each test's value (None: unknown) given by
    `value(test, negated)`, `negated` telling whether the test is under an odd number of
    `not`s (for a caller that takes an unknown test as whichever value helps the condition)."""
    if isinstance(condition, Not):
        result = three_valued(condition.item, value, not negated)
        return None if result is None else not result
    if isinstance(condition, (All, Any_)):
        values = [three_valued(c, value, negated) for c in condition.items]
        decisive = isinstance(condition, Any_)  # True decides an any, False an all
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    return value(condition, negated)


def _test(t: Test, facts: dict[str, Any]) -> bool | None:
    if t.subject not in ("fact", "count"):
        return None  # statuses, stages and connection may still change
    answer = facts.get(t.ref)
    if answer is None:
        return None
    try:
        return t.passes(answer)  # the single-test evaluator the engine agrees with
    except (TypeError, KeyError):
        return None


__all__ = ["could_change", "kleene", "three_valued"]
