"""The maturity model as plain types: elements and their dependency graph, status levels,
stages, facts and rules. Built by `pack.load_pack`; read by every other module."""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Union

import networkx as nx

from . import numbers


@dataclass(frozen=True)
class Loc:
    """Where something was written: file, line and column (1-based)."""

    file: str = ""
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    description: str
    done: bool
    color: str
    rank: int
    loc: Loc = Loc()


@dataclass(frozen=True)
class Element:
    id: str
    label: str
    description: str
    index: int
    loc: Loc = Loc()
    group: str | None = None  # the group it is in (a sub-dimension's id when it has one)


@dataclass(frozen=True)
class Group:
    """A group of elements (a dimension, a level), optionally within another group."""

    id: str
    label: str
    description: str
    index: int
    within: str | None = None
    loc: Loc = Loc()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    because: str
    loc: Loc = Loc()


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    description: str
    rank: int
    loc: Loc = Loc()


FACT_TYPES = ("boolean", "integer", "number", "choice", "choices")


@dataclass(frozen=True)
class Fact:
    id: str
    element: str | None
    type: str
    question: str
    help: str
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    loc: Loc = Loc()
    # The answer rules see when the consultant records "don't know" / "not applicable"
    # (None: the fact is absent for the rules, as if unanswered). See docs/yaml-format.md.
    dont_know: Any = None
    not_applicable: Any = None
    # (value, label) for the values of a choice or choices fact that have a display label, in
    # the order of `values`: what people read for an answer (`labels:` in a pack).
    labels: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _label_by_value(self) -> dict[str, str]:
        return dict(self.labels)

    def label_of(self, value: Any) -> str:
        """One answer value as people read it: its label, or, without one, the value as
        written (an id is never made into words). Every output words a choice so; machine
        formats (JSON, facts files) keep the id."""
        if type(value) is str:
            label = self._label_by_value.get(value)
            if label is not None:
                return label
        return str(value)

    def labels_of(self, values: Any) -> list[str]:
        """A `choices` answer (a list of values) as people read it, each as `label_of` words it."""
        return [self.label_of(v) for v in values]

    @cached_property
    def _named(self) -> dict[str, str]:
        named = {name_key(label): value for value, label in self.labels}
        named.update((name_key(v), v) for v in self.values)
        return named

    def value_named(self, text: str) -> str | None:
        """The value a respondent's `text` names: its id or its label, in any case and spacing
        (\"x (twitter)\" is x_twitter); None when it names none."""
        return self._named.get(name_key(text)) if self.values else None

    def value_like(self, text: str) -> str | None:
        """The value whose id or label `text` comes closest to, as a typo of it; None when none
        is close (for a "did you mean" hint)."""
        import difflib
        close = difflib.get_close_matches(name_key(text), sorted(self._named), n=1, cutoff=0.6)
        return self._named[close[0]] if close else None


def name_key(text: str) -> str:
    """A value's id or label as typed answers are matched with it: trimmed, runs of spaces as
    one, any case, a typographic apostrophe as a plain one."""
    return " ".join(text.replace("\u2019", "'").split()).casefold()


def split_named(fact: Fact, text: str, separators: str) -> list[str]:
    """`text`, an answer of several of `fact`'s values, split at `separators` (a regular
    expression), except inside a run of parts that together name a value (a label may hold a
    separator: "Photos, video" or "Job ads"); each part trimmed, empty ones left out. What each
    part names is for the caller to find (a number, an id or a label)."""
    pieces = re.split(f"({separators})", text)
    parts, between = pieces[0::2], pieces[1::2]
    if len(parts) > 1 and any(re.search(separators, label) for _, label in fact.labels):
        merged, i = [], 0
        while i < len(parts):
            for j in range(len(parts) - 1, i, -1):  # the longest run that names a value
                run = parts[i] + "".join(between[k] + parts[k + 1] for k in range(i, j))
                if fact.value_named(run) is not None:
                    merged.append(run)
                    i = j + 1
                    break
            else:
                merged.append(parts[i])
                i += 1
        parts = merged
    return [p.strip() for p in parts if p.strip()]


# Conditions -------------------------------------------------------------------------------

# Tests of a group read every element in it (and in its sub-groups): whether all are done, how
# many are done, and the lowest status among them. Resolved between rounds, as done is.
GENERAL = "About the organisation"  # the heading of the questions of no element
GROUP_SUBJECTS = ("all_done", "done_count", "lowest_status")
SUBJECTS = ("fact", "count", "status", "done", "disconnected", "stage") + GROUP_SUBJECTS


@dataclass(frozen=True)
class Test:
    """One test: a subject (`fact: purpose.goals_written`) and one operator (`equals: true`)."""

    __test__ = False  # not a pytest test class

    subject: str
    ref: str
    op: str
    value: Any
    loc: Loc = Loc()

    def passes(self, answer: Any) -> bool:
        """Whether the answer (None: unanswered) passes this test, as the compiled rule decides:
        an unanswered fact passes only `present: false`; true is never 1."""
        op = self.op
        if op == "present":
            return (answer is not None) == bool(self.value)
        if answer is None:
            return False
        value = len(answer) if self.subject == "count" else answer
        want = self.value
        # the commonest first: assessing reads some tests directly (assess._open)
        if op == "equals":
            return _same(value, want)
        if op == "not_equals":
            return not _same(value, want)
        if op == "contains":
            return want in value
        if op == "one_of":
            return any(_same(value, w) for w in want)
        return _ORDER[op](value, want)


def _same(a: Any, b: Any) -> bool:
    """Equal as the engine compares: true is never 1."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


_ORDER = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


def candidates(fact: Fact, tests: list[Test]) -> list[Any]:
    """None (no answer) and allowed answers such that, if any answer passes the tests, one of
    these does. For numbers: every constant, the numbers just around it and between two of them;
    whole numbers near a constant for whole-number facts."""
    out: list[Any] = [None]
    if fact.type == "boolean":
        return out + [True, False]
    if fact.type == "choice":
        return out + list(fact.values)
    if fact.type == "choices":
        wanted = list(dict.fromkeys(t.value for t in tests if t.op == "contains"))
        others = [v for v in fact.values if v not in wanted]
        return out + [wanted + others[:k] for k in range(len(others) + 1)]
    # The values as written, not made floats: a whole number beyond 2^53 would change. Python
    # compares them exactly, as the engine does for the numbers a pack may hold (numbers.py).
    constants = sorted({v for t in tests if t.op not in ("present", "contains")
                        for v in (t.value if t.op == "one_of" else [t.value])}
                       | {x for x in (fact.min, fact.max) if x is not None} | {0})
    if fact.type == "integer":
        points = {math.floor(c) + d for c in constants for d in (-1, 0, 1, 2)}
    else:
        points = set(constants) | {c + d for c in constants for d in (-1, 1)} \
            | {(a + b) / 2 for a, b in zip(constants, constants[1:])}
    return out + sorted(p for p in points if (fact.min is None or p >= fact.min)
                        and (fact.max is None or p <= fact.max) and numbers.exact(p))


@dataclass(frozen=True)
class All:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class Any_:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    item: "Condition"


Condition = Union[Test, All, Any_, Not]


# Thresholds that scale with the organisation ------------------------------------------------

SCALABLE_OPS = ("lt", "lte", "gt", "gte")


@dataclass(frozen=True)
class Threshold:
    """A named number that depends on the answer to a choice fact (`by`), such as how many
    research sources an organisation of each size band needs. `values` gives it per answer;
    `default` for the answers not listed (None: every answer is listed)."""

    id: str
    by: str
    default: Any
    values: tuple[tuple[str, Any], ...]
    description: str = ""
    loc: Loc = Loc()

    def value_for(self, band: str) -> Any:
        return dict(self.values).get(band, self.default)

    def table(self, bands: tuple[str, ...]) -> list[tuple[str, Any]]:
        """(band, value) for every allowed answer of the `by` fact, in its order."""
        return [(b, self.value_for(b)) for b in bands]


def strictest(op: str, values) -> Any:
    """Of several thresholds for `op`, the one that holds only when every one of them does."""
    return max(values) if op in ("gt", "gte") else min(values)


@dataclass(frozen=True)
class Scaled(Any_):
    """A test against a threshold (`{count: x, gte: {threshold: t}}`), kept for wording, with
    `items` its meaning in plain tests: for each group of size bands sharing a value, the band
    one of them and the test against that value; with the strictest value, also the band
    unanswered, so that it holds for every band (unknown otherwise: docs/engine.md).
    Everything that reads conditions as `Any_` reads `items`; wording reads `test`."""

    test: Test = None            # the test as written, its value the threshold id
    threshold: Threshold = None
    bands: tuple[str, ...] = ()  # the allowed answers of the threshold's `by` fact

    def resolved(self, facts: dict, negate: bool = False) -> tuple[Test, str | None]:
        """The plain test that applies given `facts`, and the band it applies for (None when
        the band is unanswered: then the value that holds only if it holds for every band,
        or, `negate`d, whose opposite does)."""
        band = facts.get(self.threshold.by)
        if band in self.bands:
            value = self.threshold.value_for(band)
        else:
            values = [v for _, v in self.threshold.table(self.bands)]
            op = self.test.op if not negate else {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}[self.test.op]
            value = strictest(op, values)
            band = None
        t = self.test
        return Test(t.subject, t.ref, t.op, value, t.loc), band


_PLACEHOLDER = re.compile(r"\{threshold:([a-z][a-z0-9_]*)\}")


def number_text(value: Any) -> str:
    """A number as people write it: 2, not 2.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def scaled(test: Test, threshold: Threshold, bands: tuple[str, ...]) -> Scaled:
    """`test` (its value a threshold id) as a condition the engine runs (see `Scaled`)."""
    groups: dict[Any, list[str]] = {}
    for band, value in threshold.table(bands):
        groups.setdefault(value, []).append(band)
    strict = strictest(test.op, list(groups))
    items: list[Condition] = []
    for value, members in groups.items():
        band_test: Condition = (Test("fact", threshold.by, "equals", members[0], test.loc)
                                if len(members) == 1 else
                                Test("fact", threshold.by, "one_of", members, test.loc))
        if value == strict:  # the bands with the strictest value, or none given: one group less
            band_test = Any_((band_test, Test("fact", threshold.by, "present", False, test.loc)))
        items.append(All((band_test, Test(test.subject, test.ref, test.op, value, test.loc))))
    return Scaled(tuple(items), test, threshold, tuple(bands))


def tests_in(condition: Condition) -> list[Test]:
    """Every test in a condition, in the order written."""
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Not):
        return tests_in(condition.item)
    return [t for item in condition.items for t in tests_in(item)]


def asked_in(condition: Condition) -> list[Test]:
    """Every test in a condition as written: a test against a threshold is one test of its
    fact, without the tests of the size band that pick its number (`Scaled`). What a rule asks
    about, as opposed to what it reads."""
    if isinstance(condition, Scaled):
        return [condition.test]
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Not):
        return asked_in(condition.item)
    return [t for item in condition.items for t in asked_in(item)]


def status_questions(model: "Model") -> dict[str, frozenset[str]]:
    """Each element's status questions: the facts the rules setting its status ask about
    (`asked_in`), leaving out the size band a threshold's number depends on and any question
    about the organisation as a whole (a fact of no element, such as its size), which say what
    counts, not whether any work is done. At least one of them must be answered for a dot's
    status to rest on an answer (assess._unassessed); made once per model."""
    kept = model.__dict__.get("_status_questions")
    if kept is None:
        found: dict[str, set[str]] = {e.id: set() for e in model.elements}
        for rule in model.rules:
            asked = {t.ref for t in asked_in(rule.when) if t.subject in ("fact", "count")
                     and model.fact_by_id[t.ref].element is not None}
            for element_id in dict.fromkeys(x for x, _ in rule.status):
                found[element_id] |= asked
        kept = model.__dict__["_status_questions"] = {e: frozenset(f) for e, f in found.items()}
    return kept


# Conclusions and rules --------------------------------------------------------------------

SEVERITIES = ("high", "medium", "low", "info")


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    element: str | None
    message: str


PRIORITIES = ("high", "medium", "low")
EFFORTS = ("small", "medium", "large")        # days, weeks, months of work
TIMEFRAMES = ("now", "quarter", "year")       # start within a month, this quarter, this year
ADVICE_KINDS = ("action", "reanchor")         # a "question" is derived, never written


@dataclass(frozen=True)
class Advice:
    """Something to do. `about` names the facts whose answers show the gap it closes: the
    advice is given when they show it, and asked as a question while they are unanswered."""

    id: str
    element: str | None
    action: str
    about: tuple[str, ...] = ()
    priority: str = "medium"
    effort: str = "medium"
    timeframe: str = "quarter"
    kind: str = "action"


# Strata: rules are run in three rounds so that a rule can rely on every conclusion it reads
# being final (durable-rules has no truth maintenance; see docs/engine.md).
FACTS, STATUSES, STAGE = 0, 1, 2


@dataclass(frozen=True)
class Rule:
    id: str
    because: str
    when: Condition
    status: tuple[tuple[str, str], ...] = ()  # (element, level) pairs
    stage: str | None = None
    findings: tuple[Finding, ...] = ()
    advice: tuple[Advice, ...] = ()
    loc: Loc = Loc()

    @property
    def stratum(self) -> int:
        """The round the rule runs in: the latest kind of conclusion it reads."""
        reads = {t.subject for t in tests_in(self.when)}
        if "stage" in reads:
            return STAGE
        if reads & {"status", "done", "disconnected", *GROUP_SUBJECTS}:
            return STATUSES
        return FACTS


@dataclass(frozen=True)
class TestCase:
    """A pack's test case: facts in, expected assessment out (run by `testing.run_tests`)."""

    __test__ = False  # not a pytest test class, whatever its name

    id: str
    description: str
    facts: dict
    expect: dict
    loc: Loc = Loc()
    # The YAML document and the path of the case in it, so that a bad fact or expected id in
    # a case is reported at its own line and column.
    doc: Any = field(default=None, compare=False, repr=False)
    path: tuple = ()


@dataclass
class Model:
    """A loaded, validated maturity model and rule pack."""

    id: str
    label: str
    description: str
    version: str
    statuses: list[Status]
    elements: list[Element]
    edges: list[Edge]
    stages: list[Stage]
    facts: list[Fact]
    rules: list[Rule]
    tests: list[TestCase] = field(default_factory=list)
    source: str = ""
    files: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.status_by_id = {s.id: s for s in self.statuses}
        self.element_by_id = {e.id: e for e in self.elements}
        self.stage_by_id = {s.id: s for s in self.stages}
        self.fact_by_id = {f.id: f for f in self.facts}
        self.rule_by_id = {r.id: r for r in self.rules}
        self.graph = nx.DiGraph()
        for element in self.elements:
            self.graph.add_node(element.id)
        for edge in self.edges:
            self.graph.add_edge(edge.source, edge.target)
        self.group_by_id = {g.id: g for g in self.groups}
        self.threshold_by_id = {t.id: t for t in self.thresholds}
        # group -> its elements, those of its sub-groups included, in model order
        self.members: dict[str, list[str]] = {g.id: [] for g in self.groups}
        for element in self.elements:
            group = self.group_by_id.get(element.group or "")
            while group is not None:
                self.members[group.id].append(element.id)
                group = self.group_by_id.get(group.within or "")

    def question_groups(self) -> list[tuple[str, list[Fact]]]:
        """The facts as a questionnaire asks them, (heading, facts): those of no element (about
        the organisation as a whole, such as its size, which thresholds depend on) first, under
        GENERAL, then each element's in the model's order; empty groups left out."""
        groups = [(GENERAL, [f for f in self.facts if f.element not in self.element_by_id])]
        groups += [(e.label, [f for f in self.facts if f.element == e.id]) for e in self.elements]
        return [(label, facts) for label, facts in groups if facts]

    def words(self, text: str, facts: dict) -> str:
        """`text` with each `{threshold:NAME}` replaced by that threshold's value for the
        organisation whose answers (as the rules see them) are `facts`; while the `by` fact is
        unanswered, by the range of its values ("1 to 3")."""
        if "{threshold:" not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: self._threshold_words(m.group(1), facts, m.group(0)), text)

    def _threshold_words(self, name: str, facts: dict, written: str) -> str:
        threshold = self.threshold_by_id.get(name)
        if threshold is None:
            return written
        bands = self.fact_by_id[threshold.by].values
        band = facts.get(threshold.by)
        if band in bands:
            return number_text(threshold.value_for(band))
        values = sorted({v for _, v in threshold.table(bands)})
        return number_text(values[0]) if len(values) == 1 else \
            f"{number_text(values[0])} to {number_text(values[-1])}"

    def prerequisites(self, element: str) -> list[str]:
        """The elements `element` builds on directly, in model order."""
        return self.in_model_order(self.graph.predecessors(element))

    def in_model_order(self, ids) -> list[str]:
        return sorted(ids, key=lambda i: self.element_by_id[i].index)
