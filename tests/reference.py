"""A reference evaluator of the documented rule semantics (docs/engine.md, "Rounds" and
"Resolution between rounds"; docs/yaml-format.md, "Conditions"), in plain Python and
independent of maturity/compiler.py and maturity/assess.py. The differential test
(tests/test_differential.py) requires the engine to give what this gives.

It reads a loaded `Model` (the loader decides what a pack means; this decides what it does).
Conditions are evaluated in three-valued (Kleene) logic, True, False or None for unknown, and a
rule fires only when its condition is True. Under today's documented semantics no test is ever
unknown, so this is plain two-valued logic; what a test on an unanswered fact gives is decided
in one place, `on_unanswered`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maturity.model import All, Any_, Condition, Model, Not, Rule, Test


@dataclass(frozen=True)
class Outcome:
    """What an assessment concludes, in plain values that compare with ==."""

    stage: str
    statuses: tuple[tuple[str, str], ...]   # (element, status id), in model order
    done: tuple[str, ...]                   # elements done, in model order
    disconnected: tuple[str, ...]           # elements disconnected, in model order
    findings: tuple[str, ...]               # finding ids, sorted
    advice: tuple[str, ...]                 # advice ids, sorted


def on_unanswered(test: Test) -> bool | None:
    """What a test on an unanswered fact (or the count of one) gives. Documented today: it
    fails every test but `present: false`, so `not` of it holds. (With three-valued logic for
    unanswered facts this returns None, unknown, for every operator but `present`.)"""
    if test.op == "present":
        return test.value is False
    return False


def evaluate(model: Model, facts: dict[str, Any]) -> Outcome:
    """Run `model`'s rules on `facts` (answered facts only) by the documented semantics."""
    status_rank = {s.id: n for n, s in enumerate(model.statuses)}
    stage_rank = {s.id: n for n, s in enumerate(model.stages)}
    env = _Env(facts, status_rank, stage_rank)
    rounds: list[list[Rule]] = [[], [], []]
    for rule in model.rules:
        rounds[_round(rule)].append(rule)

    fired = [r for r in rounds[0] if _holds(r.when, env) is True]
    # Status: the highest level set by a rule that fired; the lowest when none did.
    rank = {e.id: 0 for e in model.elements}
    for rule in fired:
        for element, level in rule.status:
            rank[element] = max(rank[element], status_rank[level])
    prerequisites = {e.id: [d.source for d in model.edges if d.target == e.id]
                     for e in model.elements}
    done: dict[str, bool] = {}

    def is_done(element: str) -> bool:
        if element not in done:
            done[element] = (model.statuses[rank[element]].done
                             and all(is_done(p) for p in prerequisites[element]))
        return done[element]

    env.rank = rank
    env.done = {e.id: is_done(e.id) for e in model.elements}
    env.disconnected = {e.id: rank[e.id] > 0 and not all(env.done[p] for p in prerequisites[e.id])
                        for e in model.elements}

    fired += [r for r in rounds[1] if _holds(r.when, env) is True]
    # Stage: the highest set by a rule that fired in rounds 0 and 1; the first when none did.
    env.stage = max((stage_rank[r.stage] for r in fired if r.stage), default=0)
    fired += [r for r in rounds[2] if _holds(r.when, env) is True]

    order = [e.id for e in model.elements]
    return Outcome(
        stage=model.stages[env.stage].id,
        statuses=tuple((e, model.statuses[rank[e]].id) for e in order),
        done=tuple(e for e in order if env.done[e]),
        disconnected=tuple(e for e in order if env.disconnected[e]),
        findings=tuple(sorted({f.id for r in fired for f in r.findings})),
        advice=tuple(sorted({a.id for r in fired for a in r.advice})))


class _Env:
    """What tests read: the answers, then statuses, done and disconnected, then the stage."""

    def __init__(self, facts: dict[str, Any], status_rank: dict[str, int],
                 stage_rank: dict[str, int]):
        self.facts, self.status_rank, self.stage_rank = facts, status_rank, stage_rank
        self.rank: dict[str, int] = {}
        self.done: dict[str, bool] = {}
        self.disconnected: dict[str, bool] = {}
        self.stage = 0


def _round(rule: Rule) -> int:
    """The round a rule runs in: the latest kind of conclusion it reads."""
    subjects = {t.subject for t in _tests(rule.when)}
    if "stage" in subjects:
        return 2
    if subjects & {"status", "done", "disconnected"}:
        return 1
    return 0


def _tests(condition: Condition) -> list[Test]:
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Not):
        return _tests(condition.item)
    return [t for c in condition.items for t in _tests(c)]


def _holds(condition: Condition, env: _Env) -> bool | None:
    """True, False, or None (unknown), in Kleene's logic."""
    if isinstance(condition, Not):
        value = _holds(condition.item, env)
        return None if value is None else not value
    if isinstance(condition, (All, Any_)):
        values = [_holds(c, env) for c in condition.items]
        decisive = isinstance(condition, Any_)  # True decides `any`, False decides `all`
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    return _test(condition, env)


def _test(t: Test, env: _Env) -> bool | None:
    if t.subject in ("fact", "count"):
        if t.ref not in env.facts:
            return on_unanswered(t)
        if t.op == "present":
            return t.value is True
        value = env.facts[t.ref]
        return _compare(t.op, len(value) if t.subject == "count" else value, t.value)
    if t.subject == "status":
        return _compare(t.op, env.rank[t.ref], _ranks(t.value, env.status_rank))
    if t.subject == "stage":
        return _compare(t.op, env.stage, _ranks(t.value, env.stage_rank))
    flags = env.done if t.subject == "done" else env.disconnected
    return _compare(t.op, flags[t.ref], t.value)


def _ranks(value: Any, ranks: dict[str, int]) -> Any:
    return [ranks[v] for v in value] if isinstance(value, list) else ranks[value]


def _compare(op: str, value: Any, expected: Any) -> bool:
    """One operator on an answered value, with exact (mathematical) number comparison."""
    if op == "equals":
        return _same(value, expected)
    if op == "not_equals":
        return not _same(value, expected)
    if op == "one_of":
        return any(_same(value, e) for e in expected)
    if op == "contains":
        return any(_same(v, expected) for v in value)
    return {"lt": value < expected, "lte": value <= expected,
            "gt": value > expected, "gte": value >= expected}[op]


def _same(a: Any, b: Any) -> bool:
    """Equal, and a yes/no is never equal to a number (Python says True == 1)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b
