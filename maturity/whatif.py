"""What-if: the assessment before and after changing some answers, side by side (stage,
statuses, next dot). The changed answers are checked like a facts file's; None unanswers one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml

from .assess import Assessment, assess
from .errors import DataError, Problem, did_you_mean
from .model import Model
from .organisation import Answer, Organisation, value_problem
from .recommend import next_dot


def parse_setting(text: str) -> tuple[str, Any]:
    """`fact=value` from the command line; the value is read as YAML (true, 3, [a, b]), and
    an empty value or null unanswers the fact."""
    fact, sep, value = text.partition("=")
    fact = fact.strip()
    if not sep or not fact:
        raise DataError([Problem("--set", 0, 0, f"'{text}' is not fact=value",
                                 "write --set FACT=VALUE, with a fact id from 'dots facts'")])
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        raise DataError([Problem("--set", 0, 0, f"cannot read the value of '{fact}': {value}",
                                 "write it as in a facts file: true, 3, reach or [apply, refer]")]) from None
    return fact, parsed


def check_changes(model: Model, changes: dict[str, Any]) -> list[Problem]:
    """Problems with changed answers, as a facts file's would be reported (one a line)."""
    problems = []
    for fact_id, value in changes.items():
        fact = model.fact_by_id.get(fact_id)
        if fact is None:
            problems.append(Problem("--set", 0, 0, f"unknown fact '{fact_id}'",
                                    did_you_mean(fact_id, model.fact_by_id)
                                    or f"the facts of pack '{model.id}' are listed by 'dots facts'"))
            continue
        if value is None:
            continue
        found = value_problem(fact, value)
        if found:
            problems.append(Problem("--set", 0, 0, found[0], found[1]))
    return problems


def whatif(model: Model, organisation: Organisation, changes: dict[str, Any]) -> tuple[Assessment, Assessment]:
    """The assessment with the organisation's answers, and with `changes` applied."""
    problems = check_changes(model, changes)
    if problems:
        raise DataError(problems)
    before = assess(model, organisation)
    # The changed organisation's own facts and answers: a changed answer replaces the one
    # recorded (its note and state no longer apply), an unanswered one is gone from both, and
    # the organisation assessed before keeps its answers as they were.
    facts, answers = dict(organisation.facts), dict(organisation.answers)
    for fact_id, value in changes.items():
        if value is None:
            facts.pop(fact_id, None)
            answers.pop(fact_id, None)
        else:
            facts[fact_id] = value
            answers[fact_id] = Answer(value)
    after = assess(model, replace(organisation, facts=facts, answers=answers))
    return before, after


def whatif_data(before: Assessment, after: Assessment, changes: dict[str, Any]) -> dict:
    """Both assessments side by side, as plain data."""
    from .explain import answer, shown_status

    def side(a: Assessment) -> dict:
        nxt = next_dot(a)
        return {"stage": {"id": a.stage.id, "label": a.stage.label, "rank": a.stage.rank + 1},
                "dots_done": sum(e.done for e in a.elements),
                "next": nxt.result.element.id if nxt else None}

    old = {e.element.id: e for e in before.elements}
    facts = before.model.fact_by_id
    return {
        "format": 1,
        "organisation": {"id": before.organisation.id, "name": before.organisation.name},
        "pack": {"id": before.model.id, "version": before.model.version},
        # each answer as written (ids, for machines) and as people read it (labels)
        "changes": [{"fact": k, "before": answer(before.organisation.facts.get(k)), "after": answer(v),
                     "before_label": answer(before.organisation.facts.get(k), facts.get(k)),
                     "after_label": answer(v, facts.get(k))} for k, v in sorted(changes.items())],
        "before": side(before), "after": side(after),
        "elements": [{"id": e.element.id, "label": e.element.label,
                      "before": old[e.element.id].status.id, "after": e.status.id,
                      "before_label": shown_status(before, old[e.element.id]), "after_label": shown_status(after, e),
                      "done_before": old[e.element.id].done, "done_after": e.done,
                      "disconnected_before": old[e.element.id].disconnected,
                      "disconnected_after": e.disconnected} for e in after.elements],
    }


def whatif_text(d: dict) -> str:
    """The two assessments side by side, for people."""
    labels = {e["id"]: e["label"] for e in d["elements"]}
    lines = [f"{d['organisation']['name']}: what if"]
    lines += [f"  {c['fact']}: {c['before_label']} -> {c['after_label']}" for c in d["changes"]]
    b, a = d["before"], d["after"]
    rows = [("", "Before", "After"),
            ("Stage", f"{b['stage']['label']} ({b['stage']['rank']})", f"{a['stage']['label']} ({a['stage']['rank']})"),
            ("Dots connected", str(b["dots_done"]), str(a["dots_done"])),
            ("Next dot", labels.get(b["next"], "none"), labels.get(a["next"], "none"))]
    for e in d["elements"]:
        def cell(status: str, done: bool, dis: bool) -> str:
            return status + (", done" if done else "") + (", disconnected" if dis else "")
        rows.append((e["label"], cell(e["before_label"], e["done_before"], e["disconnected_before"]),
                     cell(e["after_label"], e["done_after"], e["disconnected_after"])))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines.append("")
    for r in rows:
        mark = "  *" if r[0] and r[1] != r[2] and r != rows[0] else ""
        lines.append(f"  {r[0]:<{w0}}  {r[1]:<{w1}}  {r[2]}{mark}".rstrip())
    lines += ["", "  * changed"]
    return "\n".join(lines) + "\n"
