"""Assessing an organisation: the engine fires rules in three rounds; between rounds the
round's conclusions are resolved (highest status, highest stage) and connection along the
dependency graph is worked out, so that later rules read final values.

Resolution, documented in docs/engine.md: an element's status is the highest level set by any
rule that fired for it (the lowest level when none did); the stage is the highest stage set by
any rule that fired (the first stage when none did). An element is *done* when its status is a
done level and all its prerequisites are done; it is *disconnected* when work on it has started
(status above the lowest) while some prerequisite is not done. Findings and advice are the
union of every fired rule's. None of this depends on the order of rules in a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .compiler import CompiledPack, compile_pack
from .engine import Engine, default_engine
from .model import Advice, Element, Finding, Model, Rule, Stage, Status, tests_in
from .organisation import Organisation


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
    advice: Advice
    evidence: Evidence


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

    def element(self, element_id: str) -> ElementResult:
        return next(e for e in self.elements if e.element.id == element_id)

    @property
    def disconnected(self) -> list[ElementResult]:
        return [e for e in self.elements if e.disconnected]

    def advice_for(self, element_id: str) -> list[AdviceResult]:
        return [a for a in self.advice if a.advice.element == element_id]


_compiled: dict[int, CompiledPack] = {}


def compiled_for(model: Model) -> CompiledPack:
    """The compiled form of a model, made once per model object."""
    key = id(model)
    hit = _compiled.get(key)
    if hit is None or hit.model is not model:
        hit = _compiled[key] = compile_pack(model)
    return hit


def assess(model: Model, organisation: Organisation, engine: Engine | None = None) -> Assessment:
    """Run the model's rules on an organisation's facts and resolve what they conclude."""
    compiled = compiled_for(model)
    engine = engine or default_engine()
    first = _round0_fact(compiled, organisation.facts)
    statuses: dict[str, Status] = {}
    connection: dict[str, tuple[bool, bool, tuple[str, ...]]] = {}

    def next_round(stratum: int, fired: list[str], fact: dict) -> dict:
        if stratum == 0:
            statuses.update(_resolve_statuses(model, [model.rule_by_id[r] for r in fired]))
            connection.update(_connect(model, statuses))
            fact = dict(fact)
            for element_id, (rank, done, disconnected) in compiled.element_props.items():
                fact[rank] = statuses[element_id].rank
                fact[done] = connection[element_id][0]
                fact[disconnected] = connection[element_id][1]
            return fact
        stage = _resolve_stage(model, [model.rule_by_id[r] for r in fired])
        return {**fact, "st": stage.rank}

    rounds = engine.run(compiled, first, next_round)
    fired = sorted({r for ids in rounds for r in ids})
    rules = [model.rule_by_id[r] for r in fired]
    facts = organisation.facts

    elements = []
    for element in model.elements:
        done, disconnected, missing = connection[element.id]
        setters = sorted((r for r in rules if any(e == element.id for e, _ in r.status)),
                         key=lambda r: (-_level(model, r, element.id), r.id))
        elements.append(ElementResult(element, statuses[element.id], done, disconnected, missing,
                                      tuple(_evidence(r, facts) for r in setters)))
    stage = _resolve_stage(model, rules)
    stage_rules = sorted((r for r in rules if r.stage), key=lambda r: (-model.stage_by_id[r.stage].rank, r.id))
    severity = {s: n for n, s in enumerate(("high", "medium", "low", "info"))}
    findings = sorted((FindingResult(f, _evidence(r, facts)) for r in rules for f in r.findings),
                      key=lambda x: (severity[x.finding.severity], _element_index(model, x.finding.element),
                                     x.finding.id))
    advice = sorted((AdviceResult(a, _evidence(r, facts)) for r in rules for a in r.advice),
                    key=lambda x: (_element_index(model, x.advice.element), x.advice.id))
    return Assessment(model, organisation, elements, stage,
                      [_evidence(r, facts) for r in stage_rules if r.stage == stage.id],
                      findings, advice, fired)


def _round0_fact(compiled: CompiledPack, facts: dict[str, Any]) -> dict:
    fact: dict[str, Any] = {}
    for fact_id, value in facts.items():
        prop = compiled.fact_props.get(fact_id)
        if prop is None or value is None:
            continue
        fact[prop] = value
        if fact_id in compiled.count_props:
            fact[compiled.count_props[fact_id]] = len(value)
    return fact


def _level(model: Model, rule: Rule, element_id: str) -> int:
    return max(model.status_by_id[level].rank for e, level in rule.status if e == element_id)


def _resolve_statuses(model: Model, fired: list[Rule]) -> dict[str, Status]:
    ranks = {e.id: 0 for e in model.elements}
    for rule in fired:
        for element_id, level in rule.status:
            ranks[element_id] = max(ranks[element_id], model.status_by_id[level].rank)
    return {e: model.statuses[r] for e, r in ranks.items()}


def _resolve_stage(model: Model, fired: list[Rule]) -> Stage:
    ranks = [model.stage_by_id[r.stage].rank for r in fired if r.stage]
    return model.stages[max(ranks, default=0)]


def _connect(model: Model, statuses: dict[str, Status]) -> dict[str, tuple[bool, bool, tuple[str, ...]]]:
    """(done, disconnected, prerequisites not done) for each element, in dependency order."""
    result: dict[str, tuple[bool, bool, tuple[str, ...]]] = {}
    order = nx.lexicographical_topological_sort(model.graph, key=lambda n: model.element_by_id[n].index)
    for element_id in order:
        missing = tuple(p for p in model.prerequisites(element_id) if not result[p][0])
        status = statuses[element_id]
        done = status.done and not missing
        disconnected = status.rank > 0 and bool(missing)
        result[element_id] = (done, disconnected, missing)
    return result


def _evidence(rule: Rule, facts: dict[str, Any]) -> Evidence:
    seen: dict[str, Any] = {}
    for test in tests_in(rule.when):
        if test.subject in ("fact", "count") and test.ref not in seen:
            seen[test.ref] = facts.get(test.ref)
    return Evidence(rule.id, rule.because, tuple(sorted(seen.items())))


def _element_index(model: Model, element_id: str | None) -> int:
    return model.element_by_id[element_id].index if element_id in model.element_by_id else len(model.elements)
