"""Assessing an organisation: the engine fires rules in three rounds; between rounds the
round's conclusions are resolved (highest status, highest stage) and connection along the
dependency graph is worked out, so that later rules read final values.

Resolution, documented in docs/engine.md: an element's status is the highest level set by any
rule that fired for it (the lowest level when none did); the stage is the highest stage set by
any rule that fired (the first stage when none did). An element is *done* when its status is a
done level and all its prerequisites are done; it is *disconnected* when work on it has started
(status above the lowest) while some prerequisite is not done. A group is all done when each of
its elements is, counts its done elements, and has the lowest status of its elements. Findings and advice are the
union of every fired rule's. None of this depends on the order of rules in a file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from itertools import filterfalse
from typing import Any, Callable

import networkx as nx

from .compiler import CompiledPack, compile_pack, kept_compiled
from .engine import Engine, default_engine
from .explain import disconnected_known
from .model import (GROUP_SUBJECTS, SEVERITIES, Advice, All, Condition, Element, Finding, Model, Rule, Stage,
                    Status, Test, status_questions, tests_in)
from .organisation import Organisation, rule_facts
from .questions import SUFFIX
from .relevance import kleene, three_valued


GAP = "If the answer shows a gap: "
# Results kept per model and shared between its assessments, each table emptied when it holds
# more than this many: element results without evidence (Resolved._results, for what-ifs and
# batches), and, while keeping pays (_Kept), evidence in one table and the element results,
# findings and advice made from it in another. An entry with what it holds takes ~0.5-1 KB
# (measured on the default pack): some 30 MB at most for a model.
KEPT_RESULTS = 10_000
KEEP_SHARE = 0.85      # kept results pay when at least this share of look-ups find theirs (_Kept)
KEEP_CHECK = 50_000    # look-ups after which the share is checked, if no table filled before
KEEP_PAUSE = 20_000    # assessments made without keeping results when they do not pay


def question_text(model: Model, advice: Advice, asks: tuple[str, ...], facts: dict | None = None) -> str:
    """An advice item asked as a question: the unanswered questions, then what to do if the
    answers show the gap."""
    questions = " ".join(model.fact_by_id[f].question for f in asks)
    action = model.words(advice.action, facts or {})
    action = action[:1].lower() + action[1:]
    return f"Find out: {questions} {GAP}{action}"


@dataclass(frozen=True)
class Evidence:
    """Why something was concluded: the rule, its reason, and the facts it tested."""

    rule: str
    because: str
    facts: tuple[tuple[str, Any], ...]  # (fact id, answer or None when unanswered)


@dataclass(frozen=True)
class ElementResult:
    element: Element
    status: Status
    done: bool
    disconnected: bool
    missing_prerequisites: tuple[str, ...]   # direct prerequisites that are not done
    evidence: tuple[Evidence, ...]           # rules that set its status (highest level first)


@dataclass(frozen=True)
class FindingResult:
    finding: Finding
    evidence: Evidence


@dataclass(frozen=True)
class AdviceResult:
    """An advice item given: an action (or re-anchoring) when its facts show the gap, a question
    to settle when they are unanswered (`asks`: those facts). `action` is the text to show."""

    advice: Advice
    evidence: Evidence
    kind: str = "action"              # "action", "reanchor" or "question"
    action: str = ""
    asks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.action:
            object.__setattr__(self, "action", self.advice.action)


@dataclass
class Assessment:
    model: Model
    organisation: Organisation
    elements: list[ElementResult]
    stage: Stage
    stage_evidence: list[Evidence]
    findings: list[FindingResult]
    advice: list[AdviceResult]
    fired: list[str] = field(default_factory=list)
    unassessed: frozenset[str] = frozenset()  # elements whose status rests on no answer (Resolved)
    done_unknown: frozenset[str] = frozenset()  # elements whose done the answers cannot tell (Resolved)
    done_open: frozenset[str] = frozenset()  # of those, answered dots whose own done is open (Resolved)

    def element(self, element_id: str) -> ElementResult:
        # Positions found on first use (what comes next asks for elements thousands of times in
        # a large model), each checked on use, so a changed list is never misread.
        elements = self.elements
        where = self.__dict__.get("_where")
        position = where.get(element_id) if where is not None else None
        if position is None or position >= len(elements) or elements[position].element.id != element_id:
            self.__dict__["_where"] = {e.element.id: n for n, e in enumerate(elements)}
            return next(e for e in elements if e.element.id == element_id)
        return elements[position]

    @property
    def disconnected(self) -> list[ElementResult]:
        return [e for e in self.elements if e.disconnected]

    @property
    def status_open(self) -> frozenset[str]:
        """The answered dots whose status is only as high as the answers show so far: a rule
        that would set one higher did not fire, but asks about a question not answered and, in
        three-valued logic, could still hold (`_floors`). The dots in `done_open` are among them.
        Worked out on first use (what a client reads asks for it, the rules never do), and again
        whenever the elements are no longer those it was worked out for."""
        elements = tuple(map(id, self.elements))
        kept = self.__dict__.get("_status_open")
        if kept is None or kept[0] != elements:
            ranks = {e.element.id: e.status.rank for e in self.elements}
            found = _floors(self.model, ranks, rule_facts(self.model, self.organisation), self.unassessed)
            kept = self.__dict__["_status_open"] = (elements, found)
        return kept[1]

    @property
    def stage_open(self) -> bool:
        """Whether the stage is only as high as the answers show so far: a rule setting a
        higher stage asks about a question not answered and, in three-valued logic on what the
        answers show (statuses that are floors, done and connection not known: unknown), could
        still hold (`_stage_could_rise`). Worked out on first use, as `status_open` is."""
        key = (tuple(map(id, self.elements)), self.stage.id)
        kept = self.__dict__.get("_stage_open")
        if kept is None or kept[0] != key:
            kept = self.__dict__["_stage_open"] = (key, _stage_could_rise(self))
        return kept[1]

    def advice_for(self, element_id: str) -> list[AdviceResult]:
        # Grouped by element on first use (the roadmap asks for every step of a large model),
        # and again whenever the list is no longer the one grouped (a C-speed comparison).
        advice = tuple(self.advice)
        grouped = self.__dict__.get("_advice_by_element")
        if grouped is None or grouped[0] != advice:
            by_element: dict[str | None, list[AdviceResult]] = {}
            for a in advice:
                by_element.setdefault(a.advice.element, []).append(a)
            grouped = self.__dict__["_advice_by_element"] = (advice, by_element)
        return list(grouped[1].get(element_id, ()))


@dataclass
class _Kept:
    """Results shared by the assessments of a model (`results`): evidence by the answers it
    rests on, and element results, findings and advice items by the evidence they are made
    from; two tables, each emptied when it holds more than KEPT_RESULTS. Kept only while it
    pays: each time a table fills, or after KEEP_CHECK look-ups, if fewer than KEEP_SHARE of the
    look-ups since the last check found what they looked for (answers too varied to repeat, as
    the default pack's: making a result costs little more than its key and look-up), the tables
    are emptied and the next KEEP_PAUSE assessments make their results directly; then keeping
    is tried again."""

    evidence: dict[tuple, Evidence] = field(default_factory=dict)
    made: dict[tuple, Any] = field(default_factory=dict)
    looked: int = 0       # look-ups since the tables were last emptied
    found: int = 0        # of which found
    paused: int = 0       # assessments left that make their results directly

    def use(self) -> bool:
        """Whether the assessment about to be made keeps its results (emptying full tables)."""
        if self.paused:
            self.paused -= 1
            return False
        full = len(self.evidence) > KEPT_RESULTS or len(self.made) > KEPT_RESULTS
        if full or self.looked >= KEEP_CHECK:
            share = self.found / self.looked if self.looked else 1.0
            self.looked = self.found = 0
            if full or share < KEEP_SHARE:
                self.evidence.clear()
                self.made.clear()
            if share < KEEP_SHARE:
                self.paused = KEEP_PAUSE
                return False
        return True


@dataclass
class _Plan:
    """What assessing needs from a model that does not depend on the organisation, worked out
    once per model: the compiled pack, the dependency order, and the rules, findings and advice
    already in the order results list them (an assessment keeps those whose rule fired)."""

    model: Model
    compiled: CompiledPack
    order: list[tuple[str, tuple[str, ...]]]          # element and its prerequisites, dependency order
    setters: dict[str, tuple[str, ...]]               # element -> rules setting its status, highest level first
    stage_rules: list[Rule]                           # rules setting the stage, highest stage first
    findings: list[tuple[Rule, Finding]]              # in report order
    advice: list[tuple[Rule, Advice]]                 # in report order
    evidence_facts: dict[str, tuple[str, ...]]        # rule -> the facts it tests, sorted
    levels: dict[str, tuple[tuple[str, int], ...]]    # status rule -> (element, rank) it sets
    stage_ranks: dict[str, int]                       # stage rule -> the rank of the stage it sets, highest first
    because: dict[str, str] = field(default_factory=dict)  # rule -> its reason as written
    results: dict[tuple, ElementResult] = field(default_factory=dict)  # see Resolved._results
    kept: _Kept = field(default_factory=lambda: _Kept())               # see results
    twins: frozenset[str] = frozenset()               # the question twins' ids (questions.SUFFIX)
    worded: frozenset[str] = frozenset()              # rules whose reason has a threshold to word
    status_questions: dict[str, frozenset[str]] = field(default_factory=dict)  # see asked_about
    # element -> the rules setting it at a done level, each as the facts it asks about and its
    # condition split for reading on open questions (_split)
    done_rules: dict[str, tuple[tuple[tuple[str, ...], tuple[_PlainTest, ...], tuple[Condition, ...]], ...]] = \
        field(default_factory=dict)


def _plan_for(model: Model) -> _Plan:
    # Kept on the model itself, so it lives exactly as long as the model does.
    plan = model.__dict__.get("_plan")
    if plan is None:
        plan = model.__dict__["_plan"] = _make_plan(model)
    return plan


def _make_plan(model: Model) -> _Plan:
    rules = sorted(model.rule_by_id.values(), key=lambda r: r.id)
    order = nx.lexicographical_topological_sort(model.graph, key=lambda n: model.element_by_id[n].index)
    setting: dict[str, list[Rule]] = {e.id: [] for e in model.elements}
    for rule in rules:
        for element_id in dict.fromkeys(x for x, _ in rule.status):
            setting[element_id].append(rule)
    setters = {e: tuple(r.id for r in sorted(found, key=lambda r, e=e: (-_level(model, r, e), r.id)))
               for e, found in setting.items()}
    severity = {s: n for n, s in enumerate(SEVERITIES)}
    evidence_facts = {}
    for rule in rules:
        refs = {t.ref for t in tests_in(rule.when) if t.subject in ("fact", "count")}
        evidence_facts[rule.id] = tuple(sorted(refs))
    done_rules = {e: tuple((evidence_facts[r.id], *_split(r.when))
                           for r in found if model.status_by_id[dict(r.status)[e]].done)
                  for e, found in setting.items()}
    done_rules = {e: rules for e, rules in done_rules.items() if rules}  # elements some rule can make done
    stage_rules = sorted((r for r in rules if r.stage), key=lambda r: (-model.stage_by_id[r.stage].rank, r.id))
    compiled = kept_compiled(model)  # made by the pack cache from this very model
    compiled = compiled if compiled is not None else compile_pack(model)
    return _Plan(
        model, compiled,
        [(e, tuple(model.prerequisites(e))) for e in order],
        setters,
        stage_rules,
        sorted(((r, f) for r in rules for f in r.findings),
               key=lambda x: (severity[x[1].severity], _element_index(model, x[1].element), x[1].id)),
        sorted(((r, a) for r in rules for a in r.advice),
               key=lambda x: (_element_index(model, x[1].element), x[1].id)),
        evidence_facts,
        {r.id: tuple((e, model.status_by_id[level].rank) for e, level in r.status) for r in rules if r.status},
        {r.id: model.stage_by_id[r.stage].rank for r in stage_rules},
        {r.id: r.because for r in rules},
        twins=frozenset(r for r in compiled.rule_names.values() if r.endswith(SUFFIX)),
        worded=frozenset(r.id for r in rules if "{threshold:" in r.because),
        status_questions=status_questions(model), done_rules=done_rules)


def asked_about(model: Model) -> dict[str, frozenset[str]]:
    """Each element's status questions (model.status_questions), of which at least one must be
    answered for its status to rest on an answer (_unassessed)."""
    return _plan_for(model).status_questions


def compiled_for(model: Model) -> CompiledPack:
    """The compiled form of a model, made once per model object."""
    return _plan_for(model).compiled


@dataclass
class Resolved:
    """What the rules conclude before any result is built: each element's status and
    connection, and the stage (what decides the next dot), with the rules that fired. What-ifs
    need no more (`advice.unanswered`); `assess` builds the results from it. Read like an
    assessment by what follows from statuses and the stage alone (`element`, `elements`)."""

    model: Model
    organisation: Organisation
    statuses: dict[str, Status]
    connection: dict[str, tuple[bool, bool, tuple[str, ...]]]  # element -> done, disconnected, missing
    stage: Stage
    fired: list[str]                  # rules that fired (question twins left out), sorted
    asked: set[str]                   # rules whose question twin fired while they did not
    seen: dict[str, Any]              # the answers the rules saw (organisation.rule_facts)
    unassessed: frozenset[str] = frozenset()  # elements whose status rests on no answer (_unassessed)
    # Elements whose done the answers cannot tell: the unassessed, and a dot at a done level
    # resting on one with no foundation known not done (_connect). Shown as not done, as the
    # answers do not show them done; what is said of their foundations says they are not known.
    done_unknown: frozenset[str] = frozenset()
    # Of those, the answered dots below a done level that a rule not fired would set them at,
    # had a question it asks about an answer (_open): done or not, the answers do not say yet.
    done_open: frozenset[str] = frozenset()

    @property
    def elements(self) -> list[ElementResult]:
        """Each element's result, without evidence (made on first use)."""
        return list(self._results().values())

    @property
    def status_open(self) -> frozenset[str]:
        """The answered dots whose status is a floor, as Assessment.status_open (the same
        `_floors`), worked out on first use: a batch stores it, a what-if never asks."""
        kept = self.__dict__.get("_status_open")
        if kept is None:
            ranks = {e: status.rank for e, status in self.statuses.items()}
            kept = self.__dict__["_status_open"] = _floors(self.model, ranks, self.seen, self.unassessed)
        return kept

    @property
    def stage_open(self) -> bool:
        """Whether the stage is a floor, as Assessment.stage_open (the same
        `_stage_could_rise`), worked out on first use."""
        kept = self.__dict__.get("_stage_open")
        if kept is None:
            kept = self.__dict__["_stage_open"] = _stage_could_rise(self)
        return kept

    def element(self, element_id: str) -> ElementResult:
        # What comes next asks for elements thousands of times in a large model: one look-up.
        made = self.__dict__.get("_made")
        return (made if made is not None else self._results())[element_id]

    def _results(self) -> dict[str, ElementResult]:
        made = self.__dict__.get("_made")
        if made is None:
            # Results without evidence are the same whenever status and connection are: shared
            # by the resolutions of a model (what-ifs differ from each other in a few elements).
            kept = _plan_for(self.model).results
            if len(kept) > KEPT_RESULTS:
                kept.clear()
            statuses, connection = self.statuses, self.connection
            made = self.__dict__["_made"] = {}
            for e in self.model.elements:
                status, connected = statuses[e.id], connection[e.id]
                key = (e.id, status.rank, connected)
                result = kept.get(key)
                if result is None:
                    result = kept[key] = ElementResult(e, status, *connected, ())
                made[e.id] = result
        return made


def resolve(model: Model, organisation: Organisation, engine: Engine | None = None) -> Resolved:
    """Run the model's rules on an organisation's facts, round by round, and resolve statuses,
    connection and the stage (docs/engine.md)."""
    plan = _plan_for(model)
    compiled = plan.compiled
    engine = engine or default_engine()
    seen = rule_facts(model, organisation)  # answers, and the pack's stand-ins (docs/yaml-format.md)
    first = _round0_fact(compiled, seen)
    statuses: dict[str, Status] = {}
    connection: dict[str, tuple[bool, bool, tuple[str, ...]]] = {}
    fired_before: set[str] = set()  # every round's fired rules so far
    unknown: frozenset[str] = frozenset()
    done_unknown: frozenset[str] = frozenset()
    done_open: frozenset[str] = frozenset()

    def next_round(stratum: int, fired: list[str], fact: dict) -> dict:
        nonlocal unknown, done_unknown, done_open
        fired_before.update(fired)
        if stratum == 0:
            statuses.update(_resolve_statuses(plan, fired))  # question twins conclude only advice
            unknown = _unassessed(plan, fired, organisation)
            done_open = _open(plan, statuses, seen, unknown)
            connected, done_of, disconnected_of = _connect(plan, statuses, unknown, done_open)
            connection.update(connected)
            if unknown or done_open:
                done_unknown = frozenset(e for e, done in done_of.items() if done is None)
            # What the rules cannot know is absent from the message: every test of it fails,
            # negated or not, as a test of an unanswered fact does (docs/engine.md).
            fact = dict(fact)
            for element_id, (rank, done, disconnected) in compiled.element_props.items():
                if element_id not in unknown:
                    fact[rank] = statuses[element_id].rank
                if done_of[element_id] is not None:
                    fact[done] = done_of[element_id]
                if disconnected_of[element_id] is not None:
                    fact[disconnected] = disconnected_of[element_id]
            for group_id, (all_done, count, lowest) in compiled.group_props.items():
                members = model.members[group_id]
                done = [done_of[e] for e in members]
                if False in done:
                    fact[all_done] = False
                elif None not in done:
                    fact[all_done] = True
                if None not in done:
                    fact[count] = done.count(True)
                ranks = [statuses[e].rank for e in members if e not in unknown]
                if ranks and (min(ranks) == 0 or len(ranks) == len(members)):
                    fact[lowest] = min(ranks)  # the lowest there is, or every member's known
            return fact
        # A stage rule that tests only facts fired in round 0: it counts as much as round 1's.
        stage = _resolve_stage(plan, fired_before)
        return {**fact, "st": stage.rank}

    rounds = engine.run(compiled, first, next_round)
    every = set().union(*rounds)
    twins = every & plan.twins
    fired = sorted(every - twins) if twins else sorted(every)
    # A question twin that fired while its rule did not: the advice waits on unanswered facts.
    asked = {r[:-1] for r in twins} - set(fired)
    stage = _resolve_stage(plan, every)
    return Resolved(model, organisation, statuses, connection, stage, fired, asked, seen, unknown, done_unknown,
                    done_open)


def assess(model: Model, organisation: Organisation, engine: Engine | None = None) -> Assessment:
    """Run the model's rules on an organisation's facts and resolve what they conclude, with
    the evidence, findings and advice."""
    return results(resolve(model, organisation, engine))


def results(done: Resolved) -> Assessment:
    """The assessment of an outcome: evidence for each fired rule, element results, findings
    and advice (questions for advice waiting on unanswered facts)."""
    model, organisation, seen, asked = done.model, done.organisation, done.seen, done.asked
    plan = _plan_for(model)
    words = model.words  # thresholds in texts, as they apply to this organisation
    # One Evidence per fired rule, shared by everything that cites the rule. While it pays
    # (_Kept), evidence is the same object for every organisation whose answers to the rule's
    # facts are the same, and element results, findings and advice items made from the same
    # evidence are too; `known` holds the keys they are kept under.
    keeping = plan.kept.use()
    why, known = _evidence(plan, done.fired, seen, keeping)
    kept = plan.kept.made
    made_before, looked = len(kept), 0

    elements = []
    statuses, connection, setters = done.statuses, done.connection, plan.setters
    fired_here, known_of, why_of = why.__contains__, known.__getitem__, why.__getitem__
    for element in model.elements:
        setting = tuple(filter(fired_here, setters[element.id]))
        status, connected = statuses[element.id], connection[element.id]
        if not keeping:
            elements.append(ElementResult(element, status, *connected, tuple(map(why_of, setting))))
            continue
        key = (element.id, status.rank, connected, *map(known_of, setting))
        result = kept.get(key)  # not _shared: its evidence is gathered only when it is made
        if result is None:
            result = kept[key] = ElementResult(element, status, *connected, tuple(map(why_of, setting)))
        elements.append(result)
    stage = done.stage
    findings = []
    # A text with a threshold in it is worded for the organisation, each time; only those are.
    for r, f in plan.findings:
        if r.id in why:
            if "{threshold:" in f.message:
                findings.append(FindingResult(_worded(f, "message", words, seen), why[r.id]))
            elif not keeping:
                findings.append(FindingResult(f, why[r.id]))
            else:
                looked += 1  # the same finding on the same evidence: made once
                findings.append(_shared(kept, (id(f), known[r.id]), FindingResult, f, why[r.id]))
    advice = []
    for r, a in plan.advice:
        if r.id in why:
            if "{threshold:" in a.action:
                advice.append(AdviceResult(a, why[r.id], a.kind, words(a.action, seen)))
            elif not keeping:
                advice.append(AdviceResult(a, why[r.id], a.kind, a.action))
            else:
                looked += 1  # the same advice on the same evidence: made once
                advice.append(_shared(kept, (id(a), known[r.id]), AdviceResult, a, why[r.id], a.kind, a.action))
        elif r.id in asked:
            # A fact recorded as not applicable is settled: never asked again (docs/yaml-format.md).
            asks = tuple(f for f in a.about if f not in seen
                         and f in plan.evidence_facts[r.id] and not _not_applicable(organisation, f))
            if asks:
                evidence = rule_evidence(model, r.id, seen)
                advice.append(AdviceResult(a, evidence, "question", question_text(model, a, asks, seen), asks))
    if keeping:
        looked += len(elements)
        plan.kept.looked += looked
        plan.kept.found += looked - (len(kept) - made_before)
    return Assessment(model, organisation, elements, stage,
                      [why[r.id] for r in plan.stage_rules if r.id in why and r.stage == stage.id],
                      findings, advice, list(done.fired), done.unassessed, done.done_unknown, done.done_open)


def _shared(kept: dict, key: tuple, make, *fields):
    """The result kept under `key`, else `make(*fields)`, kept under it from now on (for
    results whose fields are at hand; the hot loops of `results` and `_evidence` make theirs
    only on a miss)."""
    found = kept.get(key)
    if found is None:
        found = kept[key] = make(*fields)
    return found


def _evidence(plan: _Plan, fired: list[str], seen: dict[str, Any],
              keeping: bool) -> tuple[dict[str, Evidence], dict[str, tuple]]:
    """The Evidence of each fired rule and, `keeping`, the key it is kept under: the rule and
    the answers to the facts it tests. Evidence depends on nothing else (its reason is worded by
    thresholds, which depend on answers, only for rules whose reason has one: those are made
    anew), so it can be shared by the assessments of a model (_Kept)."""
    get, tested, because, words = seen.get, plan.evidence_facts, plan.because, plan.model.words
    worded = plan.worded
    why: dict[str, Evidence] = {}
    known: dict[str, tuple] = {}
    if not keeping:
        for rule_id in fired:
            why[rule_id] = rule_evidence(plan.model, rule_id, seen)
        return why, known
    kept = plan.kept.evidence
    before = len(kept)
    for rule_id in fired:
        refs = tested[rule_id]
        values = tuple(map(get, refs))
        types = tuple(map(type, values))
        text = because[rule_id]
        if list in types or rule_id in worded:
            # unhashable, or worded by answers it may not test: made each time, known by text
            text = words(text, seen)
            found = Evidence(rule_id, text, tuple(zip(refs, values)))
            key = (rule_id, repr(values), text)
        else:
            key = (rule_id, values, types)  # typed: 1, 1.0 and True are equal keys
            found = kept.get(key)  # not _shared: the pairs are made only when it is
            if found is None:
                found = kept[key] = Evidence(rule_id, text, tuple(zip(refs, values)))
        why[rule_id] = found
        known[rule_id] = key
    plan.kept.looked += len(fired)
    plan.kept.found += len(fired) - (len(kept) - before)
    return why, known


def rule_evidence(model: Model, rule_id: str, seen: dict[str, Any]) -> Evidence:
    """A rule's Evidence on the answers the rules saw (`seen`: organisation.rule_facts): its
    reason, worded where it has a threshold, and the answers to the facts it tests."""
    plan = _plan_for(model)
    refs, text = plan.evidence_facts[rule_id], plan.because[rule_id]
    return Evidence(rule_id, model.words(text, seen) if rule_id in plan.worded else text,
                    tuple(zip(refs, map(seen.get, refs))))


def _worded(item, key: str, words, facts: dict):
    """`item` with its text `key` worded for the organisation (thresholds filled in)."""
    text = getattr(item, key)
    filled = words(text, facts)
    return item if filled == text else dataclasses.replace(item, **{key: filled})


def _not_applicable(organisation: Organisation, fact_id: str) -> bool:
    given = organisation.answers.get(fact_id)
    return given is not None and given.state == "not_applicable"


def _round0_fact(compiled: CompiledPack, facts: dict[str, Any]) -> dict:
    props = compiled.fact_props
    # Lists of our own: the engine tells values apart from the last assessment's by identity
    # (docs/engine.md), and a caller may change a list in place between two assessments.
    fact = {props[f]: list(v) if type(v) is list else v
            for f, v in facts.items() if v is not None and f in props}
    for fact_id, prop in compiled.count_props.items():
        value = facts.get(fact_id)
        if value is not None and fact_id in props:
            fact[prop] = len(value)
    return fact


def _level(model: Model, rule: Rule, element_id: str) -> int:
    return max(model.status_by_id[level].rank for e, level in rule.status if e == element_id)


def _resolve_statuses(plan: _Plan, fired: list[str]) -> dict[str, Status]:
    """Each element's status: the highest level a fired rule sets for it (of the rules named in
    `fired`, only those setting statuses count), else the lowest."""
    ranks = dict.fromkeys(plan.model.element_by_id, 0)
    levels = plan.levels
    for setting in map(levels.get, fired):
        if setting is not None:
            for element_id, rank in setting:
                if rank > ranks[element_id]:
                    ranks[element_id] = rank
    statuses = plan.model.statuses
    return {e: statuses[r] for e, r in ranks.items()}


def _resolve_stage(plan: _Plan, fired: set[str]) -> Stage:
    """The highest stage a rule in `fired` sets, else the first."""
    # the rules setting the highest stage come first: the first rule that fired sets it
    return plan.model.stages[next((rank for r, rank in plan.stage_ranks.items() if r in fired), 0)]


def _unassessed(plan: _Plan, fired: list[str], organisation: Organisation) -> frozenset[str]:
    """The elements whose status rests on no answer: no rule that fired in round 0 set it, and
    none of the questions its status rules ask about has an answer (not even "don't know"). The
    rules cannot know their status, done or disconnected (they are absent from later rounds),
    and what a client reads says "Not answered" (explain.shown_status)."""
    levels, answers = plan.levels, organisation.answers
    set_by_rules = {e for setting in map(levels.get, fired) if setting is not None for e, _ in setting}
    return frozenset(e for e, asked in plan.status_questions.items()
                     if asked and e not in set_by_rules and asked.isdisjoint(answers))


def _open(plan: _Plan, statuses: dict[str, Status], seen: dict[str, Any],
          unknown: frozenset[str]) -> frozenset[str]:
    """The answered dots below a done level whose done the answers leave open: a rule that
    would set one at a done level did not fire, but asks about a question with no answer (or
    "don't know") and, in three-valued logic, could still hold (relevance.kleene). Such a dot
    is shown at the level its answers show, not as done nor as not done."""
    found = []
    get = seen.get
    for element_id, rules in plan.done_rules.items():
        if element_id in unknown or statuses[element_id].done:
            continue  # (a done-level rule that fired made it done)
        for asks, plain, others in rules:
            # a rule with every question it asks answered did not fire and cannot: only one
            # asking about an open question is read again
            if None in map(get, asks) and _could_hold(plain, others, seen):
                found.append(element_id)
                break
    return frozenset(found)


def _floors(model: Model, ranks: dict[str, int], seen: dict[str, Any],
            unassessed: frozenset[str]) -> frozenset[str]:
    """The answered dots (of `ranks`, each element's status rank) whose status is a floor: a
    rule setting one at a higher level did not fire (none did: its status is the highest a
    fired rule sets) but asks about a question with no answer (or "don't know") and could still
    hold (_could_hold), as for done in _open. Status rules test facts only, so three-valued
    logic on the answers is exact for them."""
    get = seen.get
    found = []
    for element_id, (asked, raising) in _raising(_plan_for(model)).items():
        if element_id in unassessed or None not in map(get, asked):
            continue  # (every question its status rules ask answered: none can hold now)
        rank = ranks[element_id]
        for level, asks, plain, others in raising:  # highest level first
            if level <= rank:
                break
            if None in map(get, asks) and _could_hold(plain, others, seen):
                found.append(element_id)
                break
    return frozenset(found)


def _raising(plan: _Plan) -> dict[str, tuple[tuple[str, ...], tuple[tuple[int, tuple[str, ...],
                                                   tuple[_PlainTest, ...], tuple[Condition, ...]], ...]]]:
    """Each element's status rules as `_floors` reads them: every fact they ask about, and each
    rule, highest level first, as the level it sets the element at, the facts it asks about
    and its condition split (_split); made once per plan (a batch asks for every organisation)."""
    kept = plan.__dict__.get("_raising")
    if kept is None:
        rules = plan.model.rule_by_id
        kept = plan.__dict__["_raising"] = {
            element_id: (tuple(sorted({f for rule_id in setting for f in plan.evidence_facts[rule_id]})),
                         tuple((max(r for e, r in plan.levels[rule_id] if e == element_id),
                                plan.evidence_facts[rule_id], *_split(rules[rule_id].when))
                               for rule_id in setting))
            for element_id, setting in plan.setters.items()}
    return kept


def _stage_could_rise(a: Assessment | Resolved) -> bool:
    """Whether a rule setting a stage above `a`'s did not fire but could hold once the questions
    not answered are, through its facts or what rests on them (Assessment.stage_open). Each
    test reads what the answers show: a fact's answer; a status, unknown where it is a floor or
    not answered; done and disconnected, unknown where the answers cannot tell; a group,
    unknown where a member is."""
    model = a.model
    plan = _plan_for(model)
    rules, reads_disconnected = _stage_split(plan)
    if not rules or rules[0][0] <= a.stage.rank:
        return False  # no stage above, or none a rule sets
    seen = a.seen if isinstance(a, Resolved) else rule_facts(model, a.organisation)
    get = seen.get
    floors = a.status_open | a.unassessed
    done_unknown, element = a.done_unknown, a.element
    # The elements the answers leave open: a rule above that reads none of them, nor a question
    # not answered, reads only what is known, so is false (it did not fire) and is not read.
    open_ = floors | done_unknown
    if reads_disconnected:
        open_ |= {e.element.id for e in a.elements if not disconnected_known(a, e)}
    waiting = [(plain, others) for rank, plain, others, facts, refs in rules if rank > a.stage.rank
               and not (open_.isdisjoint(refs) and None not in map(get, facts))]
    if not waiting:
        return False
    by_rank = _rank_tests(plan)  # a test of a status id, as a test of its rank

    def known(t: Test, negated: bool) -> bool | None:
        if t.subject in ("fact", "count"):
            answer = get(t.ref)
            return None if answer is None else t.passes(answer)
        if t.subject == "status":
            return None if t.ref in floors else by_rank(t).passes(element(t.ref).status.rank)
        if t.subject == "done":
            return None if t.ref in done_unknown else t.passes(element(t.ref).done)
        if t.subject == "disconnected":
            result = element(t.ref)
            return t.passes(result.disconnected) if disconnected_known(a, result) else None
        if t.subject in GROUP_SUBJECTS:
            members = model.members[t.ref]
            if any(m in done_unknown or m in floors for m in members):
                return None
            if t.subject == "all_done":
                return t.passes(all(element(m).done for m in members))
            if t.subject == "done_count":
                return t.passes(sum(element(m).done for m in members))
            return by_rank(t).passes(min(element(m).status.rank for m in members))
        return None  # the stage: stage rules do not test it

    for plain, others in waiting:  # highest stage first
        # It did not fire: false on what is known, or unknown on what is open. Its plain tests
        # of facts are read first, an answer that fails one deciding (as three_valued would).
        unknown = False
        for ref, passes in plain:
            answer = get(ref)
            if answer is None:
                unknown = True
            elif not passes(answer):
                break
        else:
            for item in others:  # a single test read directly, the rest in three values
                value = known(item, False) if type(item) is Test else three_valued(item, known)
                if value is False:
                    break
                unknown = unknown or value is None
            else:
                if unknown:
                    return True
    return False


def _stage_split(plan: _Plan) -> tuple[tuple[tuple[int, tuple[_PlainTest, ...], tuple[Condition, ...],
                                                   tuple[str, ...], frozenset[str]], ...], bool]:
    """The stage rules, highest stage first, each as the rank of the stage it sets, its
    condition split (_split), the facts it tests and the elements whose status, done or
    connection it reads (a group's, its members'); and whether any reads a connection. Made
    once per plan."""
    kept = plan.__dict__.get("_stage_split")
    if kept is None:
        model, rules = plan.model, []
        for r in plan.stage_rules:
            tests = tests_in(r.when)
            refs = {t.ref for t in tests if t.subject in ("status", "done", "disconnected")}
            refs.update(m for t in tests if t.subject in GROUP_SUBJECTS for m in model.members[t.ref])
            rules.append((plan.stage_ranks[r.id], *_split(r.when),
                          tuple(dict.fromkeys(t.ref for t in tests if t.subject in ("fact", "count"))),
                          frozenset(refs)))
        kept = plan.__dict__["_stage_split"] = (
            tuple(rules), any(t.subject == "disconnected" for r in plan.stage_rules for t in tests_in(r.when)))
    return kept


def _rank_tests(plan: _Plan) -> Callable[[Test], Test]:
    """A test of a status (or a group's lowest status) by id, as the same test of the status's
    rank, made once per test and plan."""
    made = plan.__dict__.get("_rank_tests")
    if made is None:
        made = plan.__dict__["_rank_tests"] = ({s.id: s.rank for s in plan.model.statuses}, {})
    rank, kept = made

    def by_rank(t: Test) -> Test:
        found = kept.get(id(t))
        if found is None or found[0] is not t:
            want = [rank[v] for v in t.value] if t.op == "one_of" else rank[t.value]
            found = kept[id(t)] = (t, Test(t.subject, t.ref, t.op, want))
        return found[1]
    return by_rank


_PlainTest = tuple[str, Callable[[Any], bool]]  # a fact and its test


def _split(condition: Condition) -> tuple[tuple[_PlainTest, ...], tuple[Condition, ...]]:
    """A rule's condition as `_could_hold` reads it, split once per rule: an `all`, the common
    shape of a rule, into its plain tests of facts (each as the fact and the test) and its other
    items; anything else is one item of the second kind."""
    if type(condition) is not All:
        return (), (condition,)
    plain = tuple((t.ref, t.passes) for t in condition.items if _is_plain(t))
    return plain, tuple(item for item in condition.items if not _is_plain(item))


def _is_plain(item: Condition) -> bool:
    return type(item) is Test and item.subject in ("fact", "count")


def _could_hold(plain: tuple[_PlainTest, ...], others: tuple[Condition, ...], seen: dict[str, Any]) -> bool:
    """Whether a condition that did not hold (`_split`) could hold once the questions not
    answered are: in three-valued logic, not false (relevance.kleene), every test of such a
    question unknown, whether it is answered (`present`) too. Its plain tests are read first
    and directly, an answer that fails one deciding; the other items by `kleene`."""
    get = seen.get
    for ref, passes in plain:
        answer = get(ref)
        if answer is not None and not passes(answer):
            return False
    for item in others:
        if kleene(item, seen) is False:
            return False
    return True


def _connect(plan: _Plan, statuses: dict[str, Status], unknown: frozenset[str],
             open_: frozenset[str] = frozenset()) \
        -> tuple[dict[str, tuple[bool, bool, tuple[str, ...]]], dict[str, bool | None], dict[str, bool | None]]:
    """(done, disconnected, prerequisites not done) for each element, in dependency order; and
    done and disconnected in three values, for the rules: None where the answers cannot tell
    (`unknown` elements are; an `open_` one's done is, as is a dot's at a done level on one of
    those, and a started dot's disconnected on one and on none known not done). The first
    says what is known: done and disconnected only when the answers show it."""
    result: dict[str, tuple[bool, bool, tuple[str, ...]]] = {}
    done_of: dict[str, bool | None] = {}
    disconnected_of: dict[str, bool | None] = {}
    finished: set[str] = set()  # the elements found done so far (prerequisites come first)
    for element_id, prerequisites in plan.order:
        missing = tuple(filterfalse(finished.__contains__, prerequisites)) if prerequisites else ()
        status = statuses[element_id]
        if element_id in unknown:
            done = disconnected = None
        elif not unknown and not open_:  # every element known (the common case)
            done = status.done and not missing
            disconnected = status.rank > 0 and bool(missing)
        else:
            below = [done_of[p] for p in missing]  # each False or None
            own = None if element_id in open_ else status.done
            done = False if own is False or False in below else None if own is None or below else True
            disconnected = False if status.rank == 0 else True if False in below else \
                None if below else False
        if done:
            finished.add(element_id)
        done_of[element_id], disconnected_of[element_id] = done, disconnected
        result[element_id] = (bool(done), bool(disconnected), missing)
    return result, done_of, disconnected_of


def _element_index(model: Model, element_id: str | None) -> int:
    return model.element_by_id[element_id].index if element_id in model.element_by_id else len(model.elements)
