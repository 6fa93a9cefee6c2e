"""Compiling a `Model`'s rules into durable-rules rulesets, and checking them against the
engine's limits first.

Every rule becomes one pattern over one fact per round (see docs/engine.md): the round's fact
holds every answered fact, and from round 1 on each element's status rank, done and
disconnected flags, and from round 2 on the stage rank. Rules are grouped into buckets of
bounded size so that no node of the engine's matching network has more children than its C
core can handle (more than 64 matching at once crashes it; ~512 hangs it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem
from .model import All, Any_, Condition, Model, Not, Rule, Test, FACTS, STATUSES, STAGE
from .questions import question_rules

# Limits of durable-rules 2.0.28's C core (see ../shared notes and docs/engine.md), with margin.
BUCKET_BRANCHES = 40        # alternatives matched under one node; the C stack holds 64
RULE_BRANCHES = 40          # alternatives of one rule after 'not' is pushed in and 'any' spread out
RULE_TESTS = 48             # tests in one rule
FACT_PROPERTIES = 240       # properties of one asserted fact; the C core stores at most 255
MAX_RULES = 4000            # buckets per round stay far below the ~512 that hang the engine
STRING_VALUE = 200          # characters of a compared text value

ROUNDS = (FACTS, STATUSES, STAGE)


@dataclass
class CompiledPack:
    """A pack ready for the engine: ruleset definition, and how to fill each round's fact."""

    model: Model
    fingerprint: str
    definition: dict[str, dict]               # durable-rules rule name -> rule definition
    rule_names: dict[str, str]                 # durable-rules rule name -> our rule id
    buckets: dict[int, list[int]]              # round -> bucket numbers that have rules
    fact_props: dict[str, str]                 # fact id -> property name
    count_props: dict[str, str]                # choices fact id -> property with its length
    element_props: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # rank, done, disc.
    # round -> the properties its rules test, sorted (None: all). Only these are sent to the
    # engine: a property no rule of the round tests cannot change what matches in it.
    round_props: dict[int, tuple[str, ...] | None] = field(default_factory=dict)


def property_names(model: Model) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, str, str]]]:
    """Short, safe property names for facts, counts and element conclusions."""
    facts = {f.id: f"f{n}" for n, f in enumerate(model.facts)}
    counts = {f.id: f"n{n}" for n, f in enumerate(model.facts) if f.type == "choices"}
    elements = {e.id: (f"r{n}", f"d{n}", f"x{n}") for n, e in enumerate(model.elements)}
    return facts, counts, elements


def check_limits(model: Model) -> list[Problem]:
    """Every way in which `model` would go beyond what durable-rules can run safely."""
    problems = []
    facts, counts, elements = property_names(model)
    props = len(facts) + len(counts) + 3 * len(elements) + 4
    if props > FACT_PROPERTIES:
        problems.append(Problem(model.source, 0, 0,
                                f"the pack needs {props} properties per engine fact; the engine "
                                f"holds at most {FACT_PROPERTIES}",
                                "use fewer facts or elements (split the model into two packs)"))
    rules = model.rules + question_rules(model)  # the question twins run in the engine too
    if len(rules) > MAX_RULES:
        problems.append(Problem(model.source, 0, 0, f"{len(rules)} rules; at most {MAX_RULES}",
                                "split the pack"))
    for rule in rules:
        loc = rule.loc
        twin = rule.id.endswith("?")
        if twin and any(p.line == loc.line and p.file == loc.file for p in problems):
            continue  # one message a rule: its question form is too big when it is
        tests = _count_tests(rule.when) - sum(1 for t in _walk_tests(rule.when) if twin and t.op == "present")
        if tests > RULE_TESTS:
            problems.append(Problem(loc.file, loc.line, loc.column,
                                    f"rule '{rule.id}' has {tests} tests; the engine takes at most {RULE_TESTS}",
                                    "split it into several rules"))
        branches = _branches(_nnf(rule.when, False))
        if branches > RULE_BRANCHES:
            what = f"rule '{rule.id[:-1]}', asked as a question while its facts are unanswered," \
                if twin else f"rule '{rule.id}'"
            problems.append(Problem(loc.file, loc.line, loc.column,
                                    f"{what} has {branches} alternatives once 'any', 'one_of' "
                                    f"and 'not' are spread out; the engine takes at most {RULE_BRANCHES}",
                                    "split it into several rules with the same conclusions"
                                    + (", or name fewer facts in 'about'" if twin else "")))
        for test in _walk_tests(rule.when):
            for v in (test.value if isinstance(test.value, list) else [test.value]):
                if isinstance(v, str) and len(v) > STRING_VALUE:
                    problems.append(Problem(test.loc.file, test.loc.line, test.loc.column,
                                            f"a compared value longer than {STRING_VALUE} characters"))
    return problems


def compile_pack(model: Model) -> CompiledPack:
    """The ruleset definition for `model`. Call `check_limits` first; the loader does."""
    fact_props, count_props, element_props = property_names(model)
    ctx = _Ctx(model, fact_props, count_props, element_props)
    definition: dict[str, dict] = {"__begin": {"all": [{"m": {"k": "__begin"}}]}}
    names: dict[str, str] = {}
    buckets: dict[int, list[int]] = {}
    read: dict[int, set[str] | None] = {}
    # File order must not matter; question twins (advice asked while its facts are unanswered)
    # are compiled like any rule.
    rules = sorted(model.rules + question_rules(model), key=lambda r: r.id)
    for stratum in ROUNDS:
        bucket, used = 0, 0
        for rule in (r for r in rules if r.stratum == stratum):
            nnf = _nnf(rule.when, False)
            size = _branches(nnf)
            if used and used + size > BUCKET_BRANCHES:
                bucket, used = bucket + 1, 0
            used += size
            name = f"r{len(names)}"
            names[name] = rule.id
            condition = _compile(nnf, ctx)
            definition[name] = {"all": [{"m": {"$and": [{"k": stratum}, {"g": bucket}, condition]}}]}
            props = _properties(condition)
            read[stratum] = None if props is None or read.get(stratum, set()) is None \
                else read.get(stratum, set()) | props
            buckets.setdefault(stratum, [])
            if bucket not in buckets[stratum]:
                buckets[stratum].append(bucket)
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
    return CompiledPack(model, fingerprint, definition, names, buckets, fact_props, count_props,
                        element_props,
                        {n: None if props is None else tuple(sorted(props)) for n, props in read.items()})


def _properties(condition: dict) -> set[str] | None:
    """The fact properties a compiled condition tests; None if it has a shape not known here."""
    found: set[str] = set()
    for key, value in condition.items():
        if key in ("$and", "$or"):
            for item in value:
                inner = _properties(item)
                if inner is None:
                    return None
                found |= inner
        elif key.startswith("$"):  # {"$gt": {prop: v}}, {"$nex": {prop: 1}}, {"$iany": {prop: ...}}
            if not isinstance(value, dict):
                return None
            found |= set(value)
        else:
            found.add(key)  # {prop: value}
    return found


# Negation normal form ----------------------------------------------------------------------
# A condition is rewritten so that 'not' stands only on single tests, which are then compiled
# to the opposite operator. Unanswered means unknown (three-valued, Kleene logic): a condition
# holds for certain exactly when its negation normal form holds with every test on an
# unanswered fact false, negated tests included. So an unanswered fact fails a test and its
# negation alike; only `present` tests ask whether a fact was answered (see docs/engine.md).

_OPPOSITE = {"equals": "not_equals", "not_equals": "equals", "lt": "gte", "gte": "lt",
             "lte": "gt", "gt": "lte"}


@dataclass(frozen=True)
class _Neg:
    """A negated test, after 'not' has been pushed down to it."""

    test: Test


def _nnf(c: Condition, negate: bool):
    if isinstance(c, Test):
        return _Neg(c) if negate else c
    if isinstance(c, Not):
        return _nnf(c.item, not negate)
    items = tuple(_nnf(i, negate) for i in c.items)
    if isinstance(c, All):
        return Any_(items) if negate else All(items)
    return All(items) if negate else Any_(items)


def _branches(c) -> int:
    if isinstance(c, Test):
        return len(c.value) if c.op == "one_of" else 1
    if isinstance(c, _Neg):
        return 2 if c.test.op == "contains" else 1
    if isinstance(c, All):
        total = 1
        for i in c.items:
            total *= _branches(i)
        return total
    return sum(_branches(i) for i in c.items)


def _walk_tests(c: Condition):
    if isinstance(c, Test):
        yield c
    elif isinstance(c, Not):
        yield from _walk_tests(c.item)
    else:
        for i in c.items:
            yield from _walk_tests(i)


def _count_tests(c: Condition) -> int:
    return sum(1 for _ in _walk_tests(c))


# Conditions to durable-rules JSON ----------------------------------------------------------

@dataclass
class _Ctx:
    model: Model
    facts: dict[str, str]
    counts: dict[str, str]
    elements: dict[str, tuple[str, str, str]]


_OPS = {"equals": None, "not_equals": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def _compare(prop: str, op: str, value: Any) -> dict:
    code = _OPS[op]
    return {prop: value} if code is None else {code: {prop: value}}


def _one_of(prop: str, values: list) -> dict:
    return _or([{prop: v} for v in values])


def _or(items: list[dict]) -> dict:
    return items[0] if len(items) == 1 else {"$or": items}


def _and(items: list[dict]) -> dict:
    return items[0] if len(items) == 1 else {"$and": items}


def _compile(c, ctx: _Ctx) -> dict:
    if isinstance(c, All):
        return _and([_compile(i, ctx) for i in c.items])
    if isinstance(c, Any_):
        return _or([_compile(i, ctx) for i in c.items])
    if isinstance(c, _Neg):
        return _compile_test(c.test, ctx, negate=True)
    return _compile_test(c, ctx, negate=False)


def _subject(t: Test, ctx: _Ctx) -> tuple[str, Any]:
    """The property a test reads, and how to turn its value(s) into what is stored there."""
    if t.subject == "fact":
        return ctx.facts[t.ref], lambda v: v
    if t.subject == "count":
        return ctx.counts[t.ref], lambda v: v
    rank, done, disconnected = ctx.elements.get(t.ref, ("", "", ""))
    if t.subject == "status":
        return rank, lambda v: ctx.model.status_by_id[v].rank
    if t.subject == "done":
        return done, lambda v: v
    if t.subject == "disconnected":
        return disconnected, lambda v: v
    return "st", lambda v: ctx.model.stage_by_id[v].rank


def _compile_test(t: Test, ctx: _Ctx, negate: bool) -> dict:
    prop, convert = _subject(t, ctx)
    op, value = t.op, t.value
    if op == "present":
        present = bool(value) != negate
        return {"$ex" if present else "$nex": {prop: 1}}
    if op == "contains":
        if not negate:
            return {"$iany": {prop: {"$i": value}}}
        count = ctx.counts[t.ref]
        return {"$or": [{count: 0}, {"$iall": {prop: {"$neq": {"$i": value}}}}]}
    if op == "one_of":
        values = [convert(v) for v in value]
        test = _and([{"$neq": {prop: v}} for v in values]) if negate else _one_of(prop, values)
    else:
        test = _compare(prop, _OPPOSITE[op] if negate else op, convert(value))
    return test
