"""The maturity model as plain types: elements and their dependency graph, status levels,
stages, facts and rules. Built by `pack.load_pack`; read by every other module."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import networkx as nx


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


# Conditions -------------------------------------------------------------------------------

# Tests of a group read every element in it (and in its sub-groups): whether all are done, how
# many are done, and the lowest status among them. Resolved between rounds, as done is.
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


def tests_in(condition: Condition) -> list[Test]:
    """Every test in a condition, in the order written."""
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Not):
        return tests_in(condition.item)
    return [t for item in condition.items for t in tests_in(item)]


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
        # group -> its elements, those of its sub-groups included, in model order
        self.members: dict[str, list[str]] = {g.id: [] for g in self.groups}
        for element in self.elements:
            group = self.group_by_id.get(element.group or "")
            while group is not None:
                self.members[group.id].append(element.id)
                group = self.group_by_id.get(group.within or "")

    def prerequisites(self, element: str) -> list[str]:
        """The elements `element` builds on directly, in model order."""
        return self.in_model_order(self.graph.predecessors(element))

    def in_model_order(self, ids) -> list[str]:
        return sorted(ids, key=lambda i: self.element_by_id[i].index)
