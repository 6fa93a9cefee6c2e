"""Conditions as plain text, for telling a consultant what a rule still needs.

This only *describes* a rule's condition next to the answers given; whether a rule fires is
decided by the engine alone."""

from __future__ import annotations

from typing import Any

from .model import All, Any_, Condition, Fact, Model, Not, Rule, Scaled, Status, Test

_OPS = {"equals": "is", "not_equals": "is not", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=",
        "one_of": "is one of", "contains": "includes"}


def answer(value: Any, fact: Fact | None = None) -> str:
    """An answer as a consultant or client reads it: yes or no, a number, a choice as `fact`
    labels it (Fact.label_of; without `fact`, as written), several in brackets. Every text for
    people words an answer here; JSON keeps the values."""
    if value is None:
        return "unanswered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if not value:
            return "none"
        return "[" + ", ".join(fact.labels_of(value) if fact else map(str, value)) + "]"
    return fact.label_of(value) if fact else str(value)


def condition_text(condition: Condition, facts: dict[str, Any]) -> str:
    """`condition` in words, each fact test followed by the answer given (now: ...)."""
    # Parts are sorted so that the order in which tests were written changes nothing.
    if isinstance(condition, Scaled):  # the threshold that applies to this organisation
        test, band = condition.resolved(facts)
        return f"{_test_text(test, facts)} [{scale_words(condition, band)}]"
    if isinstance(condition, All):
        return "; ".join(sorted(_part(c, facts) for c in condition.items))
    if isinstance(condition, Any_):
        return "one of: " + " | ".join(sorted(_part(c, facts) for c in condition.items))
    if isinstance(condition, Not):
        return f"not ({condition_text(condition.item, facts)})"
    return _test_text(condition, facts)


def scale_words(condition: Scaled, band: str | None) -> str:
    """Which threshold applied: for the organisation's size band, or, unanswered, for every one."""
    if band is None:
        return f"{condition.threshold.by} unanswered: the {condition.threshold.id} threshold of every answer to it"
    return f"the {condition.threshold.id} threshold for {condition.threshold.by} {band}"


def _part(condition: Condition, facts: dict[str, Any]) -> str:
    text = condition_text(condition, facts)
    return f"({text})" if isinstance(condition, (All, Any_)) else text


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return answer(value) if isinstance(value, bool) else str(value)


def _test_text(t: Test, facts: dict[str, Any]) -> str:
    if t.op == "present":
        return f"{t.ref} {'is answered' if t.value else 'is unanswered'}"
    if t.subject == "fact":
        return f"{t.ref} {_OPS[t.op]} {_value(t.value)} (now: {answer(facts.get(t.ref))})"
    if t.subject == "count":
        given = facts.get(t.ref)
        now = "unanswered" if given is None else str(len(given)) if isinstance(given, list) else str(given)
        return f"number of {t.ref} {_OPS[t.op]} {_value(t.value)} (now: {now})"
    if t.subject == "stage":
        return f"stage {_OPS[t.op]} {_value(t.value)}"
    if t.subject == "all_done":
        return f"every element of {t.ref} done {_OPS[t.op]} {_value(t.value)}"
    if t.subject == "done_count":
        return f"number of done elements of {t.ref} {_OPS[t.op]} {_value(t.value)}"
    if t.subject == "lowest_status":
        return f"lowest status in {t.ref} {_OPS[t.op]} {_value(t.value)}"
    return f"{t.subject} of {t.ref} {_OPS[t.op]} {_value(t.value)}"


def what_done_needs(model: Model, element_id: str, facts: dict[str, Any]) -> list[str]:
    """For an element not yet at a done level: each rule that would make it done (at the
    lowest done level), with its condition in words."""
    done_levels = [s for s in model.statuses if s.done]
    if not done_levels:
        return []
    for level in done_levels:  # the lowest done level that some rule can set
        rules = sorted((r for r in model.rules if (element_id, level.id) in r.status),
                       key=lambda r: r.id)
        if rules:
            return [f"to be {level.label.lower()} (rule {r.id}): {condition_text(r.when, facts)}"
                    for r in rules]
    return []


def what_level_needs(model: Model, element_id: str, level: Status, facts: dict[str, Any]) -> list[str]:
    """Each rule that would raise an element to `level` or above (the lowest such level some
    rule sets), with its condition in words."""
    for status in model.statuses[level.rank:]:
        rules = sorted((r for r in model.rules if (element_id, status.id) in r.status), key=lambda r: r.id)
        if rules:
            return [f"to be {status.label.lower()} (rule {r.id}): {condition_text(r.when, facts)}"
                    for r in rules]
    return []


_NEGATED = {"equals": "not_equals", "not_equals": "equals", "lt": "gte", "gte": "lt",
            "lte": "gt", "gt": "lte", "one_of": "not_one_of", "contains": "not_contains",
            "present": "present"}


def unmet_needs(model: Model, element_id: str, facts: dict[str, Any],
                level: Status | None = None) -> list[dict]:
    """What is still missing for an element to reach its lowest done level (or `level`), as the questions'
    answers: each fact or count test that is not met, with the answer given (None when
    unanswered), from the rule that would make it done with the fewest unmet tests. Each item is
    {fact, question, test, expected, actual, met}; met is always False here."""
    levels = model.statuses[level.rank:] if level else [s for s in model.statuses if s.done]
    setters, order = _index(model)
    for status in levels:  # the lowest such level that some rule sets
        rules = setters.get((element_id, status.id))
        if rules:
            options = [_unmet(r.when, False, model, facts) for r in rules]
            # In the questionnaire's order, so the order tests were written in changes nothing.
            return sorted(min(options, key=len),
                          key=lambda x: (order.get(x["fact"], -1), x["test"], repr(x["expected"])))
    return []


def status_said(result) -> tuple[str, bool]:
    """An element result's status as a clause, "Careers site is in place", and whether its top
    reason restates that clause ("Careers site is in place." or "Job ads is embedded in how the
    team works."): then the clause takes what the reason adds ("Job ads is embedded in how the
    team works") and the reason is not said again."""
    said = f"{result.element.label} is {result.status.label.lower()}"
    because = result.evidence[0].because if result.evidence else ""
    if because.lower().startswith(said.lower()):
        return said + because[len(said):].rstrip().rstrip("."), True
    return said, False


NOT_ANSWERED = "Not answered"  # shown for a dot whose status rests on no answer (unassessed)
# Shown for an answered dot whose status questions not answered yet could raise (status_known):
# after its level ("Started or more"), or, at the lowest level, instead of it.
OR_MORE = "or more"
NOT_KNOWN = "Not known"


def unassessed(assessment, result) -> bool:
    """Whether an element's status rests on no answer at all: no rule set it, and none of the
    questions its status rules ask about is answered (not even "don't know"). Its status is then the
    lowest only for want of answers, and is shown as NOT_ANSWERED (shown_status), not as that
    level: the answers do not show the dot missing. The rules see it as unknown
    (assess._unassessed, docs/engine.md)."""
    return result.element.id in assessment.unassessed


def missing_foundations(assessment, result) -> tuple[list[str], list[str], list[str]]:
    """The labels of a dot's foundations that are not done: its prerequisites the answers show
    not done; the dots not answered (whose status rests on no answer) that the others rest on;
    and the answered dots whose done rests on questions still open (Assessment.done_open) that
    they rest on. A prerequisite at a done level on one of those is not known to be done, and
    the dot beneath is what to name."""
    model, unknown = assessment.model, assessment.done_unknown
    missing = result.missing_prerequisites
    not_answered: list[str] = []
    open_: list[str] = []
    below = [p for p in missing if p in unknown]
    seen = set(below)
    while below:  # down to the dots not answered or open, breadth first: the nearest named first
        element_id = below.pop(0)
        if element_id in assessment.unassessed:
            not_answered.append(element_id)
            continue
        if element_id in assessment.done_open:
            open_.append(element_id)
            continue
        for p in assessment.element(element_id).missing_prerequisites:
            if p in unknown and p not in seen:
                seen.add(p)
                below.append(p)
    labels = model.element_by_id
    return ([labels[p].label for p in missing if p not in unknown],
            [labels[p].label for p in not_answered], [labels[p].label for p in open_])


def foundations_text(assessment, result, verb: bool = True) -> str:
    """The foundations a dot is missing, in words: "Audience, Brand are not done; Purpose is
    not answered; Content is not known to be done", or without the verbs, "Audience, Brand not
    done; Purpose not answered; Content not known to be done"."""
    parts = []
    for labels, state in zip(missing_foundations(assessment, result),
                             ("not done", "not answered", "not known to be done")):
        if labels:
            be = ("is " if len(labels) == 1 else "are ") if verb else ""
            parts.append(f"{', '.join(labels)} {be}{state}")
    return "; ".join(parts)


def disconnected_known(assessment, result) -> bool:
    """Whether the answers tell if a dot is disconnected: not for a dot not answered, nor for
    one started on foundations none of which is known not done while some is not known done
    (assess._connect)."""
    if result.disconnected:
        return True
    if unassessed(assessment, result):
        return False
    return result.status.rank == 0 or not result.missing_prerequisites


def status_known(assessment, result) -> bool:
    """Whether the answers show an element's status: not for a dot not answered, nor for one
    whose status is only a floor, which questions not answered yet could raise
    (Assessment.status_open)."""
    return not unassessed(assessment, result) and result.element.id not in assessment.status_open


def shown_status(assessment, result) -> str:
    """An element's status as the client reads it: its level's label; NOT_ANSWERED; or, where
    questions not answered yet could raise it, "Started or more", and NOT_KNOWN at the lowest
    level (no answer shows work on it, and the open ones could)."""
    if unassessed(assessment, result):
        return NOT_ANSWERED
    label = result.status.label
    if result.element.id in assessment.status_open:
        return f"{label} {OR_MORE}" if result.status.rank else NOT_KNOWN
    return label


def floor_note(assessment) -> str:
    """What "or more" and NOT_KNOWN mean, for those shown (shown_status); "" for none."""
    ranks = {assessment.element(e).status.rank > 0 for e in assessment.status_open}
    return " ".join(([f"'{OR_MORE}': questions not answered yet could show a higher status."]
                     if True in ranks else [])
                    + ([f"'{NOT_KNOWN}': no answer shows work on it yet, and questions not "
                        "answered yet could."] if False in ranks else []))


def status_now(assessment, result) -> str:
    """Where a dot stands, after its name: "now started", "now started or more", "not known
    yet" or "not answered yet"."""
    if unassessed(assessment, result):
        return "not answered yet"
    if result.element.id in assessment.status_open:
        return f"now {result.status.label.lower()} {OR_MORE}" if result.status.rank else "not known yet"
    return f"now {result.status.label.lower()}"


def _index(model: Model) -> tuple[dict[tuple[str, str], list[Rule]], dict[str, int]]:
    """The rules setting each (element, status), by id, and each fact's place in the
    questionnaire: made on first use (the roadmap asks for every element of a large model),
    and again whenever the model's lists are no longer those indexed (a C-speed comparison)."""
    lists = (tuple(model.rules), tuple(model.facts))
    kept = model.__dict__.get("_explain_index")
    if kept is None or kept[0] != lists:
        setters: dict[tuple[str, str], list[Rule]] = {}
        for rule in sorted(lists[0], key=lambda r: r.id):
            for pair in dict.fromkeys(rule.status):
                setters.setdefault(pair, []).append(rule)
        kept = model.__dict__["_explain_index"] = (lists, setters,
                                                   {f.id: n for n, f in enumerate(lists[1])})
    return kept[1], kept[2]


def _unmet(c: Condition, negate: bool, model: Model, facts: dict[str, Any]) -> list[dict]:
    """The fact tests of `c` that keep it from holding (Kleene: unanswered is not met)."""
    if isinstance(c, Not):
        return _unmet(c.item, not negate, model, facts)
    if isinstance(c, Test):
        if c.subject not in ("fact", "count"):
            return []
        item = _need(c, negate, model, facts)
        return [] if item["met"] else [item]
    if isinstance(c, Scaled):  # the threshold that applies to this organisation's answers
        test, band = c.resolved(facts, negate)
        item = _need(test, negate, model, facts)
        item["threshold"] = {"id": c.threshold.id, "by": c.threshold.by, "band": band}
        return [] if item["met"] else [item]
    parts = [_unmet(i, negate, model, facts) for i in c.items]
    conjunction = isinstance(c, All) != negate
    if conjunction:
        return [x for p in parts for x in p]
    if any(not p for p in parts):  # one alternative holds (or tests no fact)
        return []
    # The alternative closest to holding; ties by content, so the order written changes nothing.
    key = lambda p: (len(p), repr(sorted(repr(sorted(x.items())) for x in p)))  # noqa: E731
    parts.sort(key=key)
    chosen, others = parts[0], parts[1:]
    if len(chosen) == 1:
        # One answer would do, and so would the others' (each of one need): said with it, so
        # that one way is not read as the only way.
        instead = [o[0] for o in others if len(o) == 1]
        if instead:
            plain = lambda x: {k: v for k, v in x.items() if k != "or"}  # noqa: E731
            return [{**chosen[0], "or": [plain(x) for x in instead]}]
    return chosen


def _need(t: Test, negate: bool, model: Model, facts: dict[str, Any]) -> dict:
    fact = model.fact_by_id.get(t.ref)
    given = facts.get(t.ref)
    actual = len(given) if t.subject == "count" and given is not None else given
    if t.op == "present":
        met = (given is not None) == (bool(t.value) != negate)
        expected = bool(t.value) != negate
    else:
        met = given is not None and t.passes(given) != negate
        expected = t.value
    op = _NEGATED[t.op] if negate and t.op != "present" else t.op
    return {"fact": t.ref, "question": (fact.question if fact else "") or t.ref,
            "test": ("count_" + op) if t.subject == "count" else op,
            "expected": expected, "actual": actual, "met": met}


_WORDS = {"equals": "", "not_equals": "other than ", "lt": "fewer than ", "lte": "at most ",
          "gt": "more than ", "gte": "at least ", "one_of": "one of ", "not_one_of": "none of ",
          "contains": "includes ", "not_contains": "does not include "}


def need_text(need: dict, model: Model | None = None) -> str:
    """A need as a client reads it: the question, the answer it needs, and the answer given,
    choices by their labels in `model`; and the other answers that would do instead, if any
    ("or instead: ...")."""
    facts = model.fact_by_id if model is not None else {}
    fact = facts.get(need["fact"])
    text = f"{need['question']} Needs {_wanted(need, fact)} (now: {answer(need['actual'], fact)})"
    if need.get("or"):
        # the ways on one question together: "includes Employee stories or Video"
        by_question: dict[str, list[dict]] = {}
        for other in need["or"]:
            by_question.setdefault(other["question"], []).append(other)
        ways = []
        for question, items in by_question.items():
            wanted = [_wanted(x, facts.get(x["fact"])) for x in items]
            if question == need["question"]:
                ways.append(" or ".join(wanted))
            else:
                ways.append(f"{question} {' or '.join(wanted)}")
        text += "; or instead: " + "; or ".join(ways)
    return text


def _wanted(need: dict, fact: Fact | None = None) -> str:
    """The answer a need wants, in words: "yes", "at least 3 for an organisation of your size",
    "includes Employee stories"."""
    test = need["test"]
    count = test.startswith("count_")
    op = test[len("count_"):] if count else test
    if op == "present":
        wanted = "an answer" if need["expected"] else "no answer"
    else:
        value = need["expected"]
        shown = "[" + ", ".join(fact.labels_of(value) if fact else map(str, value)) + "]" \
            if isinstance(value, list) else answer(value, fact)
        wanted = _WORDS[op] + shown + (" chosen" if count else "")
    scale = need.get("threshold")
    if scale:
        wanted += (" for an organisation of your size" if scale["band"] else
                   " (the most any size needs: the organisation's size is not answered)")
    return wanted


__all__ = ["answer", "condition_text", "need_text", "unmet_needs", "what_done_needs", "what_level_needs"]
