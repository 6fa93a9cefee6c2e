"""Which open questions still matter: whether any answer to a fact can change the stage, the
element statuses or the next dot, given the answers so far (the other open questions staying
open). `dots interview --skip-settled` leaves out the questions none can change.

Rules compare a fact with constants only, so the outcome is the same for all answers between
two neighbouring constants: trying one answer of each such stretch (and each constant) tries
them all. A choices fact is tried with every set of its values when there are few enough;
otherwise it is never called settled."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from typing import Any

from .assess import assess
from .model import Fact, Model, tests_in
from .organisation import Answer, Organisation
from .recommend import next_dot

MAX_SUBSETS = 64  # a choices fact with more than 6 values is always asked


def outcome(model: Model, organisation: Organisation) -> tuple:
    """What an answer could change: the stage, every element's status, and the next dot."""
    a = assess(model, organisation)
    nxt = next_dot(a)
    return (a.stage.id, tuple(e.status.id for e in a.elements),
            nxt.result.element.id if nxt else None)


def candidate_answers(model: Model, fact: Fact) -> list[Any] | None:
    """Answers that, between them, give every outcome any answer to `fact` can give; None when
    there are too many to try."""
    if fact.type == "boolean":
        return [True, False]
    if fact.type == "choice":
        return list(fact.values)
    if fact.type == "choices":
        if 2 ** len(fact.values) > MAX_SUBSETS:
            return None
        return [list(c) for n in range(len(fact.values) + 1)
                for c in itertools.combinations(fact.values, n)]
    constants: set[float] = set()
    for rule in model.rules:
        for t in tests_in(rule.when):
            if t.subject == "fact" and t.ref == fact.id and t.op != "present":
                values = t.value if isinstance(t.value, list) else [t.value]
                constants.update(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    points = sorted(constants)
    tries = set(points)
    if points:
        tries.update({points[0] - 1, points[-1] + 1})
        tries.update((a + b) / 2 for a, b in zip(points, points[1:]))
    else:
        tries.add(fact.min if fact.min is not None else 0)
    if fact.type == "integer":  # the whole numbers on each side of every constant
        tries = {n for t in tries for n in (math.floor(t), math.ceil(t), math.floor(t) - 1, math.ceil(t) + 1)}
    low = fact.min if fact.min is not None else -math.inf
    high = fact.max if fact.max is not None else math.inf
    kept = {t for t in tries if low <= t <= high}
    kept.update(b for b in (fact.min, fact.max) if b is not None)
    return sorted(int(t) if fact.type == "integer" else t for t in kept)


def could_change(model: Model, organisation: Organisation, fact_id: str) -> bool:
    """True when some answer to `fact_id` gives another stage, status or next dot than leaving
    it open does, the other answers as they are."""
    fact = model.fact_by_id[fact_id]
    tries = candidate_answers(model, fact)
    if tries is None:
        return True
    facts = {k: v for k, v in organisation.facts.items() if k != fact_id}
    answers = {k: v for k, v in organisation.answers.items() if k != fact_id}
    base = replace(organisation, facts=facts, answers=answers)
    now = outcome(model, base)
    for value in tries:
        changed = replace(base, facts={**facts, fact_id: value}, answers={**answers, fact_id: Answer(value)})
        if outcome(model, changed) != now:
            return True
    return False


__all__ = ["candidate_answers", "could_change", "outcome"]
