"""Compiling a `Model`'s rules into durable-rules rulesets, within the engine's limits.

Every rule becomes one pattern over one message per bucket (see docs/engine.md). Rules of a
round are packed into buckets; each bucket is sent its own message holding only the
properties its rules test (answered facts, choice counts, from round 1 on element status
ranks and done and disconnected flags, from round 2 on the stage rank), tagged with the
round, the bucket and the session. Buckets keep every node of the engine's matching network
small: the limits below are those of durable-rules 2.0.28's C core, and the packer never
exceeds them. `check_limits` reports, in a pack author's terms, what cannot be packed, from
the very compiled form that will be sent: a pack it accepts always runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import DataError, Problem, sorted_problems
from .model import (GROUP_SUBJECTS, All, Any_, Condition, Model, Not, Rule, Test, FACTS, STATUSES,
                    STAGE, tests_in)
from .questions import SUFFIX, question_rules

# Limits of durable-rules 2.0.28's C core (measured: tests/test_engine_limits.py).
BUCKET_BRANCHES = 40        # alternatives matched in one bucket; the C core's stack holds 64
RULE_BRANCHES = 40          # alternatives of one rule after 'not' is pushed in and 'any' spread out
RULE_TESTS = 48             # tests in one rule
# Each $and/$or of a pattern takes two of the C core's 32 expression entries, and it refuses
# (error 113) a pattern whose entries reach 32: at most 15 $and/$or per pattern.
RULE_EXPRESSIONS = 31
MESSAGE_TAGS = ("k", "g", "sid")  # round, bucket and session, in every message
# The C core stores at most 255 properties of a message (an unsigned char); at 360 it fires
# nothing at all, from ~750 it crashes. Every message we send stays far below.
MESSAGE_PROPERTIES = 128
BUCKET_PROPERTIES = MESSAGE_PROPERTIES - len(MESSAGE_TAGS)
# Buckets are children of their round's node, kept in a 512-slot hash set that the C core
# probes forever once it is full (512 buckets hang the engine; 511 run).
ROUND_BUCKETS = 256
# A ruleset holds at most 4,096 rules (MAX_ACTIONS; the 4,097th is refused with error 106), our
# marker rule included: a larger pack is split into several rulesets, each run in its own
# session, whole buckets to each.
RULESET_RULES = 4000
# A session allocates state for every rule of its ruleset (~0.65 us a rule, measured), and each
# action the engine hands back scans the ruleset's rules for the next: a large pack therefore
# runs faster in rulesets of a few hundred rules, each session deleted as soon as its last round
# is done. A small pack stays in one ruleset (a session costs ~15 us however small).
PART_RULES = 300
STRING_VALUE = 200          # characters of a compared text value

ROUNDS = (FACTS, STATUSES, STAGE)
ROUND_NAMES = {FACTS: "rules that test only facts",
               STATUSES: "rules that test statuses, done or disconnected",
               STAGE: "rules that test the stage"}


@dataclass
class CompiledPack:
    """A pack ready for the engine: ruleset definition, and what to send each bucket."""

    model: Model
    fingerprint: str
    definition: dict[str, dict]               # durable-rules rule name -> rule definition
    rule_names: dict[str, str]                 # durable-rules rule name -> our rule id
    buckets: dict[int, list[int]]              # round -> bucket numbers that have rules
    fact_props: dict[str, str]                 # fact id -> property name
    count_props: dict[str, str]                # choices fact id -> property with its length
    element_props: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # rank, done, disc.
    # (round, bucket) -> the properties its rules test, sorted. Only these are sent to that
    # bucket: a property none of its rules tests cannot change what matches there.
    bucket_props: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    # durable-rules rule name -> expression entries its pattern takes in the C core
    expressions: dict[str, int] = field(default_factory=dict)
    # The rulesets the pack is split into (each also holds the marker rule '__begin'): the
    # rule names of each, and the ruleset each bucket belongs to.
    parts: list[list[str]] = field(default_factory=list)
    bucket_part: dict[tuple[int, int], int] = field(default_factory=dict)
    # group id -> properties with whether all its elements are done, how many are, and their
    # lowest status rank (for the groups some rule tests)
    group_props: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # durable-rules rule name -> (round, bucket): the one message its one pattern can match
    rule_bucket: dict[str, tuple[int, int]] = field(default_factory=dict)


def property_names(model: Model) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, str, str]]]:
    """Short, safe property names for facts, counts and element conclusions."""
    facts = {f.id: f"f{n}" for n, f in enumerate(model.facts)}
    counts = {f.id: f"n{n}" for n, f in enumerate(model.facts) if f.type == "choices"}
    elements = {e.id: (f"r{n}", f"d{n}", f"x{n}") for n, e in enumerate(model.elements)}
    return facts, counts, elements


def group_names(model: Model) -> dict[str, tuple[str, str, str]]:
    """Property names for the groups rules test: all done, done count, lowest status."""
    tested = {t.ref for r in model.rules for t in tests_in(r.when) if t.subject in GROUP_SUBJECTS}
    return {g.id: (f"ga{n}", f"gc{n}", f"gl{n}") for n, g in enumerate(model.groups) if g.id in tested}


_KEPT = "_compiled"  # where a model loaded from the pack cache keeps its compiled form


def keep_compiled(model: Model, compiled: CompiledPack) -> None:
    """Keep `compiled` (made by `compile_pack(model)`) on the model, with what it was made from."""
    model.__dict__[_KEPT] = (_inputs(model), compiled)


def kept_compiled(model: Model) -> CompiledPack | None:
    """The compiled form kept on `model`, if it was made from the model as it is now (a model
    is a plain dataclass: its lists can be changed after it was compiled)."""
    kept = model.__dict__.get(_KEPT)
    if kept is None or kept[1].model is not model or kept[0] != _inputs(model):
        return None
    return kept[1]


def _inputs(model: Model) -> tuple:
    """What compiling reads from a model (compared item by item, by identity first)."""
    return (tuple(model.statuses), tuple(model.elements), tuple(model.edges), tuple(model.stages),
            tuple(model.facts), tuple(model.rules), tuple(model.groups))


def check_limits(model: Model) -> list[Problem]:
    """Every way in which `model` would go beyond what durable-rules can run safely, found in
    the compiled form itself, each at the rule concerned. Empty: `compile_pack` succeeds."""
    if kept_compiled(model) is not None:  # compiled without a problem from this very model
        return []
    return _build(model)[1]


def compile_pack(model: Model) -> CompiledPack:
    """The ruleset definition for `model`; DataError if it cannot run within the engine's
    limits (the same problems `check_limits` lists)."""
    compiled, problems = _build(model)
    if problems:
        raise DataError(sorted_problems(problems))
    return compiled


@dataclass
class _Bucket:
    alternatives: int = 0
    props: set[str] = field(default_factory=set)


def _build(model: Model) -> tuple[CompiledPack, list[Problem]]:
    fact_props, count_props, element_props = property_names(model)
    group_props = group_names(model)
    ctx = _Ctx(model, fact_props, count_props, element_props, group_props)
    problems: list[Problem] = []
    # Each rule compiled once: its condition, the properties it reads and its alternatives.
    compiled_rules = []
    # File order must not matter. Question twins (advice asked while the facts it is about are
    # unanswered, see questions.py) are compiled and checked like any rule.
    flagged: set[str] = set()
    for rule in sorted(model.rules + question_rules(model), key=lambda r: r.id):
        nnf = _nnf(rule.when, False)
        condition = _compile(nnf, ctx)
        props = _properties(condition)
        size = _branches(nnf)
        found = _rule_problems(rule, nnf, condition, props, size)
        if rule.id.endswith(SUFFIX):
            original = rule.id[:-len(SUFFIX)]
            found = [] if original in flagged else [_as_question(p, original) for p in found]
        elif found:
            flagged.add(rule.id)
        problems += found
        compiled_rules.append((rule, condition, props, size))
    definition: dict[str, dict] = {"__begin": {"all": [{"m": {"k": "__begin"}}]}}
    names: dict[str, str] = {}
    buckets: dict[int, list[int]] = {}
    bucket_props: dict[tuple[int, int], tuple[str, ...]] = {}
    expressions: dict[str, int] = {}
    parts: list[list[str]] = [[]]
    bucket_part: dict[tuple[int, int], int] = {}
    rule_bucket: dict[str, tuple[int, int]] = {}
    for stratum in ROUNDS:
        # Rules reading the same properties go together, so each bucket's message stays short.
        ours = sorted((r for r in compiled_rules if r[0].stratum == stratum),
                      key=lambda r: (sorted(map(_prop_key, r[2])), r[0].id))
        packed: list[_Bucket] = []
        for rule, condition, props, size in ours:
            bucket = packed[-1] if packed else None
            if bucket is None or bucket.alternatives + size > BUCKET_BRANCHES \
                    or len(bucket.props | props) > BUCKET_PROPERTIES:
                bucket = _Bucket()
                packed.append(bucket)
                if len(packed) == ROUND_BUCKETS + 1:
                    problems.append(_at(rule, (
                        f"the {ROUND_NAMES[stratum]} need more than {ROUND_BUCKETS} buckets in the "
                        f"engine, from rule '{rule.id}' on; it runs at most {ROUND_BUCKETS} "
                        f"(about {ROUND_BUCKETS * BUCKET_BRANCHES:,} alternatives, or "
                        f"{ROUND_BUCKETS * BUCKET_PROPERTIES:,} facts and elements tested)"),
                        "split the pack into two packs, or merge rules that test the same things"))
            bucket.alternatives += size
            bucket.props |= props
            number = len(packed) - 1
            name = f"r{len(names)}"
            names[name] = rule.id
            if (stratum, number) not in bucket_part:  # a new bucket: does it fit this ruleset?
                if len(parts[-1]) + BUCKET_BRANCHES >= min(RULESET_RULES, PART_RULES):
                    parts.append([])
                bucket_part[(stratum, number)] = len(parts) - 1
            parts[bucket_part[(stratum, number)]].append(name)
            rule_bucket[name] = (stratum, number)
            pattern = _and([{"k": stratum}, {"g": number}, condition])
            definition[name] = {"all": [{"m": pattern}]}
            expressions[name] = 2 * _groups(pattern)
        if packed:
            buckets[stratum] = list(range(len(packed)))
            for number, bucket in enumerate(packed):
                bucket_props[(stratum, number)] = tuple(sorted(bucket.props, key=_prop_key))
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
    return CompiledPack(model, fingerprint, definition, names, buckets, fact_props, count_props,
                        element_props, bucket_props, expressions, parts, bucket_part,
                        group_props, rule_bucket), problems


def engine_violations(compiled: CompiledPack) -> list[str]:
    """What in a compiled pack the engine cannot run: empty for anything `compile_pack` made.
    The engine checks this before it takes a pack, so a change to the packer that broke a
    limit fails loudly instead of silently firing nothing."""
    found = []
    for stratum, numbers in compiled.buckets.items():
        if len(numbers) > ROUND_BUCKETS:
            found.append(f"round {stratum} has {len(numbers)} buckets; at most {ROUND_BUCKETS}")
    for (stratum, number), props in compiled.bucket_props.items():
        if len(props) + len(MESSAGE_TAGS) > MESSAGE_PROPERTIES:
            found.append(f"bucket {number} of round {stratum} is sent {len(props)} properties "
                         f"and {len(MESSAGE_TAGS)} tags; at most {MESSAGE_PROPERTIES}")
    for n, part in enumerate(compiled.parts):
        if len(part) + 1 > RULESET_RULES:
            found.append(f"ruleset {n} has {len(part) + 1} rules; at most {RULESET_RULES}")
    for name, entries in compiled.expressions.items():
        if entries > RULE_EXPRESSIONS:
            found.append(f"rule '{compiled.rule_names[name]}' takes {entries} expression entries; "
                         f"at most {RULE_EXPRESSIONS}")
    return found


def _as_question(problem: Problem, rule_id: str) -> Problem:
    """A problem of a question twin, said of the rule it comes from."""
    message = problem.message.replace(f"rule '{rule_id}{SUFFIX}'", f"rule '{rule_id}', asked as a "
                                      "question while its facts are unanswered,")
    hint = (problem.hint + ", or name fewer facts in 'about'") if problem.hint else problem.hint
    return Problem(problem.file, problem.line, problem.column, message, hint)


def _at(rule: Rule, message: str, hint: str = "") -> Problem:
    return Problem(rule.loc.file, rule.loc.line, rule.loc.column, message, hint)


def _rule_problems(rule: Rule, nnf, condition: dict, props: set[str], size: int) -> list[Problem]:
    problems = []
    tests = _count_tests(rule.when)
    if tests > RULE_TESTS:
        problems.append(_at(rule, f"rule '{rule.id}' has {tests} tests; the engine takes at most {RULE_TESTS}",
                            "split it into several rules"))
    if size > RULE_BRANCHES:
        problems.append(_at(rule, f"rule '{rule.id}' has {size} alternatives once 'any', 'one_of' "
                                  f"and 'not' are spread out; the engine takes at most {RULE_BRANCHES}",
                            "split it into several rules with the same conclusions"))
    # The pattern the rule becomes: its condition under the round and bucket tags.
    groups = _groups(_and([{"k": 0}, {"g": 0}, condition]))
    if 2 * groups > RULE_EXPRESSIONS:
        problems.append(_at(rule, f"rule '{rule.id}' nests {groups - 1} groups of tests; the engine "
                                  f"takes at most {RULE_EXPRESSIONS // 2 - 1}",
                            "each 'any', 'one_of', 'all' inside 'any', and 'not' on a fact or count "
                            "makes one group; split the rule into several rules with the same "
                            "conclusions"))
    if len(props) > BUCKET_PROPERTIES:
        problems.append(_at(rule, f"rule '{rule.id}' reads {len(props)} facts, counts and element "
                                  f"conclusions; the engine takes at most {BUCKET_PROPERTIES}",
                            "split it into several rules"))
    for test in _walk_tests(rule.when):
        for v in (test.value if isinstance(test.value, list) else [test.value]):
            if isinstance(v, str) and len(v) > STRING_VALUE:
                problems.append(Problem(test.loc.file, test.loc.line, test.loc.column,
                                        f"a compared value longer than {STRING_VALUE} characters"))
    return problems


def _groups(condition: dict) -> int:
    """How many $and and $or a compiled condition holds (each takes two expression entries)."""
    count = 0
    for key, value in condition.items():
        if key in ("$and", "$or"):
            count += 1 + sum(_groups(item) for item in value)
    return count


def _prop_key(prop: str) -> tuple[str, int]:
    """Properties in a natural order: f2 before f10."""
    match = re.fullmatch(r"([a-z]+)(\d*)", prop)
    return (match.group(1), int(match.group(2) or -1)) if match else (prop, -1)


def _properties(condition: dict) -> set[str]:
    """The message properties a compiled condition tests."""
    found: set[str] = set()
    for key, value in condition.items():
        if key in ("$and", "$or"):
            for item in value:
                found |= _properties(item)
        elif key.startswith("$"):  # {"$gt": {prop: v}}, {"$nex": {prop: 1}}, {"$iany": {prop: ...}}
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
    groups: dict[str, tuple[str, str, str]] = field(default_factory=dict)


_OPS = {"equals": None, "not_equals": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def _compare(prop: str, op: str, value: Any) -> dict:
    code = _OPS[op]
    return {prop: value} if code is None else {code: {prop: value}}


def _one_of(prop: str, values: list) -> dict:
    return _or([{prop: v} for v in values])


def _or(items: list[dict]) -> dict:
    return _join("$or", items)


def _and(items: list[dict]) -> dict:
    return _join("$and", items)


def _join(op: str, items: list[dict]) -> dict:
    """`items` under `op`, an `op` among them spliced in: each $and/$or costs the C core two of
    a rule's 32 expression entries, and (a and (b and c)) matches what (a and b and c) does."""
    flat = []
    for item in items:
        flat += item[op] if list(item) == [op] else [item]
    return flat[0] if len(flat) == 1 else {op: flat}


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
    if t.subject in GROUP_SUBJECTS:
        all_done, count, lowest = ctx.groups[t.ref]
        if t.subject == "lowest_status":
            return lowest, lambda v: ctx.model.status_by_id[v].rank
        return (all_done if t.subject == "all_done" else count), lambda v: v
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
