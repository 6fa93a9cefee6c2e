"""What fired on a bucket's message, remembered by the classes of the values it holds.

Every compiled rule is one pattern on one bucket's message, and every test in it compares one
property with a constant (`compiler._compile_test`: equality, `$neq`, `$lt`/`$lte`/`$gt`/`$gte`,
`$ex`/`$nex`, `$iany` of one item and `$iall` of "not this item"; no test relates two properties).
So whether a rule fires depends only on the outcomes of its tests, and each outcome only on the
value of the one property it reads. A property's **classifier** maps a value to a class such that
two values of one class give the same outcome on every test the pack makes of that property;
what fired on a message is then a function of the classes of its values. The engine remembers it
per **memo group** (the rules of one bucket that read the same properties), keyed by the classes
of those properties, and sends a bucket to durable-rules only when one of its groups meets
classes it has not seen (docs/engine.md, "How a rule is compiled").

Classes are worked out from the compiled definition itself, the very patterns the engine runs.
A class never holds values of two types (bool, int, float, str, list: the engine compares a
string with a number, or `true` with 1, in ways of its own), and where the classifier cannot
show two values equivalent it keeps the value itself (its exact text in the message), which is
what remembering whole messages did: sound by construction.

- absent: `None`;
- a bool: itself (two values, nothing to merge);
- an int or a float within +-2^53 (the engine compares those exactly), when every constant
  compared with the property is such a number: how many of the tests' cuts ("at least c",
  "above c") it passes;
- a string of plain printable ASCII (no quote, no backslash, at most 200 characters, so its
  text in the message is itself), when every constant is such a string and the only tests are
  equality and its opposite: which constant it equals, or none;
- a list of such strings, when the only tests are "contains" and "does not contain" such
  strings: which of those strings it contains, and whether it is empty;
- anything else: the value's type and text (`raw`).
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Callable

LIMIT = 2 ** 53          # as numbers.LIMIT: within it the engine compares numbers exactly
PLAIN_CHARS = 200        # longest string put in a class of its own (compiler.STRING_VALUE)
TAGS = ("k", "g", "sid")
CLASSES_KEPT = 1024      # values whose class a classifier keeps, per type  # round, bucket and session: the same for every message of a bucket

_EQ, _NEQ = "$eq", "$neq"
_ORDER = ("$lt", "$lte", "$gt", "$gte")
_COMPARE = (_EQ, _NEQ, *_ORDER)
_PRESENCE = ("$ex", "$nex")
_ANY, _ALL = "$iany", "$iall"
_OPAQUE = "?"            # a test of a form the classifier does not know: the value is kept raw


class Opaque(Exception):
    """A pattern of a form the memo does not reason about: its rule's group is always sent."""


def rule_tests(pattern: dict) -> dict[str, list[tuple[str, Any]]]:
    """The atomic tests a compiled pattern makes, by property: (operator, constant). The round
    and bucket tags are left out. Opaque for anything but the forms the compiler writes."""
    found: dict[str, list[tuple[str, Any]]] = {}
    _walk(pattern, found)
    for tag in TAGS:
        found.pop(tag, None)
    return found


def _walk(condition: Any, found: dict[str, list[tuple[str, Any]]]) -> None:
    if not isinstance(condition, dict):
        raise Opaque(condition)
    for key, value in condition.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list):
                raise Opaque(condition)
            for item in value:
                _walk(item, found)
        elif key.startswith("$"):
            if not isinstance(value, dict) or len(value) != 1:
                raise Opaque(condition)
            (prop, operand), = value.items()
            if key in _PRESENCE:
                test = (key, None)
            elif key in _COMPARE:
                test = (key, operand) if _constant(operand) else _refuse(condition)
            elif key == _ANY and isinstance(operand, dict) and list(operand) == ["$i"] \
                    and _constant(operand["$i"]):
                test = (_ANY, operand["$i"])
            elif key == _ALL and isinstance(operand, dict) and list(operand) == [_NEQ] \
                    and isinstance(operand[_NEQ], dict) and list(operand[_NEQ]) == ["$i"] \
                    and _constant(operand[_NEQ]["$i"]):
                test = (_ALL, operand[_NEQ]["$i"])
            else:  # a regex, a nested item test, a reference to another fact...
                test = (_OPAQUE, None)
            found.setdefault(prop, []).append(test)
        else:
            found.setdefault(key, []).append((_EQ, value) if _constant(value) else _refuse(condition))


def _constant(value: Any) -> bool:
    return type(value) in (bool, int, float, str)


def _refuse(condition: Any):
    raise Opaque(condition)  # a reference to another property (a join): never compiled


def _plain(value: Any) -> bool:
    """A string whose text in a message is itself, compared by the engine byte for byte."""
    return (type(value) is str and len(value) <= PLAIN_CHARS and value.isascii()
            and value.isprintable() and '"' not in value and "\\" not in value)


def _number(value: Any) -> bool:
    return type(value) in (int, float) and -LIMIT <= value <= LIMIT and math.isfinite(value)


_BASIC = (bool, int, float, str, list, type(None))


def raw(value: Any) -> Any:
    """The class of a value the classifier cannot place: its type and its exact text, so only
    equal messages share it. A value of another type gets a class equal to nothing."""
    kind = type(value)
    if kind not in _BASIC:
        return object()
    if kind is float:
        if not math.isfinite(value):  # the engine refuses it when the message is encoded
            return object()
        return (kind, repr(value))
    return (kind, json.dumps(value))


def classifier(tests: list[tuple[str, Any]]) -> Callable[[Any], Any]:
    """value -> class for a property that the pack tests with `tests` (ABSENT -> None). Two
    values of one class give the same outcome on every one of `tests`."""
    ops = {op for op, _ in tests}
    if _OPAQUE in ops:
        return lambda value: None if value is ABSENT else raw(value)
    compared = [c for op, c in tests if op in _COMPARE]
    items = [c for op, c in tests if op in (_ANY, _ALL)]
    numeric = not items and all(_number(c) for c in compared)
    textual = not items and not (ops & set(_ORDER)) and all(_plain(c) for c in compared)
    listed = not compared and all(_plain(c) for c in items)
    # A number's class: how many of the tests' cuts it passes. Each test is decided by one or
    # two cuts, "v >= c" ($gte, and $lt its opposite) and "v > c" ($gt, $lte); equality takes
    # both. The cuts are nested (passing one passes every lower one), so the count decides
    # every test.
    at_least = sorted({c for op, c in tests if op in ("$gte", "$lt", _EQ, _NEQ)}) if numeric else []
    above = sorted({c for op, c in tests if op in ("$gt", "$lte", _EQ, _NEQ)}) if numeric else []
    texts = {c: n for n, c in enumerate(sorted(set(compared)))} if textual else {}
    members = sorted(set(items)) if listed else []

    # The strings found plain in lists so far, bounded: a list's items are mostly the pack's
    # own values, met again and again, and lists of them too many to keep each one's class.
    plain_items: set[str] = set()

    def all_plain(items: list) -> bool:
        try:
            if plain_items.issuperset(items):
                return True
        except TypeError:  # an unhashable item: not a string
            return False
        if not all(_plain(item) for item in items):
            return False
        if len(plain_items) < CLASSES_KEPT:
            plain_items.update(items)
        return True

    # Classes are ints of distinct residues mod 4, from 4 on (never equal to a bool, None or a
    # raw tuple): 4k+4 an int, 4k+5 a float, 4k+6 a string, 4k+7 a list.
    def place(value: Any, kind: type) -> Any:
        if kind is int or kind is float:
            if numeric and -LIMIT <= value <= LIMIT and (kind is int or math.isfinite(value)):
                passed = bisect_right(at_least, value) + bisect_left(above, value)
                return 4 * passed + (4 if kind is int else 5)
            return raw(value)
        if kind is str:
            if textual and _plain(value):
                return 4 * (texts.get(value, -1) + 1) + 6
            return raw(value)
        if kind is list:
            if listed and all_plain(value):
                mask = 0
                for n, member in enumerate(members):
                    if member in value:
                        mask |= 1 << n
                return 4 * (2 * mask + (not value)) + 7
            return raw(value)
        return raw(value)

    # The classes of the values met, one table per type (1, 1.0 and True are one dict key),
    # bounded; only int classes are kept (a raw class is made again each time).
    seen: dict[type, dict] = {int: {}, float: {}, str: {}, list: {}}

    def classify(value: Any) -> Any:
        kind = type(value)
        if kind is bool:
            return value
        table = seen.get(kind)
        if table is None:
            return None if value is ABSENT else place(value, kind)
        if kind is list:  # a list of strings by its items; anything else placed each time
            try:
                key = tuple(value)
                found = table.get(key)
            except TypeError:
                return place(value, kind)
        else:
            key = value
            found = table.get(key)
        if found is None:
            found = place(value, kind)
            if type(found) is int and len(table) < CLASSES_KEPT:
                table[key] = found
        return found
    return classify


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()  # a property not in the message (an unanswered fact)


@dataclass
class RoundPlan:
    """What the memo needs for one round: the classifiers to run (a property and how to class
    its value; the classes of a round are a list in this order), each bucket's memo groups
    (group number; what takes its key, the classes of its properties, from that list, None for a
    group that is always sent; and for a group of one rule whose pattern is an `$and` of parts
    on separate properties, the rule and what takes each part's key), and the group of every
    rule of the round.

    A group of one rule in parts is remembered part by part too: a part's key is known true
    once the rule fired with it, known false once the rule did not fire while every other
    part's key was known true. When its whole key is not known, the rule fires when every part
    is known true, does not when one is known false (kept under the whole key from then on);
    otherwise its bucket is sent. The parts' keys are far fewer than the whole rule's
    (a sum, not a product), so a rule reading many facts is soon known."""

    classify: list[tuple[str, Callable[[Any], Any]]] = field(default_factory=list)
    buckets: list[tuple[int, list[tuple[int, Callable | None, tuple | None]]]] = \
        field(default_factory=list)
    group_of: dict[str, int] = field(default_factory=dict)
    # bucket -> the places in the list of classes its groups read; None for a bucket with a
    # group that is always sent (an engine reuses a bucket's outcome while those are unchanged)
    slots: dict[int, frozenset[int] | None] = field(default_factory=dict)
    props: list[str] = field(default_factory=list)  # the property of each place in that list


def plan(compiled) -> tuple[dict[int, RoundPlan], int]:
    """The memo's plan for a compiled pack, from its definition: per round, the classifiers to
    run and the memo groups of each bucket; and how many groups there are in all. A group's
    classifier of a property knows only the tests of the group's own rules on it (fewer
    constants, fewer classes, fewer keys to meet)."""
    reads: dict[str, dict[str, list[tuple[str, Any]]] | None] = {}
    for name in compiled.rule_bucket:
        try:
            reads[name] = rule_tests(compiled.definition[name]["all"][0]["m"])
        except (Opaque, KeyError, IndexError, TypeError):
            reads[name] = None
    rounds: dict[int, RoundPlan] = {}
    groups = 0
    # (round, bucket) -> the properties read (or an opaque rule's name) -> group, its tests
    by_bucket: dict[tuple[int, int], dict[Any, tuple[int, dict | None]]] = {}
    members: dict[int, list[str]] = {}
    for name in sorted(compiled.rule_bucket, key=_natural):
        stratum, number = compiled.rule_bucket[name]
        found = reads[name]
        here = by_bucket.setdefault((stratum, number), {})
        key = tuple(sorted(found)) if found is not None else name  # opaque: a group of its own
        if key not in here:
            here[key] = (groups, {} if found is not None else None)
            groups += 1
        group, tests = here[key]
        members.setdefault(group, []).append(name)
        if found is not None:
            for prop, made in found.items():
                # keyed by type too: a set would take (op, 1) and (op, True) for one test
                tests.setdefault(prop, {}).update(((op, type(c), repr(c)), (op, c)) for op, c in made)
        rounds.setdefault(stratum, RoundPlan()).group_of[name] = group
    slots: dict[int, dict[tuple, int]] = {}  # round -> (property, its tests) -> class slot
    for (stratum, number), here in sorted(by_bucket.items()):
        round_plan, taken = rounds[stratum], slots.setdefault(stratum, {})
        found_groups = []
        read: set[int] | None = set()
        for group, tests in here.values():
            if tests is None:
                found_groups.append((group, None, None))
                read = None
                continue
            place: dict[str, int] = {}
            for prop in sorted(tests):
                which = (prop, tuple(sorted(tests[prop], key=repr)))
                if which not in taken:
                    taken[which] = len(round_plan.classify)
                    round_plan.classify.append((prop, classifier(list(tests[prop].values()))))
                    round_plan.props.append(prop)
                place[prop] = taken[which]
            if read is not None:
                read.update(place.values())
            parts = None
            if len(members[group]) == 1:
                name = members[group][0]
                split = components(compiled.definition[name]["all"][0]["m"])
                if len(split) > 1:
                    parts = (name, tuple(_getter([place[p] for p in props]) for props in split))
            found_groups.append((group, _getter(list(place.values())), parts))
        round_plan.buckets.append((number, found_groups))
        round_plan.slots[number] = None if read is None else frozenset(read)
    return rounds, groups


def _getter(places: list[int]) -> Callable[[list], Any]:
    """What takes a key (the classes at `places`) from a round's list of classes."""
    return itemgetter(*places) if places else _nothing


def _nothing(classes: list) -> tuple:
    return ()


def components(pattern: dict) -> list[tuple[str, ...]]:
    """The properties of each independent part of a rule's pattern: when the pattern is an
    `$and`, its items (the tags left out) joined where they share a property. The rule fires
    exactly when every part holds, and each part's truth follows from the classes of its own
    properties. [] for a pattern of another form."""
    items = pattern.get("$and") if isinstance(pattern, dict) and list(pattern) == ["$and"] else None
    if not isinstance(items, list):
        return []
    parts: list[set[str]] = []
    for item in items:
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in TAGS:
            continue
        try:
            props = set(rule_tests(item))
        except Opaque:
            return []
        joined = [part for part in parts if part & props]
        for part in joined:
            parts.remove(part)
            props |= part
        parts.append(props)
    return [tuple(sorted(part)) for part in parts]


def _natural(name: str) -> tuple[int, str]:
    """Rule names (r0, r1, ..., r10) in the order the compiler made them."""
    return (int(name[1:]) if name[1:].isdigit() else -1, name)
