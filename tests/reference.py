"""A reference evaluator of the documented rule semantics (docs/engine.md, "Rounds",
"Resolution between rounds", "Unanswered is unknown" and "Advice while its facts are
unanswered"; docs/yaml-format.md, "Conditions"), in plain Python and independent of
maturity/compiler.py, maturity/questions.py and maturity/assess.py. The differential test
(tests/test_differential.py) requires the engine to give what this gives.

It reads a loaded `Model` (the loader decides what a pack means; this decides what it does).
Conditions are evaluated in three-valued (Kleene) logic, True, False or None for unknown, and a
rule fires only when its condition is True. What a test on an unanswered fact gives is decided
in one place, `on_unanswered`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maturity.model import All, Any_, Condition, Model, Not, Rule, Scaled, Test


@dataclass(frozen=True)
class Outcome:
    """What an assessment concludes, in plain values that compare with ==."""

    stage: str
    statuses: tuple[tuple[str, str], ...]   # (element, status id), in model order
    done: tuple[str, ...]                   # elements done, in model order
    disconnected: tuple[str, ...]           # elements disconnected, in model order
    findings: tuple[str, ...]               # finding ids, sorted
    advice: tuple[str, ...]                 # ids of advice given (not asked), sorted
    questions: tuple[str, ...] = ()         # ids of advice asked as questions, sorted


def on_unanswered(test: Test) -> bool | None:
    """What a test on an unanswered fact (or the count of one) gives: unknown, whatever the
    operator, but `present`, which asks exactly whether there is an answer. (Before three-valued
    logic it was False, so that `not` of it held.)"""
    if test.op == "present":
        return test.value is False
    return None


# What a test on a fact an advice item is `about` gives for its question twin: it is let
# through, true and so is its negation.
THROUGH = "through"


def evaluate_answers(model: Model, answers: dict[str, Any]) -> Outcome:
    """`evaluate` for a facts file's `facts:` mapping (docs/yaml-format.md, "Answers" and "How
    rules see them"): a `dont-know` or `not-applicable` answer is the fact's `dont_know` or
    `not_applicable` answer when it has one, else absent as an unanswered fact is; a fact
    recorded as not applicable is settled."""
    states = {"dont-know": "dont_know", "not-applicable": "not_applicable"}
    facts, settled, answered = {}, set(), set()
    for fact_id, value in answers.items():
        value = value.get("answer") if isinstance(value, dict) else value
        answered |= {fact_id} if value is not None else set()
        if isinstance(value, str) and value in states:
            settled |= {fact_id} if value == "not-applicable" else set()
            value = getattr(model.fact_by_id[fact_id], states[value])
        if value is not None:
            facts[fact_id] = value
    return evaluate(model, facts, frozenset(settled), frozenset(answered))


def evaluate(model: Model, facts: dict[str, Any], settled: frozenset[str] = frozenset(),
             answered: frozenset[str] | None = None) -> Outcome:
    """Run `model`'s rules on `facts` (what the rules see of the answers) by the documented
    semantics; `settled`: facts recorded as not applicable, which are never asked about;
    `answered`: the facts with an answer, "don't know" included (default: those in `facts`)."""
    answered = frozenset(facts) if answered is None else answered
    status_rank = {s.id: n for n, s in enumerate(model.statuses)}
    stage_rank = {s.id: n for n, s in enumerate(model.stages)}
    env = _Env(facts, status_rank, stage_rank)
    env.settled = settled
    env.model = model
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
    # A dot with no answer (no status rule fired, none of the facts they test answered) is
    # unknown: its status, done and disconnected, and what rests on them (docs/engine.md).
    set_by = {element for rule in fired for element, _ in rule.status}
    # What the status rules ask about: a threshold's size band is not a question about the dot,
    # nor is any question about the organisation as a whole (a fact of no element).
    deciding = {e.id: {t.ref for r in model.rules if e.id in dict(r.status)
                       for t in _tests(r.when, as_written=True) if t.subject in ("fact", "count")
                       and model.fact_by_id[t.ref].element is not None}
                for e in model.elements}
    env.unknown = {e for e, asked in deciding.items() if asked and e not in set_by and not asked & answered}
    # An answered dot below a done level is open when a rule that would set it at a done level
    # did not fire but could still hold, in three-valued logic, on the questions not answered.
    env.answering = True
    open_ = {element for rule in rounds[0] if rule not in fired for element, level in rule.status
             if element not in env.unknown and not model.statuses[rank[element]].done
             and model.status_by_id[level].done and _holds(rule.when, env) is not False}
    env.answering = False
    done: dict[str, bool | None] = {}

    def is_done(element: str) -> bool | None:
        if element not in done:
            below = [is_done(p) for p in prerequisites[element]]
            own = None if element in open_ else model.statuses[rank[element]].done
            done[element] = (None if element in env.unknown else
                             False if own is False or False in below else
                             None if own is None or None in below else True)
        return done[element]

    def is_disconnected(element: str) -> bool | None:
        below = [env.done[p] for p in prerequisites[element]]
        return (None if element in env.unknown else False if rank[element] == 0 else
                True if False in below else None if None in below else False)

    env.rank = rank
    env.done = {e.id: is_done(e.id) for e in model.elements}
    env.disconnected = {e.id: is_disconnected(e.id) for e in model.elements}

    members: dict[str, list[str]] = {g.id: [] for g in model.groups}
    group_of = {g.id: g.within for g in model.groups}
    for element in model.elements:
        group = element.group
        while group is not None:
            members[group].append(element.id)
            group = group_of[group]
    env.groups = {g: ([env.done[e] for e in m], [None if e in env.unknown else rank[e] for e in m])
                  for g, m in members.items()}

    fired += [r for r in rounds[1] if _holds(r.when, env) is True]
    # Stage: the highest set by a rule that fired in rounds 0 and 1; the first when none did.
    env.stage = max((stage_rank[r.stage] for r in fired if r.stage), default=0)
    fired += [r for r in rounds[2] if _holds(r.when, env) is True]
    asked = [(r, a) for n in range(3) for r in rounds[n] if r not in fired
             for a in r.advice if _asked(r, a, env)]

    order = [e.id for e in model.elements]
    return Outcome(
        stage=model.stages[env.stage].id,
        statuses=tuple((e, model.statuses[rank[e]].id) for e in order),
        done=tuple(e for e in order if env.done[e] is True),
        disconnected=tuple(e for e in order if env.disconnected[e] is True),
        findings=tuple(sorted({f.id for r in fired for f in r.findings})),
        advice=tuple(sorted({a.id for r in fired for a in r.advice})),
        questions=tuple(sorted({a.id for _, a in asked})))


def _asked(rule: Rule, advice, env: "_Env") -> bool:
    """Whether `advice` of a rule that did not fire is asked as a question: its rule's
    condition holds once the tests on the unanswered facts that the rule's advice is about are
    let through, and some fact this advice is about is unanswered, not settled as not
    applicable, and tested by the rule."""
    about = {f for a in rule.advice for f in a.about}
    tested = {t.ref for t in _tests(rule.when) if t.subject in ("fact", "count")}
    env.through = {f for f in about if f not in env.facts}
    try:
        holds = _holds(rule.when, env) is True
    finally:
        env.through = set()
    return holds and any(f not in env.facts and f not in env.settled and f in tested
                         for f in advice.about)


class _Env:
    """What tests read: the answers, then statuses, done and disconnected, then the stage."""

    def __init__(self, facts: dict[str, Any], status_rank: dict[str, int],
                 stage_rank: dict[str, int]):
        self.facts, self.status_rank, self.stage_rank = facts, status_rank, stage_rank
        self.rank: dict[str, int] = {}
        self.done: dict[str, bool | None] = {}          # None: unknown
        self.disconnected: dict[str, bool | None] = {}
        self.unknown: set[str] = set()                   # elements whose status rests on no answer
        self.groups: dict[str, tuple[list[bool], list[int]]] = {}  # done flags, status ranks
        self.stage = 0
        self.through: set[str] = set()  # facts whose tests are let through (question twins)
        self.settled: frozenset[str] = frozenset()  # not applicable: never asked about
        # Reading what could hold once the questions not answered are: every test of such a
        # question is unknown, whether it is answered (`present`) too.
        self.answering = False


def _round(rule: Rule) -> int:
    """The round a rule runs in: the latest kind of conclusion it reads."""
    subjects = {t.subject for t in _tests(rule.when)}
    if "stage" in subjects:
        return 2
    if subjects & {"status", "done", "disconnected", "all_done", "done_count", "lowest_status"}:
        return 1
    return 0


def _tests(condition: Condition, as_written: bool = False) -> list[Test]:
    """The tests in a condition; `as_written`: a test against a threshold as one test of its
    fact, not the size-band tests it runs as."""
    if as_written and isinstance(condition, Scaled):
        return [condition.test]
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Not):
        return _tests(condition.item, as_written)
    return [t for c in condition.items for t in _tests(c, as_written)]


def _holds(condition: Condition, env: _Env, positive: bool = True) -> bool | None:
    """True, False, or None (unknown), in Kleene's logic, of `condition` (of its negation when
    not `positive`): `not` is pushed down to the tests, where a test let through holds either
    way."""
    if isinstance(condition, Not):
        return _holds(condition.item, env, not positive)
    if isinstance(condition, Scaled):
        return _scaled(condition, env, positive)
    if isinstance(condition, (All, Any_)):
        values = [_holds(c, env, positive) for c in condition.items]
        decisive = isinstance(condition, Any_) == positive  # True decides `any`, False `all`
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    value = _test(condition, env)
    if value == THROUGH:
        return True
    return value if value is None or positive else not value


def _scaled(condition: Scaled, env: _Env, positive: bool) -> bool | None:
    """A test against a threshold (docs/yaml-format.md, "Thresholds"), read from what was
    written (`condition.test` and its threshold), never from the plain tests it is compiled to:
    the value for the answer to the threshold's `by` fact, or, when that is unanswered, the
    test in Kleene's logic over every allowed answer (true when it holds for all, false when
    for none). A `by` fact let through (a question twin) holds when some answer makes it hold."""
    t, threshold = condition.test, condition.threshold
    bands = env.model.fact_by_id[threshold.by].values
    values = {dict(threshold.values).get(b, threshold.default) for b in bands}
    if threshold.by in env.facts:
        values = {dict(threshold.values).get(env.facts[threshold.by], threshold.default)}
    results = []
    for value in sorted(values):
        outcome = _test(Test(t.subject, t.ref, t.op, value), env)
        if outcome == THROUGH:
            return True
        results.append(outcome if outcome is None or positive else not outcome)
    if None in results:
        return None
    if threshold.by in env.through and threshold.by not in env.facts:
        return any(results)
    if all(results):
        return True
    return False if not any(results) else None


def _test(t: Test, env: _Env) -> bool | str | None:
    """True, False, None (unknown) or THROUGH."""
    if t.subject in ("fact", "count"):
        if t.ref in env.through and t.op != "present":
            return THROUGH
        if t.ref not in env.facts:
            return None if env.answering else on_unanswered(t)
        if t.op == "present":
            return t.value is True
        value = env.facts[t.ref]
        return _compare(t.op, len(value) if t.subject == "count" else value, t.value)
    if t.subject == "status":
        if t.ref in env.unknown:
            return None
        return _compare(t.op, env.rank[t.ref], _ranks(t.value, env.status_rank))
    if t.subject == "stage":
        return _compare(t.op, env.stage, _ranks(t.value, env.stage_rank))
    if t.subject in ("all_done", "done_count", "lowest_status"):
        done, ranks = env.groups[t.ref]
        if t.subject == "all_done":
            value = False if False in done else None if None in done else True
            return None if value is None else _compare(t.op, value, t.value)
        if t.subject == "done_count":
            return None if None in done else _compare(t.op, done.count(True), t.value)
        known = [r for r in ranks if r is not None]
        lowest = 0 if 0 in known else min(known) if len(known) == len(ranks) else None
        return None if lowest is None else _compare(t.op, lowest, _ranks(t.value, env.status_rank))
    flags = env.done if t.subject == "done" else env.disconnected
    return None if flags[t.ref] is None else _compare(t.op, flags[t.ref], t.value)


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
