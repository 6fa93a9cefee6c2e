"""The next dot to connect, and a roadmap of the rest, from an assessment and the graph."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .assess import AdviceResult, Assessment, ElementResult, Resolved
from .explain import foundations_text, missing_foundations, status_said, unassessed, unmet_needs
from .organisation import shown_facts
from .targets import stage_needs


@dataclass(frozen=True)
class Step:
    """One element still to connect: where it stands, what it waits for, why, and what to do."""

    result: ElementResult
    waits_for: tuple[str, ...]        # prerequisites not yet done (empty for the next dot)
    prerequisites_done: tuple[str, ...]
    reasons: tuple[str, ...]          # plain sentences saying why this step is here
    actions: tuple[AdviceResult, ...]
    needs: tuple[dict, ...] = ()      # the unmet conditions for it to be done (explain.unmet_needs)


def remaining(assessment: Assessment | Resolved) -> list[str]:
    """Elements not done (disconnected ones included) and those a stage above the
    organisation's needs at a higher level (targets.stage_needs), in model order."""
    raise_ = stage_needs(assessment)
    return [e.element.id for e in assessment.elements if not e.done or e.element.id in raise_]


def next_dot(assessment: Assessment) -> Step | None:
    """The element to work on next (`next_dot_id`), with why. None when nothing remains."""
    chosen = next_dot_id(assessment)
    return None if chosen is None else _step(assessment, assessment.element(chosen))


def next_dot_id(assessment: Assessment | Resolved) -> str | None:
    """The id of the element to work on next: one of `remaining` with every prerequisite done,
    one the next stage needs if there is such, ties by model order. None when nothing remains.
    It follows from statuses, connection and the stage alone, so what `assess.resolve` gives (a what-if's)
    does as well as an assessment. (A batch stores this for each organisation, without the
    explanation.)"""
    ready = [e for e in remaining(assessment) if not assessment.element(e).missing_prerequisites]
    wanted = stage_needs(assessment, only_next=True)
    return next((e for e in ready if e in wanted), ready[0] if ready else None)


def roadmap(assessment: Assessment) -> list[list[Step]]:
    """The remaining elements in phases: each phase's elements can be worked on side by side
    once the phases before it are done (topological generations of what is left)."""
    model = assessment.model
    left = remaining(assessment)
    graph = model.graph.subgraph(left)
    return [[_step(assessment, assessment.element(e)) for e in model.in_model_order(generation)]
            for generation in nx.topological_generations(graph)]


def connection_order(assessment: Assessment) -> list[str]:
    """The order in which the dots are connected, each dot once: the done ones (in dependency
    order), then the roadmap's phases (which also revisit a done dot a higher stage needs at a
    higher level: it keeps its place among the done). The picture numbers its dots so, and the
    report's scorecard lists them so."""
    model = assessment.model
    done = model.graph.subgraph([e.element.id for e in assessment.elements if e.done])
    first = list(nx.lexicographical_topological_sort(done, key=lambda n: model.element_by_id[n].index))
    later = [s.result.element.id for phase in roadmap(assessment) for s in phase]
    return list(dict.fromkeys(first + later))


def _step(assessment: Assessment, result: ElementResult) -> Step:
    model = assessment.model
    element = result.element
    prereqs = model.prerequisites(element.id)
    done = tuple(p for p in prereqs if assessment.element(p).done)
    waits = tuple(p for p in prereqs if not assessment.element(p).done)
    label = model.element_by_id
    # done, yet needed higher: by the next stage if it needs it, else by a later one
    target = (stage_needs(assessment, only_next=True).get(element.id)
              or stage_needs(assessment).get(element.id)) if result.done else None
    if unassessed(assessment, result):
        # nothing to go on: its status is the lowest only for want of answers
        reasons = [f"none of the questions about {element.label} is answered yet, so no answer "
                   "shows work on it"]
    elif not result.status.rank and element.id in assessment.status_open:
        # answered, no answer shows work on it, and the open questions could
        reasons = [f"no answer so far shows work on {element.label}; "
                   + ("whether it is done rests on questions not answered yet" if element.id in assessment.done_open
                      else "questions not answered yet could show some")]
    else:
        said, restated = status_said(result)  # a reason restating the status is said once
        reasons = [said + ("; whether it is done rests on questions not answered yet"
                           if element.id in assessment.done_open else
                           ", below the level at which it counts as done" if not result.status.done else
                           f"; a stage above needs it {target.label.lower()}" if target else
                           " but its foundations are not connected" if missing_foundations(assessment, result)[0] else
                           " but whether its foundations are done is not known "
                           f"({foundations_text(assessment, result, verb=False)})")]
        if not result.evidence:
            reasons.append(f"no rule found evidence of work on {element.label}")
        elif not restated:
            top = result.evidence[0]
            reasons.append(top.because or f"rule {top.rule}")  # the rule's id is in the evidence
    if done:
        reasons.append("builds on " + ", ".join(label[p].label for p in done) + " (done)")
    elif not prereqs:
        reasons.append("has no prerequisites")
    if waits:
        reasons.append("waits for " + ", ".join(label[p].label for p in waits))
    if result.disconnected:
        reasons.append("work on it has started before its foundations: a disconnected dot")
    # The unmet conditions for the level a stage above needs, or else for being done.
    needs = tuple(unmet_needs(model, element.id, assessment.organisation.facts, target)) \
        if target or not result.status.done else ()
    shown = shown_facts(assessment.organisation)  # "don't know" where that is the answer
    needs = tuple({**n, "actual": shown[n["fact"]]} if n["actual"] is None and n["fact"] in shown
                  else n for n in needs)
    return Step(result, waits, done, tuple(reasons), tuple(assessment.advice_for(element.id)),
                needs)
