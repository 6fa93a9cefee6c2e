"""Conditions as plain text, for telling a consultant what a rule still needs.

This only *describes* a rule's condition next to the answers given; whether a rule fires is
decided by the engine alone."""

from __future__ import annotations

from typing import Any

from .model import All, Any_, Condition, Model, Not, Status, Test

_OPS = {"equals": "is", "not_equals": "is not", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=",
        "one_of": "is one of", "contains": "includes"}


def answer(value: Any) -> str:
    """An answer as a consultant reads it."""
    if value is None:
        return "unanswered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    return str(value)


def condition_text(condition: Condition, facts: dict[str, Any]) -> str:
    """`condition` in words, each fact test followed by the answer given (now: ...)."""
    # Parts are sorted so that the order in which tests were written changes nothing.
    if isinstance(condition, All):
        return "; ".join(sorted(_part(c, facts) for c in condition.items))
    if isinstance(condition, Any_):
        return "one of: " + " | ".join(sorted(_part(c, facts) for c in condition.items))
    if isinstance(condition, Not):
        return f"not ({condition_text(condition.item, facts)})"
    return _test_text(condition, facts)


def _part(condition: Condition, facts: dict[str, Any]) -> str:
    text = condition_text(condition, facts)
    return f"({text})" if isinstance(condition, (All, Any_)) else text


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return answer(value) if isinstance(value, bool) else str(value)


def _test_text(t: Test, facts: dict[str, Any]) -> str:
    if t.op == "present":
        return f"{t.ref} {'is answered' if t.value else 'is unanswered'}"
    if t.subject == "fact":
        return f"{t.ref} {_OPS[t.op]} {_value(t.value)} (now: {answer(facts.get(t.ref))})"
    if t.subject == "count":
        given = facts.get(t.ref)
        now = "unanswered" if given is None else str(len(given)) if isinstance(given, list) else str(given)
        return f"number of {t.ref} {_OPS[t.op]} {_value(t.value)} (now: {now})"
    if t.subject == "stage":
        return f"stage {_OPS[t.op]} {_value(t.value)}"
    if t.subject == "all_done":
        return f"every element of {t.ref} done {_OPS[t.op]} {_value(t.value)}"
    if t.subject == "done_count":
        return f"number of done elements of {t.ref} {_OPS[t.op]} {_value(t.value)}"
    if t.subject == "lowest_status":
        return f"lowest status in {t.ref} {_OPS[t.op]} {_value(t.value)}"
    return f"{t.subject} of {t.ref} {_OPS[t.op]} {_value(t.value)}"


def what_done_needs(model: Model, element_id: str, facts: dict[str, Any]) -> list[str]:
    """For an element not yet at a done level: each rule that would make it done (at the
    lowest done level), with its condition in words."""
    done_levels = [s for s in model.statuses if s.done]
    if not done_levels:
        return []
    for level in done_levels:  # the lowest done level that some rule can set
        rules = sorted((r for r in model.rules if (element_id, level.id) in r.status),
                       key=lambda r: r.id)
        if rules:
            return [f"to be {level.label.lower()} (rule {r.id}): {condition_text(r.when, facts)}"
                    for r in rules]
    return []


def what_level_needs(model: Model, element_id: str, level: Status, facts: dict[str, Any]) -> list[str]:
    """Each rule that would raise an element to `level` or above (the lowest such level some
    rule sets), with its condition in words."""
    for status in model.statuses[level.rank:]:
        rules = sorted((r for r in model.rules if (element_id, status.id) in r.status), key=lambda r: r.id)
        if rules:
            return [f"to be {status.label.lower()} (rule {r.id}): {condition_text(r.when, facts)}"
                    for r in rules]
    return []


__all__ = ["answer", "condition_text", "what_done_needs", "what_level_needs"]
