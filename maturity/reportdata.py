"""The client report's content, built once as a plain structure from an assessment: cover,
summary with the stage ladder, strengths, priorities, picture, scorecard, findings, next dot,
roadmap, unanswered questions (those still open, and apart those no answer to which could
change anything), progress since a previous assessment, and an appendix.

Every document format (HTML, Markdown, DOCX, PDF) renders this one structure and computes
nothing of its own: strengths, priorities, coverage, unanswered questions, needs and the
roadmap's phases (quick wins, projected stages) are those of `assessment_data`/`roadmap_data`,
the same as `dots assess --format json` and `dots roadmap --format json` give.
"""

from __future__ import annotations


from .assess import Assessment, rule_evidence
from .explain import (answer, disconnected_known, floor_note, foundations_text, missing_foundations, need_text,
                      unassessed)
from .model import SEVERITIES, Model
from .organisation import rule_facts
from .recommend import connection_order
from .targets import stage_needs
from .report import (TIMEFRAME_WORDS, assessment_data, coverage_sentence, evidence_data, done_heading,
                     roadmap_data, top_groups)

REPORT_FORMAT = 1
# A model of hundreds of elements is read by its groups: the summary names the dots done or
# disconnected, and the report lists strengths one by one, up to these many; beyond, the
# summary counts them per group and the scorecard (by group) holds every one.
NAMED_IN_SUMMARY = 10
STRENGTHS_LISTED = 12
SECTIONS = ("cover", "summary", "progress", "strengths", "priorities", "picture", "scorecard",
            "findings", "next", "roadmap", "more_advice", "unanswered", "benchmark", "appendix")


def report_data(a: Assessment, *, appendix: bool = True, picture_svg: str | None = None,
                picture_missing: str = "", picture_view: str = "whole",
                picture_layout: str = "page", progress: dict | None = None, benchmark: dict | None = None) -> dict:
    """The report's content. `picture_svg` is the picture drawn for documents (None: the report
    says the picture could not be drawn), of the view `picture_view` (views.document_view),
    drawn with `picture_layout` (render.LAYOUTS: "slide" and "wide" get a landscape page);
    `progress` is a comparison's data (maturity.compare)."""
    data = assessment_data(a)
    road = roadmap_data(a)
    labels = {e.id: e.label for e in a.model.elements}
    order = connection_order(a)
    number = {e: n for n, e in enumerate(order, 1)}
    org = a.organisation
    questions = {f.id: f.question for f in a.model.facts}
    fact_by_id = a.model.fact_by_id

    def facts(raw: dict) -> list[dict]:
        return [{"fact": k, "question": questions.get(k, ""), "answer": answer(v, fact_by_id.get(k))}
                for k, v in raw.items()]

    cover = {
        "client": org.name, "id": org.id,
        "sector": org.meta.get("sector", ""), "size": org.meta.get("size", ""),
        "date": str(org.meta.get("assessed_on", "")), "consultant": org.meta.get("consultant", ""),
        "model": a.model.label, "pack": a.model.id, "pack_version": a.model.version,
    }
    done = [e for e in a.elements if e.done]
    elements = {e["id"]: e for e in data["elements"]}
    nxt = data["next"]
    scorecard = [_score_row(elements[e], number[e], a, nxt) for e in order]
    findings = [{**f, "element_label": labels.get(f["element"] or "", "General"),
                 "facts": facts(f["facts"])} for f in data["findings"]]
    strengths = _strengths(data, labels)
    return {
        "format": REPORT_FORMAT,
        "title": f"{org.name}: {a.model.label}",
        "cover": cover,
        "summary": _summary(a, data, done, labels),
        "progress": progress,
        "strengths": strengths[:STRENGTHS_LISTED],
        "strengths_more": len(strengths[STRENGTHS_LISTED:]),
        "priorities": _priorities(data, labels),
        "picture": {"svg": picture_svg, "missing": picture_missing, "view": picture_view,
                    "layout": picture_layout, "alt": _picture_alt(a, picture_view)},
        "scorecard": scorecard,
        "scorecard_groups": _scorecard_groups(a, scorecard),
        "scorecard_note": floor_note(a),
        "findings": findings,
        "findings_groups": _findings_groups(a, findings),
        "next": _step(nxt, labels, facts, number, a.model) if nxt else None,
        "roadmap": _roadmap(road["phases"], labels, facts, number, a.model),
        "more_advice": _more_advice(data, road["phases"], labels),
        "unanswered": _unanswered(data, labels),
        "not_needed": _not_needed(data, labels),
        "coverage": {**data["coverage"], "text": coverage_sentence(data["coverage"])},
        "benchmark": _benchmark(benchmark if benchmark is not None else data.get("benchmark")),
        "appendix": _appendix(a, data, labels, facts) if appendix else None,
    }


def _summary(a: Assessment, data: dict, done: list, labels: dict) -> dict:
    stage = a.stage
    ladder = [{"id": s.id, "label": s.label, "rank": s.rank + 1, "description": s.description,
               "current": s.id == stage.id} for s in a.model.stages]
    total = len(a.elements)
    dis = [labels[e] for e in data["disconnected"]]
    nxt = data["next"]
    parts = [f"{a.organisation.name} is at stage {stage.rank + 1} of {len(a.model.stages)}, "
             f"{stage.label}" + (f": {stage.description}" if stage.description else ".")]
    if a.stage_open:
        parts.append("Questions not answered yet could put it at a higher stage.")
    named = [e.element.label for e in done]
    grouped = bool(top_groups(a.model))
    parts.append(f"{len(done)} of {total} dots {'is' if len(done) == 1 else 'are'} connected so far"
                 + (f" ({', '.join(named)})." if 0 < len(named) <= NAMED_IN_SUMMARY
                    else f" ({_per_group(a, {e.element.id for e in done}, True)})."
                    if named and grouped else "."))
    # Connected or not, the answers do not say (the scorecard's "not known"): not answered, at a
    # done level on a dot not answered or open, or open itself (its done rests on questions not
    # answered yet).
    pending = [e for e in a.elements if e.element.id in a.done_unknown]
    if pending:
        below = [missing_foundations(a, e) for e in pending]  # (not done, not answered, open)
        beneath = list(dict.fromkeys([e.element.label for e in pending if e.element.id in a.unassessed]
                                     + [label for _, unasked, _ in below for label in unasked]))
        opened = list(dict.fromkeys([e.element.label for e in pending if e.element.id in a.done_open]
                                    + [label for _, _, open_ in below for label in open_]))
        waits = ([f"{', '.join(beneath)} {'is' if len(beneath) == 1 else 'are'} answered"] if beneath else []) \
            + ([f"the open questions of {', '.join(opened)} are answered"] if opened else [])
        until = " and ".join(waits) if len(beneath) + len(opened) <= NAMED_IN_SUMMARY \
            else "the dots beneath them are answered"
        parts.append(f"Whether {len(pending)} {'more ' if done else ''}{'is' if len(pending) == 1 else 'are'} connected "
                     f"is not known until {until}.")
    if dis:
        what = (f": {', '.join(dis)}" if len(dis) <= NAMED_IN_SUMMARY
                else f" ({_per_group(a, set(data['disconnected']), False)})"
                if grouped else "; the scorecard marks them")
        parts.append(f"{len(dis)} {'dot is' if len(dis) == 1 else 'dots are'} disconnected, "
                     f"started before {'its' if len(dis) == 1 else 'their'} foundations{what}.")
    target = stage_needs(a).get(nxt["id"]) if nxt and a.element(nxt["id"]).done else None
    parts.append(f"The next step is to take {nxt['label']}, connected already, to "
                 f"{target.label.lower()}, which a stage above needs." if target
                 else f"The next dot to connect is {nxt['label']}." if nxt
                 else "Every dot is connected already")
    return {"stage": {"id": stage.id, "label": stage.label, "rank": stage.rank + 1,
                      "of": len(a.model.stages), "description": stage.description},
            "ladder": ladder, "dots_done": len(done), "total": total, "disconnected": dis,
            "text": " ".join(p if p.endswith(".") else p + "." for p in parts)}


def _per_group(a: Assessment, ids: set[str], of_total: bool) -> str:
    """How many of `ids` each top-level group holds, in pack order, groups holding none left
    out: "Level 1: 3 of 40, Level 2: 4 of 40" (`of_total`) or "Level 1: 3, Level 2: 4"; the
    elements in no group as "Other"."""
    top_of = top_groups(a.model)
    counts: dict[str | None, list[int]] = {}
    for e in a.model.elements:
        count = counts.setdefault(top_of.get(e.id), [0, 0])
        count[0] += e.id in ids
        count[1] += 1
    label = {g.id: g.label for g in a.model.groups}
    order = [g.id for g in a.model.groups if g.id in counts] + ([None] if None in counts else [])
    return ", ".join(f"{label.get(g, 'Other')}: {counts[g][0]}"
                     + (f" of {counts[g][1]}" if of_total else "") for g in order if counts[g][0])


def _picture_alt(a: Assessment, view: str) -> str:
    org = a.organisation.name
    if view == "summary":
        return (f"The {len(a.model.groups)} groups of {org}'s {len(a.elements)} dots and how they "
                f"build on each other, each coloured by how much of it is done")
    if view == "frontier":
        return (f"The dots {org} could connect next, with the done dots they build on and the "
                f"dots they unlock, of {len(a.elements)} in all")
    return (f"The {len(a.elements)} dots of {org} and how they build on each other, numbered in "
            f"the order to connect them")


def _scorecard_groups(a: Assessment, scorecard: list[dict]) -> list[dict]:
    """In a model with groups, the scorecard's rows by top-level group (pack order; the
    elements in no group last, as "Other"), each group headed by how many of its dots are done;
    without groups, one group of every row with no heading."""
    top_of = top_groups(a.model)
    if not top_of:
        return [{"id": None, "label": "", "done": sum(r["done"] for r in scorecard),
                 "total": len(scorecard), "heading": "", "rows": scorecard}]
    rows: dict[str | None, list[dict]] = {g.id: [] for g in a.model.groups if g.within is None}
    for row in scorecard:
        rows.setdefault(top_of.get(row["id"]), []).append(row)
    label = {g.id: g.label for g in a.model.groups}
    out = []
    for g, members in rows.items():
        if members:
            done = sum(r["done"] for r in members)
            out.append({"id": g, "label": label.get(g, "Other"), "done": done, "total": len(members),
                        "heading": done_heading(label.get(g, "Other"), done, len(members)),
                        "rows": members})
    return out


def _findings_groups(a: Assessment, findings: list[dict]) -> list[dict]:
    """In a model with groups, the findings by top-level group of their element (general
    findings as "General", those of elements in no group as "Other"), each group's in report
    order (most severe first) and headed by how many there are; the groups by their most severe
    finding, then General, the pack's order and Other. Without groups, one group of every finding
    with no heading."""
    top_of = top_groups(a.model)
    if not top_of:
        return [{"id": None, "label": "", "heading": "", "findings": findings}]
    label = {g.id: g.label for g in a.model.groups}
    by: dict[str | None, list[dict]] = {"": []}
    by.update((g.id, []) for g in a.model.groups if g.within is None)
    for f in findings:
        by.setdefault(top_of.get(f["element"]) if f["element"] else "", []).append(f)
    severity = {s: n for n, s in enumerate(SEVERITIES)}
    found = sorted(((severity[items[0]["severity"]], n, g, items)
                    for n, (g, items) in enumerate(by.items()) if items), key=lambda x: x[:2])
    return [{"id": g or None, "label": "General" if g == "" else label.get(g, "Other"),
             "heading": f"{'General' if g == '' else label.get(g, 'Other')} ({len(items)} "
                        f"finding{'s' if len(items) != 1 else ''})", "findings": items}
            for _, _, g, items in found]


def _strengths(data: dict, labels: dict) -> list[dict]:
    return [{**s, "element_label": labels.get(s["element"] or "", "General")} for s in data["strengths"]]


def _priorities(data: dict, labels: dict) -> list[dict]:
    return [{**p, "element_label": labels.get(p["element"] or "", "General"), "when": _when(p, True)}
            for p in data["priorities"]]


def _when(x: dict, priority: bool = False) -> str:
    """An advice item's priority (when `priority`), effort and timeframe in words, as the text
    output says them: "high priority, medium effort, this quarter"."""
    words = [f"{x['priority']} priority"] if priority and x.get("priority") else []
    words += [f"{x['effort']} effort"] if x.get("effort") else []
    words += [TIMEFRAME_WORDS[x["timeframe"]]] if x.get("timeframe") else []
    return ", ".join(words)


def _reason(e: dict, a: Assessment) -> str:
    """The one-line reason for an element's status on the scorecard."""
    result = a.element(e["id"])
    if e["disconnected"]:
        return f"started before its foundations ({foundations_text(a, result, verb=False)})"
    if e["because"]:
        return e["because"][0]["because"] or f"rule {e['because'][0]['rule']}"
    if unassessed(a, result):
        return "none of its questions is answered yet"
    if result.element.id in a.status_open:
        return "no answer shows work on it yet; the questions not answered could"
    return "no rule found evidence of work on it"


def _score_row(e: dict, n: int, a: Assessment, nxt: dict | None) -> dict:
    return {"n": n, "id": e["id"], "label": e["label"], "status": e["status"],
            "status_label": e["status_label"], "done": e["done"], "disconnected": e["disconnected"],
            # done as the answers show it: not known on a dot not answered, or resting on one
            "done_label": "yes" if e["done"] else "not known" if e["id"] in a.done_unknown else "no",
            "disconnected_label": "yes" if e["disconnected"] else "no"
            if disconnected_known(a, a.element(e["id"])) else "not known",
            "next": bool(nxt and nxt["id"] == e["id"]), "reason": _reason(e, a),
            "rule": e["because"][0]["rule"] if e["because"] else ""}


def _needs(step: dict, model: Model) -> list[str]:
    """The unmet conditions, in the words `dots next` uses: the question, the answer it needs
    (for a threshold, the one that applies to this organisation) and the answer given."""
    return [need_text(n, model) for n in step["needs"]]


def _step(step: dict, labels: dict, facts, number: dict, model: Model) -> dict:
    return {"n": number.get(step["id"]), "id": step["id"], "label": step["label"],
            "status": step["status"], "disconnected": step["disconnected"],
            "why": step["why"], "needs": _needs(step, model),
            "waits_for": [labels[p] for p in step["waits_for"]],
            "evidence": [{"rule": e["rule"], "because": e["because"], "facts": facts(e["facts"])}
                         for e in step["evidence"]],
            "actions": step["actions"]}


def _roadmap(phases: list[dict], labels: dict, facts, number: dict, model: Model) -> list[dict]:
    """The phases; a dot whose actions all went to the quick wins says so (`in_now`)."""
    now = {x["element"] for p in phases for x in p.get("actions", [])}
    out = [_phase(p, labels, facts, number, model) for p in phases]
    for p in out:
        for step in p["elements"]:
            step["in_now"] = not step["actions"] and step["id"] in now
    return out


def _phase(p: dict, labels: dict, facts, number: dict, model: Model) -> dict:
    label = p.get("label") or f"Phase {p['phase']}"
    when = " to ".join(x for x in (p.get("starts"), p.get("ends")) if x)
    return {"phase": p["phase"], "label": label, "when": when, "effort": p.get("effort"), "intro": _phase_intro(p),
            "projected_stage": p.get("projected_stage"), "quick_wins": bool(p.get("quick_wins")),
            "actions": [{**x, "element_label": labels.get(x["element"] or "", "General")}
                        for x in p.get("actions", [])],
            "elements": [_step(s, labels, facts, number, model) for s in p["elements"]]}


def _more_advice(data: dict, phases: list[dict], labels: dict) -> list[dict]:
    """The advice given that neither the priorities nor the roadmap show (advice on dots done
    already, mostly), by element in model order: without it, only the appendix would hold it."""
    shown = {x["id"] for x in data["priorities"]} | {
        x["id"] for p in phases for x in [*p.get("actions", []), *(a for s in p["elements"] for a in s["actions"])]}
    by: dict[str, list[dict]] = {}
    for x in data["advice"]:
        if x["id"] not in shown:
            by.setdefault(x["element"] or "", []).append(
                {"action": x["action"], "priority": x.get("priority"), "effort": x.get("effort"),
                 "timeframe": x.get("timeframe"),
                 "when": _when(x)})
    return [{"element": e or None, "element_label": labels.get(e, "General"), "actions": items}
            for e, items in by.items()]


def _phase_intro(p: dict) -> str:
    """The line under a phase's heading: quick wins only when their effort is small."""
    if p.get("quick_wins"):
        what = "Quick wins to start at once" if p.get("effort") == "small" else "To start at once"
        return what + (f"; effort {p['effort']}" if p.get("effort") else "")
    if p.get("projected_stage"):
        return f"Then: stage {p['projected_stage']['label']}" + (f"; effort {p['effort']}" if p.get("effort") else "")
    return ""


def _unanswered(data: dict, labels: dict) -> list[dict]:
    """The questions not answered that are still open: some answer to one could make a rule fire
    (set a status, give a finding or advice; `could_change`: change the stage or the next dot)."""
    return [{**u, "element_label": labels.get(u["element"] or "", "General")}
            for u in data["unanswered"] if not u.get("settled")]


def _not_needed(data: dict, labels: dict) -> list[dict]:
    """The questions not answered that are settled: no answer to one could change anything in
    the assessment, given the answers (relevance.settled). Not questions to put to the client."""
    return [{"fact": u["fact"], "element": u["element"], "question": u["question"],
             "element_label": labels.get(u["element"] or "", "General")}
            for u in data["unanswered"] if u.get("settled")]


def _benchmark(b: dict | None) -> dict | None:
    """Where the organisation stands among its peers (maturity.portfolio.benchmark), in words
    and rows."""
    if not b:
        return None
    pack = f"{b['pack']['id']} {b['pack'].get('version', '')}".strip()
    peers = f"{b['peers']:,} other organisation{'s' if b['peers'] != 1 else ''}"
    if b.get("suppressed"):
        return {"text": f"Only {peers} in the results were assessed with pack {pack}, fewer than "
                        f"{b['min_group']}: too few to compare with.", "rows": []}
    where = f" in {b['segment']['by']} {b['segment']['value']}" if b.get("segment") else ""
    text = (f"Among {peers}{where} assessed with pack {pack}, the stage "
            f"{b['stage']['label']}{' or higher' if b['stage'].get('known') is False else ''} is ahead of {b['stage_ahead_of_pct']:g}% of them, level with "
            f"{b['stage_level_with_pct']:g}% and behind {b['stage_behind_pct']:g}%.")
    higher = b.get("stage_could_be_higher_pct")
    if higher:
        text += f" Questions not answered could put {higher:g}% of them at a higher stage."
    rows = [{"label": e["label"], "status_label": e["status_label"],
             **({"ahead_of": "not compared", "level_with": "", "behind": ""}
                if e["ahead_of_pct"] is None else  # a dot not answered: no level to compare
                {"ahead_of": f"{e['ahead_of_pct']:g}%", "level_with": f"{e['level_with_pct']:g}%",
                 "behind": f"{e['behind_pct']:g}%"}),
             "could_be_higher": f"{e['could_be_higher_pct']:g}%"
             if e.get("could_be_higher_pct") and e["ahead_of_pct"] is not None else ""}
            for e in b.get("elements", [])]
    if any(r["could_be_higher"] for r in rows):
        text += (" Levels are compared as far as the answers show; the last column gives the share "
                 "of peers whose status questions they left open could raise.")
    return {"text": text, "rows": rows, "could_be_higher": any(r["could_be_higher"] for r in rows)}


def _appendix(a: Assessment, data: dict, labels: dict, facts) -> dict:
    """Rule ids and the facts behind each conclusion, and every answer given."""
    rows = [{"conclusion": f"Stage: {data['stage']['label']}", **_ev(e, facts)}
            for e in data["stage"]["because"]]
    rows += _stages_below(a, facts)
    for e in data["elements"]:
        rows += [{"conclusion": _level_set(a, e, x["rule"]), **_ev(x, facts)} for x in e["because"]]
    rows += [{"conclusion": f"Finding: {f['message']}", **_ev(f, facts)} for f in data["findings"]]
    rows += [{"conclusion": f"Advice ({labels.get(x['element'] or '', 'General')}): {x['action']}",
              **_ev(x, facts)} for x in data["advice"]]
    notes = data.get("answers", {})
    answers = [{"fact": f.id, "question": f.question, "answer": answer(a.organisation.facts.get(f.id), f),
                "note": notes.get(f.id, {}).get("note") or "",
                "evidence": list(notes.get(f.id, {}).get("evidence") or [])}
               for f in a.model.facts if f.id in a.organisation.facts]
    return {"conclusions": rows, "answers": answers, "rules_fired": len(a.fired)}


def _stages_below(a: Assessment, facts) -> list[dict]:
    """The rules that fired setting a stage below the one reached, highest first: each a
    conclusion the stage tops, so that every rule counted as fired has its row."""
    model, seen = a.model, rule_facts(a.model, a.organisation)
    rules = sorted((model.rule_by_id[r] for r in a.fired if model.rule_by_id[r].stage
                    and model.rule_by_id[r].stage != a.stage.id),
                   key=lambda r: (-model.stage_by_id[r.stage].rank, r.id))
    return [{"conclusion": f"Stage: {model.stage_by_id[r.stage].label} (below {a.stage.label}, "
                           "which another rule sets)",
             **_ev(evidence_data(rule_evidence(model, r.id, seen)), facts)} for r in rules]


def _level_set(a: Assessment, e: dict, rule_id: str) -> str:
    """What a rule that fired concluded about an element: the level it sets, and when that is
    below the element's status (which the highest level set gives), the status."""
    levels = [a.model.status_by_id[level] for element_id, level in a.model.rule_by_id[rule_id].status
              if element_id == e["id"]]
    level = max(levels, key=lambda s: s.rank)
    if level.id == e["status"]:
        return f"{e['label']}: {level.label}"
    return f"{e['label']}: {level.label} (below {e['status_label']}, which another rule sets)"


def _ev(e: dict, facts) -> dict:
    # a stage no rule set (the first, when no rule sets it) has no rule: "" rather than None
    return {"rule": e["rule"] or "", "because": e["because"], "facts": facts(e["facts"])}
