"""Progress between two assessments of one organisation: the stage from and to, each element's
status from and to (movement inside a stage shows here), dots connected and lost, findings
resolved and new, advice no longer given, and questions newly answered.

A side is a facts file (assessed now) or the JSON `dots assess --format json` wrote at the
time; both become the same plain data (`assessment_data`), so the comparison reads only that.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .assess import Assessment, assess
from .errors import DataError, Problem
from .explain import NOT_ANSWERED, answer, disconnected_known
from .model import GROUP_SUBJECTS, Model, tests_in
from .organisation import load_facts, rule_facts
from .report import assessment_data
from .schema import conforms, validate, validation_errors
from .yamlio import display_path

COMPARE_FORMAT = 1

# What went from a comparison only because what it rests on is not all answered now.
FINDINGS_NOT_KNOWN = "Findings no longer shown, resting on questions not answered now"
ADVICE_NOT_KNOWN = "Advice no longer shown, resting on questions not answered now"


@dataclass
class Side:
    """One assessment to compare: its data, where it came from, its facts when known (a facts
    file), and the Assessment itself when it was assessed now (needed for the picture)."""

    data: dict
    source: str
    facts: dict[str, Any] | None = None
    assessment: Assessment | None = None
    pack: str | None = None  # the pack the facts file names, if it names one


def side_of(a: Assessment, source: str) -> Side:
    return Side(assessment_data(a), display_path(Path(source)), dict(a.organisation.facts), a,
                getattr(a.organisation, "pack", None))


def load_side(path: str, rules: str | None, role: str) -> Side:
    """A facts file (assessed with `rules`) or a saved JSON assessment."""
    if Path(path).suffix.lower() == ".json":
        return _json_side(path, role)
    model, organisation = load_facts(path, rules)
    return side_of(assess(model, organisation), path)


def _json_side(path: str, role: str) -> Side:
    shown = display_path(Path(path))
    try:
        text = Path(path).read_text("utf-8")
    except FileNotFoundError:
        raise DataError([Problem(shown, 0, 0, "no such file", f"give {role} as a facts file or "
                                 "the JSON of `dots assess --format json`")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(shown, 0, 0, f"cannot read the file: {exc}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError([Problem(shown, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")]) from None
    keys = ("format", "organisation", "pack", "stage", "elements", "findings", "advice")
    if not isinstance(data, dict) or any(k not in data for k in keys):
        raise DataError([Problem(shown, 1, 1, "not an assessment saved by `dots assess --format json`",
                                 "save one with: dots assess FACTS --format json -o FILE.json")])
    errors = [] if conforms(data, "assessment") else validation_errors(data, "assessment")
    if errors:
        # What is wrong, where: JSON read again as YAML (which it is) keeps the positions.
        from .yamlio import load
        try:
            problems = validate(load(path, text, shown), "assessment")
        except DataError:  # JSON beyond what the YAML reader takes
            problems = []
        problems = problems or [Problem(shown, 1, 1, f"{'/'.join(map(str, e.absolute_path)) or 'the file'}: "
                                        f"{e.message}") for e in errors]
        raise DataError([dataclasses.replace(p, hint=p.hint or "save it again with: dots assess "
                                             "FACTS --format json -o FILE.json") for p in problems])
    return Side(data, shown)


def model_of(side: Side, rules: str | None) -> Model | None:
    """The pack a saved JSON side was assessed with, for its status levels: `rules`, or the
    built-in pack of that id; None when neither is at hand (levels moved are then unknown)."""
    from .pack import builtin_packs, load_pack
    if rules is not None:
        return load_pack(rules)
    ident = side.data["pack"].get("id")
    return load_pack(ident) if ident in builtin_packs() else None


def check_packs(before: Side, after: Side, allow_pack_change: bool) -> None:
    """The two sides must be assessed with one pack; a new version of it only when allowed."""
    if before.pack and after.pack and before.pack != after.pack:
        raise DataError([Problem(after.source, 0, 0,
                                 f"the facts files are for different packs: '{before.pack}' "
                                 f"({before.source}) and '{after.pack}'",
                                 "compare two assessments made with the same pack")])
    p, c = before.data["pack"], after.data["pack"]
    if p.get("id") != c.get("id"):
        raise DataError([Problem(before.source, 0, 0,
                                 f"assessed with pack '{p.get('id')}', but {after.source} with "
                                 f"pack '{c.get('id')}'",
                                 "compare two assessments made with the same pack")])
    if p.get("version") != c.get("version") and not allow_pack_change:
        raise DataError([Problem(before.source, 0, 0,
                                 f"assessed with pack '{p['id']}' version {p.get('version') or '(none)'}, "
                                 f"but {after.source} with version {c.get('version') or '(none)'}",
                                 "pass --allow-pack-change to compare across pack versions")])


def compare(before: Side, after: Side, *, allow_pack_change: bool = False,
            model: Model | None = None) -> dict:
    """The comparison as plain data (its JSON schema: rules/schema/compare.schema.json)."""
    check_packs(before, after, allow_pack_change)
    model = model or (after.assessment.model if after.assessment else None)
    rank = {s.id: s.rank for s in model.statuses} if model else {}
    done_level = {s.id: s.done for s in model.statuses} if model else {}
    b, c = before.data, after.data
    old = {e["id"]: e for e in b["elements"]}
    elements, connected, lost, unsure, steps = [], [], [], [], 0
    for e in c["elements"]:
        was = old.get(e["id"])
        change = None
        # A side where the dot is not answered has no level to move from or to.
        answered = was is not None and NOT_ANSWERED not in (was["status_label"], e["status_label"])
        if answered and was["status"] in rank and e["status"] in rank:
            change = rank[e["status"]] - rank[was["status"]]
            steps += change
        row = {"id": e["id"], "label": e["label"],
               "from": was["status"] if was else None, "to": e["status"],
               "from_label": was["status_label"] if was else "(not in the model)",
               "to_label": e["status_label"], "change": change,
               "was_done": bool(was and was["done"]), "done": e["done"],
               "was_disconnected": bool(was and was["disconnected"]),
               "disconnected": e["disconnected"]}
        row["movement"] = _movement(row)
        # done as far as each side's answers tell (saved JSON from before done_known: known)
        row["movement_text"] = _movement_text(row, bool(was is None or was.get("done_known", True)),
                                              e.get("done_known", True), _floor(e, done_level),
                                              was is not None and _floor(was, done_level))
        elements.append(row)
        if row["done"] and not row["was_done"]:
            connected.append(e["id"])
        if row["was_done"] and not row["done"]:
            (lost if e.get("done_known", True) else unsure).append(e["id"])
    ids = lambda items: {x["id"] for x in items}
    fresh, gone = ids(c["findings"]) - ids(b["findings"]), ids(b["findings"]) - ids(c["findings"])
    advice_gone = ids(b["advice"]) - ids(c["advice"])
    stage_change = c["stage"]["rank"] - b["stage"]["rank"]
    # Gone because the answers now show it, or only because what its rule reads is open now?
    open_now = _reads_open(after, model)
    gone_findings = [f for f in b["findings"] if f["id"] in gone]
    gone_advice = [x for x in b["advice"] if x["id"] in advice_gone]
    advice = lambda x: {"id": x["id"], "element": x["element"], "action": x["action"]}
    data = {
        "format": COMPARE_FORMAT,
        "organisation": c["organisation"],
        "pack": {"previous": b["pack"], "current": c["pack"],
                 "changed": b["pack"] != c["pack"]},
        "previous": _about(before), "current": _about(after),
        # a dot now not answered, or whose done is open: a higher stage may rest on it
        "stage": {"from": _stage(b), "to": _stage(c), "change": stage_change,
                  "open": not c["stage"].get("known", True)
                  or any(e["status_label"] == NOT_ANSWERED or not e.get("done_known", True)
                         or not e.get("status_known", True) for e in c["elements"])},
        "status_steps": steps,
        "dots": {"before": sum(e["done"] for e in b["elements"]),
                      "after": sum(e["done"] for e in c["elements"]),
                      "total": len(c["elements"]), "gained": connected, "lost": lost,
                      "not_known": unsure},
        "disconnected": {"resolved": [x for x in b["disconnected"] if x not in c["disconnected"]],
                         "new": [x for x in c["disconnected"] if x not in b["disconnected"]]},
        "elements": elements,
        "findings": {"resolved": [_finding(f) for f in gone_findings if not open_now(f.get("rule"))],
                     "new": [_finding(f) for f in c["findings"] if f["id"] in fresh],
                     "not_known": [_finding(f) for f in gone_findings if open_now(f.get("rule"))]},
        "advice_done": [advice(x) for x in gone_advice if not open_now(x.get("rule"))],
        "advice_not_known": [advice(x) for x in gone_advice if open_now(x.get("rule"))],
        "newly_answered": _newly_answered(before, after, model),
    }
    data["summary"] = _summary(data)
    return data


def _reads_open(after: Side, model: Model | None):
    """Whether a rule (by id) reads something the current answers leave open: a fact not
    answered (nor given a stand-in for "don't know"), the status of a dot not answered or whose
    done is open, the done of a dot whose done is not known, a connection the answers cannot
    tell (explain.disconnected_known), or a group with such a member. A finding or advice of such a rule that is no
    longer given may come back once those are answered: it is not resolved. Only a facts file
    tells (a saved JSON side keeps no answers): otherwise nothing reads as open."""
    a = after.assessment
    if a is None or model is None:
        return lambda rule_id: False
    facts, unknown = rule_facts(model, a.organisation), a.done_unknown
    status_open = a.unassessed | a.status_open

    def reads_open(test) -> bool:
        subject, ref = test.subject, test.ref
        if subject in ("fact", "count"):
            return test.op != "present" and facts.get(ref) is None
        if subject == "status":
            return ref in status_open
        if subject == "done":
            return ref in unknown
        if subject == "disconnected":
            return not disconnected_known(a, a.element(ref))
        if subject in GROUP_SUBJECTS:
            return any(m in unknown or m in status_open for m in model.members[ref])
        return False  # the stage: known, the highest a fired rule sets

    def open_now(rule_id: str | None) -> bool:
        rule = model.rule_by_id.get(rule_id) if rule_id else None
        return rule is not None and any(map(reads_open, tests_in(rule.when)))
    return open_now


def _about(side: Side) -> dict:
    org = side.data["organisation"]
    return {"source": side.source, "date": str(org.get("assessed_on", "")),
            "stage": side.data["stage"]["label"]}


def _stage(d: dict) -> dict:
    return {"id": d["stage"]["id"], "label": d["stage"]["label"], "rank": d["stage"]["rank"]}


def _finding(f: dict) -> dict:
    return {"id": f["id"], "severity": f["severity"], "element": f["element"], "message": f["message"]}


def _movement(row: dict) -> str:
    if row["change"] is None:
        return "changed" if row["from"] != row["to"] or row["from_label"] != row["to_label"] else "same"
    if row["change"] > 0:
        return "up"
    if row["change"] < 0:
        return "down"
    if row["done"] != row["was_done"] or row["disconnected"] != row["was_disconnected"]:
        return "changed"
    return "same"


def _floor(e: dict, done_level: dict[str, bool]) -> bool:
    """Whether a side's level of an answered dot is only a floor, what the answers show so far
    (questions not answered could raise it): `status_known` false; in JSON saved before it
    was written, below a done level with its done not known (a dot whose done is open)."""
    if e["status_label"] == NOT_ANSWERED:
        return False
    if "status_known" in e:
        return not e["status_known"]
    return not e.get("done_known", True) and e["status"] in done_level and not done_level[e["status"]]


def _movement_text(row: dict, was_known: bool, known: bool, at_least: bool = False,
                   was_at_least: bool = False) -> str:
    """The change in words; `was_known`, `known`: whether the answers then and now tell if the
    dot is done (a dot not answered, or at a done level on one, is neither done nor not);
    `at_least`, `was_at_least`: its level now, or then, is only what the answers show(ed) so
    far (_floor): a fall to a floor, or a rise from one, may be less than it reads."""
    parts = []
    if row["from_label"] != row["to_label"] and NOT_ANSWERED in (row["from_label"], row["to_label"]):
        # no level on the side not answered: nothing moved, the answers came (or went), and
        # that says whether it was (or is) done is not known
        answered_now = row["from_label"] == NOT_ANSWERED
        parts.append("now answered" if answered_now else "no longer answered")
        was_known, known = True, known and answered_now
    elif row["change"]:
        parts.append(f"{'up' if row['change'] > 0 else 'down'} {abs(row['change'])} "
                     f"level{'s' if abs(row['change']) != 1 else ''}"
                     + (" as far as the answers now show" if at_least and row["change"] < 0 else
                        " from what the answers showed then" if was_at_least and row["change"] > 0 else ""))
    elif row["from"] != row["to"]:
        parts.append("status changed")
    if row["done"] and not row["was_done"]:
        parts.append("now connected" if was_known else "connected (not known before)")
    elif row["was_done"] and not row["done"] and known:
        parts.append("no longer connected")
    elif row["was_done"] and not row["done"] and row["to_label"] != NOT_ANSWERED:
        parts.append("not known to be connected now")
    if row["was_disconnected"] and not row["disconnected"]:
        parts.append("no longer disconnected")
    elif row["disconnected"] and not row["was_disconnected"]:
        parts.append("now disconnected")
    return ", ".join(parts) or "no change"


def _newly_answered(before: Side, after: Side, model: Model | None) -> list[dict] | None:
    """Facts answered now and not then; None when a side is a saved JSON (its answers are not
    all recorded there)."""
    if before.facts is None or after.facts is None:
        return None
    facts = model.fact_by_id if model else {}
    # the answer as written (ids, for machines), and as people read it (labels)
    return [{"fact": k, "question": facts[k].question if k in facts else "", "answer": answer(v),
             "answer_label": answer(v, facts.get(k))}
            for k, v in sorted(after.facts.items()) if k not in before.facts]


def _summary(d: dict) -> str:
    s = d["stage"]
    if s["change"] > 0:
        text = f"Up from {s['from']['label']} to {s['to']['label']}."
    elif s["change"] < 0:
        text = f"Down from {s['from']['label']} to {s['to']['label']}" + \
            (", as far as the answers now show." if s.get("open") else ".")
    else:
        text = f"Still {s['to']['label']}."
    moved = [e for e in d["elements"] if e["movement"] != "same"]
    if moved:
        text += " " + ("Inside the stage, " if s["change"] == 0 else "") + "; ".join(
            (f"{e['label']} {e['from_label'].lower()} to {e['to_label'].lower()}"
             if e["from_label"] != e["to_label"] else f"{e['label']} still {e['to_label'].lower()}")
            + (f" ({e['movement_text']})" if e["movement_text"] not in ("no change",) else "")
            for e in moved) + "."
    else:
        text += " No dot moved."
    k = d["dots"]
    text += f" Dots connected: {k['before']} then, {k['after']} of {k['total']} now."
    return text[0].upper() + text[1:]


def compare_text(d: dict) -> str:
    """The comparison for people."""
    org = d["organisation"]
    p, c = d["previous"], d["current"]
    lines = [f"{org['name']}: progress from {p['date'] or p['source']} to {c['date'] or c['source']}"]
    pk = d["pack"]
    lines.append(f"pack {pk['current']['id']} {pk['current'].get('version', '')}".rstrip()
                 + (f" (was {pk['previous'].get('version')})" if pk["changed"] else ""))
    s = d["stage"]
    how = "no change" if s["change"] == 0 else "up" if s["change"] > 0 else \
        "down, as far as the answers now show" if s.get("open") else "down"
    lines += ["", f"Stage: {s['from']['label']} -> {s['to']['label']} ({how})",
              f"Status levels gained: {d['status_steps']:+d}",
              f"Dots connected: {d['dots']['before']} -> {d['dots']['after']} of "
              f"{d['dots']['total']}", "", "Elements"]
    width = max(len(e["label"]) for e in d["elements"])
    w2 = max(len(e["from_label"]) for e in d["elements"])
    w3 = max(len(e["to_label"]) for e in d["elements"])
    for e in d["elements"]:
        lines.append(f"  {e['label']:<{width}}  {e['from_label']:<{w2}} -> {e['to_label']:<{w3}}  "
                     f"{e['movement_text']}".rstrip())
    labels = {e["id"]: e["label"] for e in d["elements"]}
    for title, items in (("Dots connected", d["dots"]["gained"]), ("Dots lost", d["dots"]["lost"]),
                         ("Dots not known to be connected now (what they rest on is not all "
                          "answered)", d["dots"].get("not_known", []))):
        if items:
            lines += ["", title] + [f"  - {labels[x]}" for x in items]
    for title, items in (("Findings resolved", d["findings"]["resolved"]),
                         ("New findings", d["findings"]["new"]),
                         (FINDINGS_NOT_KNOWN, d["findings"].get("not_known", []))):
        if items:
            lines += ["", title] + [x for f in items for x in _item(f"[{f['severity']}] {f['message']}")]
    for title, items in (("Advice no longer given", d["advice_done"]),
                         (ADVICE_NOT_KNOWN, d.get("advice_not_known", []))):
        if items:
            lines += ["", title] + [x for a in items for x in _item(a["action"])]
    if d["newly_answered"]:
        lines += ["", "Questions newly answered"] + [
            f"  - {q['fact']} = {q['answer_label']}" for q in d["newly_answered"]]
    elif d["newly_answered"] is None:
        lines += ["", "Questions newly answered: not known (a saved JSON assessment does not "
                      "record every answer)"]
    return "\n".join(lines) + "\n"


def _item(text: str) -> list[str]:
    return textwrap.wrap(text, 88, initial_indent="  - ", subsequent_indent="    ",
                         break_on_hyphens=False)


def changed_marks(d: dict) -> dict[str, str]:
    """For the picture: each element that moved, with what it was."""
    return {e["id"]: f"was {e['from_label']}" for e in d["elements"] if e["movement"] != "same"}
