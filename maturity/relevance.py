"""Which open questions still matter (`dots interview --skip-settled`, and the report's questions
not answered): a question is settled when no answer to it can make any rule fire, whatever the
other open questions turn out to be, given the answers so far. Then it cannot change the stage,
a status, a finding, advice or the next dot.

Each rule that tests the fact is read in three-valued (Kleene) logic, as the engine reads it
(docs/engine.md): the fact itself, every unanswered fact, and every test on statuses, stages
and connection (which other answers may still change) are unknown. A rule whose condition is
then *false* is false for every answer to them; when every rule testing the fact is, the
question is settled. A status question of a dot none of whose status questions has an answer
is never settled: any answer to it makes the dot known to the rules (assess._unassessed), and
rules that test its status may then fire. The test is sound, never calling a question settled
that could matter, and cheap: no rule runs."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .model import All, Any_, Condition, Model, Not, Rule, Test, status_questions, tests_in
from .organisation import Organisation, rule_facts


def could_change(model: Model, organisation: Organisation, fact_id: str) -> bool:
    """False when no answer to `fact_id` can make a rule fire, given the answers so far (the
    other open questions open, whatever their answers will be)."""
    return fact_id not in settled(model, organisation, (fact_id,))


def settled(model: Model, organisation: Organisation, fact_ids: Iterable[str]) -> frozenset[str]:
    """Those of `fact_ids` (questions without an answer) that are settled: no answer to one can
    make any rule fire, given the answers so far (the module's docstring says how)."""
    facts = rule_facts(model, organisation)
    testing = _rules_testing(model)
    waking = _waking(model, organisation)
    found = []
    for fact_id in fact_ids:
        if fact_id in waking:
            continue
        others = {k: v for k, v in facts.items() if k != fact_id} if fact_id in facts else facts
        if all(kleene(rule.when, others) is False for rule in testing.get(fact_id, ())):
            found.append(fact_id)
    return frozenset(found)


def _rules_testing(model: Model) -> dict[str, tuple[Rule, ...]]:
    """Fact -> the rules that test it (or how many items it holds), each once; made once per
    model."""
    kept = model.__dict__.get("_rules_testing")
    if kept is None:
        found: dict[str, dict[str, Rule]] = {}
        for rule in model.rules:
            for t in tests_in(rule.when):
                if t.subject in ("fact", "count"):
                    found.setdefault(t.ref, {})[rule.id] = rule
        kept = model.__dict__["_rules_testing"] = {k: tuple(v.values()) for k, v in found.items()}
    return kept


def _waking(model: Model, organisation: Organisation) -> frozenset[str]:
    """The status questions of the dots none of whose status questions has an answer (not even
    "don't know"): answering one makes such a dot known to the rules."""
    answers = organisation.answers
    waking: set[str] = set()
    for asked in status_questions(model).values():
        if asked.isdisjoint(answers):
            waking |= asked
    return frozenset(waking)


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


__all__ = ["could_change", "kleene", "settled", "three_valued"]
