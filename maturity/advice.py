"""What a consultant hands over besides the diagnosis: a short ranked list of priorities, the
organisation's strengths, how much of the questionnaire was answered, and which unanswered
questions could change the stage or the next dot, and which cannot change anything, given the
answers (relevance.settled). Built from an assessment; the report renders it (docs/engine.md,
"Advice a client reads")."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .assess import GAP, AdviceResult, Assessment, asked_about, resolve
from .explain import foundations_text, status_said
from .model import PRIORITIES, EFFORTS, Fact, Model, Rule, Test, candidates, tests_in
from .organisation import rule_facts
from .recommend import next_dot, next_dot_id
from .relevance import settled, three_valued

PRIORITY_MIN, PRIORITY_MAX = 5, 7


@dataclass(frozen=True)
class Strength:
    element: str | None
    text: str
    rule: str


def merged(items: list[AdviceResult]) -> list[AdviceResult]:
    """Near-duplicates merged: questions that ask the same unanswered facts become one question
    with each action it may lead to (the first item's place, priority and rule are kept)."""
    out: list[AdviceResult] = []
    asked: dict[tuple, int] = {}
    for x in items:
        if x.kind != "question":
            out.append(x)
            continue
        key = (x.advice.element, x.asks)
        if key not in asked:
            asked[key] = len(out)
            out.append(x)
            continue
        first = out[asked[key]]
        extra = x.action.split(GAP, 1)[-1]  # the action, worded for this organisation
        out[asked[key]] = dataclasses.replace(first, action=f"{first.action} Or: {extra}")
    return out


def priorities(a: Assessment) -> list[AdviceResult]:
    """Five to seven advice items, most important first: high-priority general advice to start
    now (such as "stop and strategise" for a just-do-it organisation), then the next dot's advice, then what
    unblocks the most dots, then the rest by priority and effort. Fewer when fewer are given."""
    nxt = next_dot(a)
    next_id = nxt.result.element.id if nxt else None
    model = a.model
    remaining = {e.element.id for e in a.elements if not e.done}
    unblocks = {e: len(nx.descendants(model.graph, e) & remaining) for e in model.graph}
    rank = {p: n for n, p in enumerate(PRIORITIES)}
    effort = {p: n for n, p in enumerate(EFFORTS)}

    def key(x: AdviceResult) -> tuple:
        element = x.advice.element
        general_high = element is None and x.advice.priority == "high" and x.advice.timeframe == "now"
        return (not general_high, element != next_id, x.kind == "question",
                rank[x.advice.priority], -unblocks.get(element, 0), effort[x.advice.effort],
                model.element_by_id[element].index if element in model.element_by_id else -1,
                x.advice.id)

    ordered = sorted(merged(a.advice), key=key)
    # Every item of the next dot is a priority (up to the maximum); then fill to the minimum.
    chosen = [x for x in ordered if x.advice.element == next_id or key(x)[0] is False][:PRIORITY_MAX]
    for x in ordered:
        if len(chosen) >= PRIORITY_MIN:
            break
        if x not in chosen:
            chosen.append(x)
    return sorted(chosen, key=key)


def strengths(a: Assessment) -> list[Strength]:
    """What the answers show done well: each element at a done level, with the reason of the
    rule that put it there (ahead of its foundations, for one on foundations known not done;
    for one on a dot not answered, that this is not known)."""
    out = []
    for e in a.elements:
        if not e.status.done or not e.evidence:
            continue
        top = e.evidence[0]
        ahead = ("" if e.done else ", ahead of its foundations" if e.element.id not in a.done_unknown else
                 f"; whether its foundations are done is not known ({foundations_text(a, e, verb=False)})")
        said, restated = status_said(e)  # a reason restating the status is said once
        text = f"{said}{ahead}." + (f" {top.because}" if top.because and not restated else "")
        out.append(Strength(e.element.id, text, top.rule))
    return out


def not_answered(a: Assessment) -> tuple[list[Fact], frozenset[str]]:
    """The questions without an answer (not even "don't know" or "not applicable"), in pack
    order, and the ids of those that are settled: no answer to one can make any rule fire,
    given the answers (relevance.settled, the decision `dots interview --skip-settled` makes)."""
    org = a.organisation
    facts = [f for f in a.model.facts if f.id not in org.facts and f.id not in org.answers]
    return facts, settled(a.model, org, [f.id for f in facts])


def coverage(a: Assessment) -> dict:
    """How many questions have an answer, overall and per element (interface b); how many have
    none (`unanswered`), and of those how many are settled (`not_needed`: no answer to one could
    change anything, given the answers)."""
    model, given = a.model, a.organisation.facts
    asked: dict[str | None, list[str]] = {}  # element -> its facts (one pass, not one per element)
    answered = 0
    for f in model.facts:
        asked.setdefault(f.element, []).append(f.id)
        answered += f.id in given
    by_element = []
    for element in model.elements:
        facts = asked.get(element.id, [])
        by_element.append({"id": element.id, "label": element.label,
                           "answered": sum(1 for f in facts if f in given), "total": len(facts)})
    blank, needless = not_answered(a)
    return {"answered": answered, "total": len(model.facts), "unanswered": len(blank),
            "not_needed": len(needless), "by_element": by_element}


def unanswered(a: Assessment) -> list[dict]:
    """The questions without an answer, in pack order, each saying whether some answer to it
    alone would change the stage or the next dot (`could_change`), and whether it is settled
    (`settled`: no answer to it can make any rule fire, given the answers; relevance.settled).
    Whether it could change the stage or the next dot is worked out by resolving the statuses
    and the stage with that answer, for each answer that makes some of the rules deciding them
    (those setting a status or the stage) come out differently (`outcomes`); a settled
    question cannot, and is not tried. Each what-if is resolved with the whole model, by the
    process's engine: it differs from the assessment before it in an answer or two, so the
    engine works out only what those reach (docs/engine.md, "What an engine reuses"), where a
    pack of the deciding rules alone would be compiled and run anew."""
    model, org = a.model, a.organisation
    now = next_dot_id(a)
    statuses = {e.element.id: e.status for e in a.elements}
    tests, _ = fact_tests(model)
    testing: dict[str, list[Rule]] = {}  # fact -> the deciding rules that test it
    for rule in filter(deciding, model.rules):
        for ref in dict.fromkeys(t.ref for t in tests_in(rule.when) if t.subject in ("fact", "count")):
            testing.setdefault(ref, []).append(rule)
    seen = rule_facts(model, org)
    questions = asked_about(model)  # the status questions of the dots not answered
    waking = frozenset().union(*(questions[e] for e in a.unassessed))
    blank, needless = not_answered(a)
    out = []
    for fact in blank:
        changes = False
        rules = testing.get(fact.id, []) if fact.id not in needless else []
        # An answer whose every deciding rule comes out as with no answer, or as with an answer
        # already tried, resolves to what that did: only one answer of each kind is tried. But
        # any answer to a question about a dot not answered makes that dot known to the rules
        # (assess._unassessed), so there even one the rules read as none is tried.
        tried = set() if fact.id in waking else {outcomes(rules, fact.id, None, seen)}
        for value in candidates(fact, tests.get(fact.id, [])) if rules else ():
            kind = outcomes(rules, fact.id, value, seen) if value is not None else None
            if kind is None or kind in tried:
                continue
            tried.add(kind)
            # Statuses and the stage only: no evidence, findings or advice is built.
            other = resolve(model, dataclasses.replace(  # a copy: never touch org's answers
                org, facts={**org.facts, fact.id: value}, answers=dict(org.answers)))
            if other.stage.id != a.stage.id:
                changes = True
                break
            # The next dot follows from the statuses and the stage alone (recommend,
            # targets), so it can only move when a status does.
            if other.statuses != statuses and next_dot_id(other) != now:
                changes = True
                break
        out.append({"fact": fact.id, "element": fact.element, "question": fact.question,
                    "could_change": changes, "settled": fact.id in needless})
    return out


def outcomes(rules: list[Rule], fact_id: str, value: Any, facts: dict[str, Any]) -> tuple:
    """How each rule comes out with `value` the answer to `fact_id` (None: unanswered) and
    `facts` the other answers the rules see, whatever statuses, connection and the stage are:
    True when it fires for all of them, False when for none (three-valued logic, as the
    engine reads conditions: docs/engine.md), else the values of its tests on the fact. Two
    answers with the same outcomes make every rule fire alike, so resolve alike."""

    def test(t: Test, negated: bool, hoping: bool) -> bool | None:
        if t.subject not in ("fact", "count"):
            # Statuses, connection and the stage: unknown, or, `hoping`, whatever helps the
            # rule fire (no choice of them can make it fire if that does not).
            return not negated if hoping else None
        answer = value if t.ref == fact_id else facts.get(t.ref)
        if answer is None and t.op != "present":
            return None  # unanswered is unknown
        return t.passes(answer)

    out: list[Any] = []
    for rule in rules:
        if three_valued(rule.when, lambda t, negated: test(t, negated, False)) is True:
            out.append(True)
        elif three_valued(rule.when, lambda t, negated: test(t, negated, True)) is not True:
            out.append(False)
        else:
            out.append(tuple(test(t, False, False) for t in tests_in(rule.when)
                             if t.subject in ("fact", "count") and t.ref == fact_id))
    return tuple(out)


def fact_tests(model: Model) -> tuple[dict[str, list], set[str]]:
    """Each fact's tests in the pack's rules, and the facts that rules setting a status or the
    stage test (only an answer to one of those can change the stage or the next dot)."""
    tests: dict[str, list] = {}
    decides: set[str] = set()
    for rule in model.rules:
        for t in tests_in(rule.when):
            if t.subject in ("fact", "count"):
                tests.setdefault(t.ref, []).append(t)
                if deciding(rule):
                    decides.add(t.ref)
    return tests, decides


def deciding(rule: Rule) -> bool:
    """Whether a rule sets a status or the stage: the rules that decide the next dot."""
    return bool(rule.status or rule.stage)


def deciding_model(model: Model) -> Model:
    """`model` with only the rules that set a status or the stage. Statuses, the stage and so
    the next dot come from these rules alone (findings and advice are read by no rule), so a
    what-if needs no more; made once per model."""
    kept = model.__dict__.get("_deciding_model")
    if kept is None:
        kept = dataclasses.replace(model, rules=list(filter(deciding, model.rules)), tests=[])
        model.__dict__["_deciding_model"] = kept
    return kept
