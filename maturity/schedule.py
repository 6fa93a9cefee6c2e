"""A roadmap a client can schedule: quick wins first ("Now"), then the phases of dots, each
with its expected effort and the stage the organisation reaches when it is done, and, given a
start month, the quarters each phase takes. The projected stage is worked out by the engine:
the organisation's answers, changed so that the rules making each dot of the phases done hold,
are assessed again."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from .assess import AdviceResult, Assessment, assess
from .errors import DataError, Problem
from .model import EFFORTS, All, Any_, Condition, Not, Scaled, Stage, Test, candidates
from .recommend import Step, roadmap
from .targets import stage_needs

QUARTERS_BY_EFFORT = {"small": 1, "medium": 1, "large": 2}


@dataclass(frozen=True)
class Phase:
    number: int                        # 0 for "Now"
    label: str
    steps: tuple[Step, ...]
    quick_wins: tuple[AdviceResult, ...]
    effort: str
    projected: Stage
    starts: str | None = None          # "2027-Q1" with a start month
    ends: str | None = None


def parse_start(text: str) -> tuple[int, int]:
    """`2027-01` as (year, quarter index from 0); DataError when it is not a month."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:  # no year 0
        raise DataError([Problem("--start", 0, 0, f"'{text}' is not a month",
                                 "write the year and month, such as 2027-01")])
    return int(match.group(1)), (int(match.group(2)) - 1) // 3


def _quarter(year: int, index: int) -> str:
    return f"{year + index // 4}-Q{index % 4 + 1}"


def quick_wins(a: Assessment) -> list[AdviceResult]:
    """Advice to start now: the actions (not questions) the pack times `now`; the phases after
    "Now" do not repeat them."""
    return [x for x in a.advice if x.kind == "action" and x.advice.timeframe == "now"]


def plan(a: Assessment, start: str | None = None) -> list[Phase]:
    """The scheduled roadmap: "Now" (when there are quick wins), then each phase of dots."""
    phases = roadmap(a)
    wins = quick_wins(a)
    win_ids = {x.advice.id for x in wins}
    begin = parse_start(start) if start else None
    out: list[Phase] = []
    if wins:
        out.append(Phase(0, "Now", (), tuple(wins), _largest(x.advice.effort for x in wins), a.stage))
    facts = dict(a.organisation.facts)
    for n, phase in enumerate(phases, 1):
        for step in phase:
            facts.update(_done_facts(a, step.result.element.id, facts))
        projected = assess(a.model, dataclasses.replace(
            a.organisation, facts=dict(facts), answers=dict(a.organisation.answers))).stage
        steps = tuple(dataclasses.replace(s, actions=tuple(x for x in s.actions
                                                           if x.advice.id not in win_ids))
                      for s in phase)
        efforts = [x.advice.effort for s in phase for x in s.actions] or ["medium"]
        out.append(Phase(n, f"Phase {n}", steps, (), _largest(efforts), max(projected, a.stage,
                                                                           key=lambda s: s.rank)))
    if begin:
        year, index = begin
        dated = []
        for phase in out:
            if phase.number == 0:
                dated.append(dataclasses.replace(phase, starts=_quarter(year, index),
                                                 ends=_quarter(year, index)))
                continue
            length = QUARTERS_BY_EFFORT[phase.effort]
            dated.append(dataclasses.replace(phase, starts=_quarter(year, index),
                                             ends=_quarter(year, index + length - 1)))
            index += length
        out = dated
    return out


def _largest(efforts) -> str:
    ranked = [EFFORTS.index(e) for e in efforts]
    return EFFORTS[max(ranked)] if ranked else "small"


def _done_facts(a: Assessment, element_id: str, facts: dict[str, Any]) -> dict[str, Any]:
    """Answers that make a rule setting `element_id` to the level its step aims at hold: its
    lowest done level, or the higher one a stage above needs (targets.stage_needs: a dot done
    already is on the roadmap for that); the rule's tests on facts, each met by an allowed
    answer (the answer given when it already meets it)."""
    model = a.model
    target = stage_needs(a).get(element_id)
    for level in (s for s in model.statuses if s.done and (target is None or s.rank >= target.rank)):
        for rule in sorted((r for r in model.rules if (element_id, level.id) in r.status),
                           key=lambda r: r.id):
            found = _satisfy(rule.when, False, model, dict(facts))
            if found is not None:
                return found
    return {}


def _satisfy(c: Condition, negate: bool, model, facts: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(c, Not):
        return _satisfy(c.item, not negate, model, facts)
    if isinstance(c, Scaled):  # the threshold for this organisation: its size stays as it is
        return _satisfy(c.resolved(facts, negate)[0], negate, model, facts)
    if isinstance(c, Test):
        if c.subject not in ("fact", "count"):
            return facts
        fact = model.fact_by_id[c.ref]
        current = facts.get(c.ref)
        if current is not None and c.passes(current) != negate:
            return facts
        for value in candidates(fact, [c]) + ([[]] if fact.type == "choices" else []):
            if value is None and c.op != "present":
                continue
            if value is not None and fact.type == "choices" and current:
                value = list(dict.fromkeys(list(current) + list(value))) if not negate else value
            if c.passes(value) != negate:
                return {**facts, c.ref: value} if value is not None else \
                    {k: v for k, v in facts.items() if k != c.ref}
        return None
    conjunction = isinstance(c, All) != negate
    items = sorted(c.items, key=_canonical)  # so the order tests were written changes nothing
    if conjunction:
        for item in items:
            facts = _satisfy(item, negate, model, facts)
            if facts is None:
                return None
        return facts
    for item in items:
        found = _satisfy(item, negate, model, dict(facts))
        if found is not None:
            return found
    return None


def _canonical(c: Condition) -> str:
    """A condition as text that does not depend on the order its parts were written in."""
    if isinstance(c, Not):
        return f"not({_canonical(c.item)})"
    if isinstance(c, (All, Any_)):
        return f"{type(c).__name__}(" + ",".join(sorted(_canonical(i) for i in c.items)) + ")"
    return repr(c)
