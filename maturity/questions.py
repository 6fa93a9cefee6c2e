"""Advice asked as a question while the facts it is about are unanswered.

Unanswered means unknown (docs/engine.md): an advice rule fires only when its condition holds
for certain. Its *question twin* holds when the condition may hold: as written, or with a fact
the advice is `about` unanswered and every test on that fact let through. When the twin fires and the rule does not,
the gap may be there but nobody has said: the advice is asked as a question to settle. Twins are
ordinary rules run by the engine in the same rounds; they conclude nothing else.
"""

from __future__ import annotations

from .model import All, Any_, Condition, Model, Not, Rule, Test, tests_in

SUFFIX = "?"  # never part of a rule id written in YAML, so a twin's id is its own


def question_rules(model: Model) -> list[Rule]:
    """The question twin of every rule whose advice names facts it is `about`, by rule id."""
    cached = model.__dict__.get("_question_rules")
    if cached is None:
        cached = model.__dict__["_question_rules"] = [
            twin for twin in (_twin(r) for r in sorted(model.rules, key=lambda r: r.id)) if twin]
    return cached


def _twin(rule: Rule) -> Rule | None:
    about = {f for a in rule.advice for f in a.about}
    tested = {t.ref for t in tests_in(rule.when) if t.subject in ("fact", "count") and t.op != "present"}
    relaxed = sorted(about & tested)
    if not relaxed:
        return None
    when = _nnf(rule.when, False)
    for fact in relaxed:
        # The condition as written, or the fact unanswered and every test on it let through.
        unknown = _let_through(when, fact)
        if unknown is True:  # the fact unanswered is enough; what was there still counts
            when = Any_((when, _unanswered(fact)))
        else:
            when = Any_((when, All((_unanswered(fact), unknown))))
    return Rule(rule.id + SUFFIX, rule.because, when, advice=rule.advice, loc=rule.loc)


def _unanswered(fact: str) -> Test:
    return Test("fact", fact, "present", False)


def _nnf(c: Condition, negate: bool) -> Condition:
    """`c` (negated when `negate`) with 'not' pushed down to single tests."""
    if isinstance(c, Not):
        return _nnf(c.item, not negate)
    if isinstance(c, Test):
        return Not(c) if negate else c
    items = tuple(_nnf(i, negate) for i in c.items)
    return Any_(items) if isinstance(c, All) == negate else All(items)


def _let_through(c: Condition, fact: str):
    """`c` (in negation normal form) with every test on `fact` taken as holding; True when the
    whole condition then holds."""
    if isinstance(c, (Test, Not)):
        t = c.item if isinstance(c, Not) else c
        if t.subject in ("fact", "count") and t.ref == fact and t.op != "present":
            return True
        return c
    items = [_let_through(i, fact) for i in c.items]
    if isinstance(c, All):
        rest = tuple(i for i in items if i is not True)
        return True if not rest else rest[0] if len(rest) == 1 else All(rest)
    if any(i is True for i in items):
        return True
    return Any_(tuple(items))


