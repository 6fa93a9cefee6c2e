"""Assessments as text for people and JSON for machines. Both are deterministic: the same
inputs give byte-identical output."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from .advice import coverage, merged, priorities, strengths, unanswered
from .assess import AdviceResult, Assessment, Evidence
from .explain import answer, floor_note, foundations_text, need_text, shown_status, status_known, status_now
from .organisation import STATE_WORDS
from .recommend import Step, next_dot
from .schedule import plan

JSON_FORMAT = 1
# Why the first stage applies when no stage rule fired: true whatever was (not) answered.
NO_STAGE_RULE = "none of the answers given meets a rule for a later stage"


# JSON ------------------------------------------------------------------------------------

def evidence_data(e: Evidence) -> dict:
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
                  "of": len(a.model.stages), "known": not a.stage_open,
                  "because": [evidence_data(e) for e in a.stage_evidence]
                  or [{"rule": None, "because": NO_STAGE_RULE, "facts": {}}]},
    }


def _step(step: Step) -> dict:
    r = step.result
    return {
        "id": r.element.id, "label": r.element.label, "status": r.status.id,
        "disconnected": r.disconnected, "prerequisites_done": list(step.prerequisites_done),
        "waits_for": list(step.waits_for), "why": list(step.reasons),
        "needs": [dict(n) for n in step.needs],
        "evidence": [evidence_data(e) for e in r.evidence],
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
                      "status_label": shown_status(a, e), "status_known": status_known(a, e), "done": e.done,
                      "done_known": e.element.id not in a.done_unknown, "disconnected": e.disconnected,
                      "missing_prerequisites": list(e.missing_prerequisites),
                      "because": [evidence_data(x) for x in e.evidence]} for e in a.elements],
        "disconnected": [e.element.id for e in a.disconnected],
        "findings": [{"id": f.finding.id, "severity": f.finding.severity, "element": f.finding.element,
                      "message": f.finding.message, **evidence_data(f.evidence)} for f in a.findings],
        "advice": [{"id": x.advice.id, "element": x.advice.element, "action": x.action,
                    **_advice_fields(x), **evidence_data(x.evidence)} for x in a.advice],
        "priorities": [{"id": x.advice.id, "element": x.advice.element, "action": x.action,
                        "priority": x.advice.priority, "effort": x.advice.effort,
                        "timeframe": x.advice.timeframe, "kind": x.kind, "rule": x.evidence.rule}
                       for x in priorities(a)],
        "strengths": [{"element": s.element, "text": s.text, "rule": s.rule} for s in strengths(a)],
        "coverage": coverage(a),
        "unanswered": unanswered(a),
        "next": _step(nxt) if nxt else None,
        "complete": nxt is None,
    }


def next_data(a: Assessment) -> dict:
    nxt = next_dot(a)
    return {**_head(a), "next": _step(nxt) if nxt else None, "complete": nxt is None}


def roadmap_data(a: Assessment, start: str | None = None) -> dict:
    phases = plan(a, start)
    out = []
    for phase in phases:
        item: dict[str, Any] = {"phase": phase.number}
        if phase.number == 0:
            item.update({"label": phase.label, "quick_wins": True,
                         "actions": [{"id": x.advice.id, "element": x.advice.element,
                                      "action": x.action, "rule": x.evidence.rule,
                                      **_advice_fields(x)} for x in phase.quick_wins]})
        item["elements"] = [_step(s) for s in phase.steps]
        item["effort"] = phase.effort
        item["projected_stage"] = {"id": phase.projected.id, "label": phase.projected.label,
                                   "rank": phase.projected.rank + 1}
        if phase.starts:
            item.update({"starts": phase.starts, "ends": phase.ends})
        out.append(item)
    return {**_head(a), "phases": out, "complete": not any(p.steps for p in phases)}


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


STAGE_FLOOR = "questions not answered yet could raise it"


def _stage_heading(a: Assessment) -> str:
    """"Stage: Just do it (2 of 7)", with "or higher" where questions not answered yet could
    raise it (Assessment.stage_open)."""
    return f"Stage: {a.stage.label} ({a.stage.rank + 1} of {len(a.model.stages)})" \
        + (f" or higher: {STAGE_FLOOR}" if a.stage_open else "")


def _stage_lines(a: Assessment, explain: bool = False) -> list[str]:
    lines = _wrap(_stage_heading(a), "  ", "")
    if a.stage.description:
        lines += _wrap(a.stage.description, "  ")
    if a.stage_evidence:
        for e in a.stage_evidence:
            text = f"because {_lower(e.because)}" if e.because else f"rule {e.rule}"
            lines += _wrap(text + (f" [rule {e.rule}]" if explain and e.because else ""), "    ", "  ")
    else:
        lines += _wrap(f"because {NO_STAGE_RULE}", "    ", "  ")
    return lines


def _step_lines(a: Assessment, step: Step, heading: str, explain: bool = False,
                now: frozenset[str] = frozenset()) -> list[str]:
    """A dot's lines; `now` holds the elements whose advice the roadmap moved to "Now"."""
    r = step.result
    lines = [f"{heading}{r.element.label}" + (f" ({r.element.id})" if explain else "")
             + f", {status_now(a, r)}"]
    for reason in step.reasons:
        lines += _wrap(reason, "       ", "  why: " if reason == step.reasons[0] else "       ")
    if step.needs:
        lines.append("  still missing:")
        for need in step.needs:
            lines += _wrap(need_text(need, a.model), "      ", "    - ")
    pairs = [(k, v) for e in r.evidence[:1] for k, v in e.facts]
    if not explain:  # a client sees only the answers that carry a note or evidence
        pairs = [(k, v) for k, v in pairs if _backing(a, k, "")]
    if explain and r.evidence:
        lines += _wrap(f"rule {r.evidence[0].rule}", "           ", "  rule: ")
    for n, (k, v) in enumerate(pairs):  # one a line, so a fact is never split from its value
        lines += _wrap(f"{k} = {_shown(a, k, v)}", "           ", "  facts: " if n == 0 else "         ")
        lines += _backing(a, k, "           ")
    if step.actions:
        lines.append("  do:")
        for x in step.actions:
            lines += _wrap(x.action + (f" (rule {x.evidence.rule})" if explain else ""), "      ", "    - ")
    elif r.element.id in now:
        lines.append("  do: start with its quick wins under \"Now\" above")
    else:
        lines.append("  do: no advice rule fired for it; see the element's description")
    return lines


def _shown(a: Assessment, fact_id: str, value: object) -> str:
    """An answer as a consultant reads it, saying "don't know" or "not applicable" when so."""
    given = a.organisation.answers.get(fact_id)
    worded = answer(value, a.model.fact_by_id.get(fact_id))
    return STATE_WORDS.get(given.state, worded) if given else worded


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


def _lower(text: str) -> str:
    """A sentence continued after "because": its first letter lower-cased, unless a name."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() or any(c.isupper() for c in first[1:]) else text[:1].lower() + text[1:]


def _label(a: Assessment, element: str | None) -> str:
    labels = a.model.element_by_id
    return labels[element].label if element in labels else "General"


def assessment_text(a: Assessment, explain: bool = False) -> str:
    """The assessment as a client reads it; `explain` adds rule and fact ids."""
    data_coverage = coverage(a)
    lines = _title(a) + [""] + _stage_lines(a, explain) + [""]
    lines += _wrap(f"Coverage: {data_coverage['answered']} of {data_coverage['total']} questions "
                   "answered (" + ", ".join(f"{label} {answered}/{total}"
                                            for label, answered, total in _coverage_parts(a, data_coverage))
                   + ")" + "".join(f"; {part}" for part in not_answered_parts(data_coverage)), "  ", "")
    lines += ["", "Elements"]
    nxt = next_dot(a)
    width = max(len(e.element.label) for e in a.elements)
    # At least 10 wide, so that packs with short labels keep their layout.
    shown = {e.element.id: shown_status(a, e) for e in a.elements}
    status_width = max([10, *map(len, shown.values())] + [len(s.label) for s in a.model.statuses])
    headings = _group_headings(a)
    indent = "    " if headings else "  "
    for e in a.elements:
        if e.element.id in headings:
            lines.append(headings[e.element.id])
        marks = []
        if e.done:
            marks.append("done")
        if e.disconnected:
            marks.append("DISCONNECTED")
        if nxt and nxt.result.element.id == e.element.id:
            marks.append("NEXT")
        lines.append(f"{indent}{e.element.label:<{width}}  {shown[e.element.id]:<{status_width}}  {', '.join(marks)}".rstrip())
    note = floor_note(a)
    if note:
        lines += _wrap(note, indent, indent)
    found = strengths(a)
    if found:
        lines += ["", "Strengths"]
        for strength in found:
            lines += _wrap(strength.text + (f" (rule {strength.rule})" if explain else ""), "    ", "  - ")
    top = priorities(a)
    if top:
        lines += ["", "Priorities"]
        for n, x in enumerate(top, 1):
            lines += _wrap(f"{_label(a, x.advice.element)}: {x.action} [{x.advice.priority} priority, "
                           f"{x.advice.effort} effort, {TIMEFRAME_WORDS[x.advice.timeframe]}]"
                           + (f" (rule {x.evidence.rule})" if explain else ""), "     ", f"  {n}. ")
    if a.disconnected:
        lines += ["", "Disconnected dots"]
        for e in a.disconnected:
            lines += _wrap(f"{e.element.label} is {e.status.label.lower()} while "
                           f"{foundations_text(a, e)}", "    ", "  - ")
    if a.findings:
        lines += ["", "Findings"]
        for f in a.findings:
            lines += _wrap(f"[{f.finding.severity}] {f.finding.message}"
                           + (f" (rule {f.evidence.rule})" if explain else ""), "    ", "  - ")
            lines += _noted(a, f.evidence, "    ")
    chosen = {(x.advice.id, x.kind) for x in top}
    rest = [x for x in merged(a.advice) if (x.advice.id, x.kind) not in chosen]
    if rest:
        lines += ["", "More advice, by element"]
        order = {e.id: e.index for e in a.model.elements}
        groups: dict[str | None, list[AdviceResult]] = {}
        for x in sorted(rest, key=lambda x: order.get(x.advice.element, -1)):
            groups.setdefault(x.advice.element, []).append(x)
        for element, items in groups.items():
            lines.append(f"  {_label(a, element)}")
            for x in items:
                lines += _wrap(x.action + (f" (rule {x.evidence.rule})" if explain else ""), "      ", "    - ")
                lines += _noted(a, x.evidence, "      ")
    open_questions = [u for u in unanswered(a) if u["could_change"]]
    if open_questions:
        lines += ["", "Questions to settle: an answer to any of these could change the stage or the next dot"]
        for u in open_questions:
            lines += _wrap(u["question"] + (f" ({u['fact']})" if explain else ""), "    ", "  - ")
    lines += [""] + _next_lines(a, nxt, explain)
    return "\n".join(lines) + "\n"


TIMEFRAME_WORDS = {"now": "start now", "quarter": "this quarter", "year": "this year"}
NOT_NEEDED = "not needed, given the answers"


def not_answered_parts(coverage: dict) -> list[str]:
    """What a coverage (advice.coverage) says of the questions without a value, each part only
    when there are some: recorded as don't know or not applicable; still open (the questions
    listed as not answered); settled, so not needed."""
    recorded = coverage["total"] - coverage["answered"] - coverage["unanswered"]
    still = coverage["unanswered"] - coverage["not_needed"]
    return ([f"{recorded} recorded as don't know or not applicable"] if recorded else []) \
        + ([f"{still} still open"] if still else []) \
        + ([f"{coverage['not_needed']} {NOT_NEEDED}"] if coverage["not_needed"] else [])


def coverage_sentence(coverage: dict) -> str:
    """The coverage in one sentence, the parts as `not_answered_parts` gives them: "12 of 39
    questions answered; 19 still open; 8 not needed, given the answers"."""
    return f"{coverage['answered']} of {coverage['total']} questions answered" \
        + "".join(f"; {part}" for part in not_answered_parts(coverage)) + "."


def top_groups(model) -> dict[str, str]:
    """Element -> the top-level group it is in (through its sub-groups), for the elements in a
    group; empty for a model without groups."""
    top_of: dict[str, str] = {}
    for group in model.groups:
        if group.within is None:
            for element_id in model.members[group.id]:
                top_of.setdefault(element_id, group.id)
    return top_of


def done_heading(label: str, done: int, total: int) -> str:
    """A group's heading over its elements: "Level 1 (3 of 40 done)"."""
    return f"{label} ({done} of {total} done)"


def _group_headings(a: Assessment) -> dict[str, str]:
    """In a model with groups, the heading before the first element of each run of elements of
    one top-level group (its label, and how many of its elements are done), and "Other" before
    a run of elements in none: element id -> heading. Empty without groups."""
    model = a.model
    top_of = top_groups(model)
    if not top_of:
        return {}
    done = {e.element.id for e in a.elements if e.done}
    headings: dict[str, str] = {}
    previous: str | None = ""
    for element in model.elements:
        group_id = top_of.get(element.id)
        if group_id != previous:
            if group_id is None:
                headings[element.id] = "  Other"
            else:
                members = model.members[group_id]
                headings[element.id] = "  " + done_heading(model.group_by_id[group_id].label,
                                                           sum(m in done for m in members), len(members))
            previous = group_id
    return headings


def _coverage_parts(a: Assessment, data: dict) -> list[tuple[str, int, int]]:
    """(label, answered, total) of each element; in a model with groups, of each top-level
    group (its sub-groups' elements included) and each element in no group, in model order: a
    model of hundreds of elements is read by its groups (the JSON keeps every element)."""
    model = a.model
    top_of = top_groups(model)
    if not top_of:
        return [(e["label"], e["answered"], e["total"]) for e in data["by_element"]]
    by_element = {e["id"]: e for e in data["by_element"]}
    parts: dict[tuple[str, str], list] = {}
    for element in model.elements:  # a group takes the place of its first element
        group = model.group_by_id.get(top_of.get(element.id, ""))
        key, label = (("group", group.id), group.label) if group else (("element", element.id), element.label)
        part = parts.setdefault(key, [label, 0, 0])
        part[1] += by_element[element.id]["answered"]
        part[2] += by_element[element.id]["total"]
    return [tuple(p) for p in parts.values()]


def _next_lines(a: Assessment, nxt: Step | None, explain: bool = False) -> list[str]:
    return _step_lines(a, nxt, "Next dot: ", explain) if nxt else ["Next dot: none, every dot is connected"]


def _short_head(a: Assessment) -> list[str]:
    return _title(a) + [""] + _wrap(_stage_heading(a), "  ", "") + [""]


def next_text(a: Assessment, explain: bool = False) -> str:
    return "\n".join(_short_head(a) + _next_lines(a, next_dot(a), explain)) + "\n"


def roadmap_text(a: Assessment, explain: bool = False, start: str | None = None) -> str:
    phases = plan(a, start)
    lines = _short_head(a)
    dots = [p for p in phases if p.steps]
    if not dots and not phases:
        lines.append("Roadmap: nothing left, every dot is connected")
        return "\n".join(lines) + "\n"
    total = sum(len(p.steps) for p in dots)
    further = sum(s.result.done for p in dots for s in p.steps)  # done, needed higher by a stage above
    if dots:
        counts = [f"{n} dot{'s' if n != 1 else ''} to {verb}" for n, verb in
                  ((total - further, "connect"), (further, "take further")) if n]
        lines.append(f"Roadmap: {' and '.join(counts)} in {len(dots)} "
                     f"phase{'s' if len(dots) != 1 else ''}" + (", after the quick wins" if
                                                               len(phases) > len(dots) else ""))
    else:
        lines.append("Roadmap: every dot is connected; quick wins remain")
    for phase in phases:
        when = f", {phase.starts}" + (f" to {phase.ends}" if phase.ends != phase.starts else "") \
            if phase.starts else ""
        if phase.number == 0:
            wins = "quick wins to start at once" if phase.effort == "small" else "to start at once"
            lines += ["", f"Now: {wins} ({phase.effort} effort{when})"]
            for x in phase.quick_wins:
                lines += _wrap(f"{_label(a, x.advice.element)}: {x.action}"
                               + (f" (rule {x.evidence.rule})" if explain else ""), "    ", "  - ")
            continue
        now = frozenset(x.advice.element for p in phases if p.number == 0 for x in p.quick_wins)
        side = ", side by side" if len(phase.steps) > 1 else ""
        lines += ["", f"{phase.label} ({phase.effort} effort{when}{side}); when it is done, the "
                      f"stage is {phase.projected.label} ({phase.projected.rank + 1} of "
                      f"{len(a.model.stages)})"]
        for step in phase.steps:
            lines += ["  " + l if l else l for l in _step_lines(a, step, "", explain, now)]
    return "\n".join(lines) + "\n"
