"""Assessments as text for people and JSON for machines. Both are deterministic: the same
inputs give byte-identical output."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from .assess import AdviceResult, Assessment, Evidence
from .explain import answer
from .organisation import STATE_WORDS
from .recommend import Step, next_dot, roadmap

JSON_FORMAT = 1
# Why the first stage applies when no stage rule fired: true whatever was (not) answered.
NO_STAGE_RULE = "none of the answers given meets a rule for a later stage"


# JSON ------------------------------------------------------------------------------------

def _evidence(e: Evidence) -> dict:
    return {"rule": e.rule, "because": e.because, "facts": {k: v for k, v in e.facts}}


def _advice_fields(x: AdviceResult) -> dict:
    a = x.advice
    return {"kind": x.kind, "priority": a.priority, "effort": a.effort, "timeframe": a.timeframe,
            "about": list(a.about), "asks": list(x.asks)}


def _head(a: Assessment) -> dict:
    org = a.organisation
    return {
        "format": JSON_FORMAT,
        "organisation": {"id": org.id, "name": org.name, **dict(sorted(org.meta.items()))},
        "pack": {"id": a.model.id, "label": a.model.label, "version": a.model.version},
        "stage": {"id": a.stage.id, "label": a.stage.label, "rank": a.stage.rank + 1,
                  "of": len(a.model.stages),
                  "because": [_evidence(e) for e in a.stage_evidence]
                  or [{"rule": None, "because": NO_STAGE_RULE, "facts": {}}]},
    }


def _step(step: Step) -> dict:
    r = step.result
    return {
        "id": r.element.id, "label": r.element.label, "status": r.status.id,
        "disconnected": r.disconnected, "prerequisites_done": list(step.prerequisites_done),
        "waits_for": list(step.waits_for), "why": list(step.reasons), "needs": list(step.needs),
        "evidence": [_evidence(e) for e in r.evidence],
        "actions": [{"id": x.advice.id, "action": x.action, "rule": x.evidence.rule, **_advice_fields(x)}
                    for x in step.actions],
    }


def answers_data(a: Assessment) -> dict:
    """The answers that carry more than a value: a note, evidence, or don't know / not
    applicable (interface a), by fact id in id order."""
    return {k: {"state": x.state, "value": x.value, "note": x.note, "evidence": list(x.evidence)}
            for k, x in sorted(a.organisation.answers.items())
            if x.note or x.evidence or x.state != "answered"}


def assessment_data(a: Assessment) -> dict:
    nxt = next_dot(a)
    return {
        **_head(a),
        "answers": answers_data(a),
        "elements": [{"id": e.element.id, "label": e.element.label, "status": e.status.id,
                      "status_label": e.status.label, "done": e.done, "disconnected": e.disconnected,
                      "missing_prerequisites": list(e.missing_prerequisites),
                      "because": [_evidence(x) for x in e.evidence]} for e in a.elements],
        "disconnected": [e.element.id for e in a.disconnected],
        "findings": [{"id": f.finding.id, "severity": f.finding.severity, "element": f.finding.element,
                      "message": f.finding.message, **_evidence(f.evidence)} for f in a.findings],
        "advice": [{"id": x.advice.id, "element": x.advice.element, "action": x.action,
                    **_advice_fields(x), **_evidence(x.evidence)} for x in a.advice],
        "next": _step(nxt) if nxt else None,
        "complete": nxt is None,
    }


def next_data(a: Assessment) -> dict:
    nxt = next_dot(a)
    return {**_head(a), "next": _step(nxt) if nxt else None, "complete": nxt is None}


def roadmap_data(a: Assessment) -> dict:
    phases = roadmap(a)
    return {**_head(a), "phases": [{"phase": n, "elements": [_step(s) for s in phase]}
                                   for n, phase in enumerate(phases, 1)],
            "complete": not phases}


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


# Text ------------------------------------------------------------------------------------

WIDTH = 88


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first if first is not None else indent,
                         subsequent_indent=indent, break_on_hyphens=False) or [first or indent]


def _title(a: Assessment) -> list[str]:
    org = a.organisation
    lines = [f"{org.name}: {a.model.label}"]
    extra = [f"{k.replace('_', ' ')} {v}" for k, v in sorted(org.meta.items()) if k in ("assessed_on", "consultant")]
    lines.append(f"pack {a.model.id}" + (f" {a.model.version}" if a.model.version else "")
                 + (", " + ", ".join(extra) if extra else ""))
    return lines


def _stage_lines(a: Assessment) -> list[str]:
    lines = [f"Stage: {a.stage.label} ({a.stage.rank + 1} of {len(a.model.stages)})"]
    if a.stage.description:
        lines += _wrap(a.stage.description, "  ")
    if a.stage_evidence:
        for e in a.stage_evidence:
            lines += _wrap(f"because {e.because} [rule {e.rule}]" if e.because else f"rule {e.rule}", "    ", "  ")
    else:
        lines += _wrap(f"because {NO_STAGE_RULE}", "    ", "  ")
    return lines


def _step_lines(a: Assessment, step: Step, heading: str) -> list[str]:
    r = step.result
    lines = [f"{heading}{r.element.label} ({r.element.id}), now {r.status.label.lower()}"]
    for reason in step.reasons:
        lines += _wrap(reason, "       ", "  why: " if reason == step.reasons[0] else "       ")
    for n, need in enumerate(step.needs):
        lines += _wrap(need, "           ", "  needs: " if n == 0 else "         ")
    pairs = [(k, v) for e in r.evidence[:1] for k, v in e.facts]
    for n, (k, v) in enumerate(pairs):  # one a line, so a fact is never split from its value
        lines += _wrap(f"{k} = {_shown(a, k, v)}", "           ", "  facts: " if n == 0 else "         ")
        lines += _backing(a, k, "           ")
    if step.actions:
        lines.append("  do:")
        for x in step.actions:
            lines += _wrap(x.action, "      ", "    - ")
    else:
        lines.append("  do: no advice rule fired for it; see the element's description")
    return lines


def _shown(a: Assessment, fact_id: str, value: object) -> str:
    """An answer as a consultant reads it, saying "don't know" or "not applicable" when so."""
    given = a.organisation.answers.get(fact_id)
    return STATE_WORDS.get(given.state, answer(value)) if given else answer(value)


def _backing(a: Assessment, fact_id: str, indent: str) -> list[str]:
    """The note and evidence behind an answer, as lines under it."""
    given = a.organisation.answers.get(fact_id)
    lines: list[str] = []
    if given and given.note:
        lines += _wrap(given.note, indent + "      ", indent + "note: ")
    if given and given.evidence:
        lines += _wrap(", ".join(given.evidence), indent + "          ", indent + "evidence: ")
    return lines


def _noted(a: Assessment, e: Evidence, indent: str) -> list[str]:
    """The facts a conclusion's rule tested that carry a note or evidence, each with them."""
    lines: list[str] = []
    for k, v in e.facts:
        backing = _backing(a, k, indent + "  ")
        if backing:
            lines += _wrap(f"{k} = {_shown(a, k, v)}", indent + "  ", indent) + backing
    return lines


def assessment_text(a: Assessment) -> str:
    lines = _title(a) + [""] + _stage_lines(a) + ["", "Elements"]
    nxt = next_dot(a)
    width = max(len(e.element.label) for e in a.elements)
    # At least 10 wide, so that packs with short labels keep their layout.
    status_width = max([10] + [len(s.label) for s in a.model.statuses])
    for e in a.elements:
        marks = []
        if e.done:
            marks.append("done")
        if e.disconnected:
            marks.append("DISCONNECTED")
        if nxt and nxt.result.element.id == e.element.id:
            marks.append("NEXT")
        lines.append(f"  {e.element.label:<{width}}  {e.status.label:<{status_width}}  {', '.join(marks)}".rstrip())
    if a.disconnected:
        lines += ["", "Disconnected dots"]
        labels = a.model.element_by_id
        for e in a.disconnected:
            waits = ", ".join(labels[p].label for p in e.missing_prerequisites)
            lines += _wrap(f"{e.element.label} is {e.status.label.lower()} while {waits} "
                           f"{'is' if len(e.missing_prerequisites) == 1 else 'are'} not done", "    ", "  - ")
    if a.findings:
        lines += ["", "Findings"]
        for f in a.findings:
            lines += _wrap(f"[{f.finding.severity}] {f.finding.message} (rule {f.evidence.rule})", "    ", "  - ")
            lines += _noted(a, f.evidence, "    ")
    if a.advice:
        lines += ["", "Advice"]
        labels = a.model.element_by_id
        for x in a.advice:
            where = labels[x.advice.element].label if x.advice.element in labels else "General"
            lines += _wrap(f"{where}: {x.action} (rule {x.evidence.rule})", "    ", "  - ")
            lines += _noted(a, x.evidence, "    ")
    lines += [""] + _next_lines(a, nxt)
    return "\n".join(lines) + "\n"


def _next_lines(a: Assessment, nxt: Step | None) -> list[str]:
    return _step_lines(a, nxt, "Next dot: ") if nxt else ["Next dot: none, every dot is connected"]


def _short_head(a: Assessment) -> list[str]:
    return _title(a) + ["", f"Stage: {a.stage.label} ({a.stage.rank + 1} of {len(a.model.stages)})", ""]


def next_text(a: Assessment) -> str:
    return "\n".join(_short_head(a) + _next_lines(a, next_dot(a))) + "\n"


def roadmap_text(a: Assessment) -> str:
    phases = roadmap(a)
    lines = _short_head(a)
    if not phases:
        lines.append("Roadmap: nothing left, every dot is connected")
        return "\n".join(lines) + "\n"
    total = sum(len(p) for p in phases)
    lines.append(f"Roadmap: {total} dot{'s' if total != 1 else ''} to connect in {len(phases)} "
                 f"phase{'s' if len(phases) != 1 else ''}")
    for n, phase in enumerate(phases, 1):
        side = " (side by side)" if len(phase) > 1 else ""
        lines += ["", f"Phase {n}{side}"]
        for step in phase:
            lines += ["  " + l if l else l for l in _step_lines(a, step, "")]
    return "\n".join(lines) + "\n"
