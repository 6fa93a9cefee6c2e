"""What the stages above an organisation's need of its elements: the levels that the rules
setting those stages test, element by element (a group test stands for each element in the
group). The next dot and the roadmap aim at them, so that a graded model, where an element is
done well below its top level, has a next step until its top stage."""

from __future__ import annotations

from itertools import filterfalse

from .assess import Assessment, Resolved
from .model import All, Any_, Condition, Model, Rule, Status, Test


def stage_needs(assessment: Assessment | Resolved, only_next: bool = False) -> dict[str, Status]:
    """Element -> the lowest status that the stages above the organisation's (only the next
    one with `only_next`) need and it does not have yet. For each stage, the rule setting it
    that needs the fewest such raises is taken (ties by rule id)."""
    cache = assessment.__dict__.setdefault("_stage_needs", {})  # lives as long as the assessment
    if only_next not in cache:
        cache[only_next] = _stage_needs(assessment, only_next)
    return cache[only_next]


def _stage_needs(assessment: Assessment | Resolved, only_next: bool) -> dict[str, Status]:
    model = assessment.model
    above = model.stages[assessment.stage.rank + 1:]
    needs: dict[str, Status] = {}
    setting = _stage_rules(model)
    for stage in above[:1] if only_next else above:
        options = sorted((len(n), r.id, n) for r in setting.get(stage.id, ())
                         for n in [_needs(r.when, assessment)])
        if options:
            for element_id, status in options[0][2].items():
                if element_id not in needs or status.rank > needs[element_id].rank:
                    needs[element_id] = status
    return dict(sorted(needs.items(), key=lambda kv: model.element_by_id[kv[0]].index))


def _stage_rules(model: Model) -> dict[str, list[Rule]]:
    """Stage -> the rules setting it; made once per model (kept on it), not looked for among
    every rule of a large model each time."""
    kept = model.__dict__.get("_stage_rules")
    if kept is None:
        kept = model.__dict__["_stage_rules"] = {}
        for rule in model.rules:
            if rule.stage:
                kept.setdefault(rule.stage, []).append(rule)
    return kept


def _needs(c: Condition, a: Assessment | Resolved) -> dict[str, Status]:
    if isinstance(c, All):
        found: dict[str, Status] = {}
        for item in c.items:
            for element_id, status in _needs(item, a).items():
                if element_id not in found or status.rank > found[element_id].rank:
                    found[element_id] = status
        return found
    if isinstance(c, Any_):
        return min((_needs(i, a) for i in c.items), key=len)
    if isinstance(c, Test):
        return _test_needs(c, a)
    return {}  # what a 'not' needs is not worked out


def _test_needs(t: Test, a: Assessment | Resolved) -> dict[str, Status]:
    model = a.model
    done_level = next(s for s in model.statuses if s.done)
    wants_true = (t.op == "equals") == (t.value is True) and t.op in ("equals", "not_equals")
    done, rank = _standing(a)
    if t.subject == "done" and wants_true:
        return {} if t.ref in done else {t.ref: done_level}
    if t.subject in ("status", "lowest_status") and t.op in ("equals", "gte", "gt"):
        want = model.status_by_id[t.value].rank + (1 if t.op == "gt" else 0)
        if want >= len(model.statuses):
            return {}
        members = [t.ref] if t.subject == "status" else model.members[t.ref]
        return {e: model.statuses[want] for e in members if rank[e] < want}
    if t.subject == "done_count" and t.op in ("gte", "gt", "equals"):
        members = model.members[t.ref]
        if sum(e in done for e in members) >= t.value + (1 if t.op == "gt" else 0):
            return {}
        return dict.fromkeys(filterfalse(done.__contains__, members), done_level)
    if t.subject == "all_done" and wants_true:
        return dict.fromkeys(filterfalse(done.__contains__, model.members[t.ref]), done_level)
    return {}


def _standing(a: Assessment | Resolved) -> tuple[set[str], dict[str, int]]:
    """The elements done, and each element's status rank: what the needs of a large model's
    stages are read from thousands of times, made once per assessment (as `stage_needs`)."""
    kept = a.__dict__.get("_standing")
    if kept is None:
        if isinstance(a, Resolved):  # what a what-if resolved: no element result is made
            kept = ({e for e, (done, _, _) in a.connection.items() if done},
                    {e: s.rank for e, s in a.statuses.items()})
        else:
            kept = ({r.element.id for r in a.elements if r.done},
                    {r.element.id: r.status.rank for r in a.elements})
        a.__dict__["_standing"] = kept
    return kept

