"""Checking a rule pack without running it (`dots rules check`).

Errors are what stops a pack loading (`pack.load_pack`) or running in the engine
(`compiler.check_limits`, on the compiled form) and test cases that name facts, answers
or ids the pack does not have (`check_tests`). Warnings are about a pack that loads
but cannot work as written: rules that can never fire, stages no organisation can reach, facts
no rule reads, elements no rule gives a status, advice whose rule does not test the facts it is
`about`.

"Can never fire" is decided conservatively: a rule is flagged only when the model makes it
certain, never on a guess. What is known for certain:

- an answer is one of its fact's allowed values (a yes/no, a choice, whole numbers, min and
  max, any number within ±2^53; a choices fact has at most as many answers as values), or no
  answer at all, which is unknown: it fails every test and every negated test, except
  ``present`` tests;
- an element's status is the lowest level or one set by a rule that can fire; it is done only
  if such a level is done and each prerequisite can be done; it is disconnected only if it
  builds on another element and can be above the lowest level;
- the stage is the first one or one set by a rule that can fire.

Tests are judged one by one, and the tests on one fact directly under the same ``all`` together;
anything beyond that (a test under ``not`` combined with others, say) is taken as possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import networkx as nx

from .compiler import check_limits
from .errors import DataError, Problem, did_you_mean, sorted_problems
from .model import (GROUP_SUBJECTS, All, Any_, Condition, Fact, Loc, Model, Not, Rule, Scaled, Test, TestCase, FACTS, STATUSES,
                    STAGE, candidates, tests_in)
from .organisation import check_facts
from .pack import load_pack
from .yamlio import Document


def check_pack(spec: str | Path | None = None) -> list[Problem]:
    """Every problem of the pack `spec` (a folder, a file or a built-in name; default: the
    default pack): errors first, then warnings, each group in file and line order. Warnings are
    looked for only when the pack loads. Nothing is written and the rule engine is not used."""
    try:
        model = load_pack(spec)
        tests = check_tests(model)  # the test cases are read here (pack.TestCases)
    except DataError as exc:
        return sorted_problems(exc.problems())
    errors = check_limits(model) + tests
    return sorted_problems(errors) + pack_warnings(model)


# The pack's test cases, without running them -------------------------------------------

def check_tests(model: Model) -> list[Problem]:
    """Every problem with the pack's test cases: facts the model does not have or answers it
    does not allow, and expected ids (stage, element, status, finding, advice) it does not know."""
    problems: list[Problem] = []
    for case in model.tests:
        doc, at = _where(case)
        problems += check_facts(case.facts, model, doc, at + ("facts",))
        problems += _check_expect(case.expect, model, doc, at + ("expect",))
    return problems


def _where(case: TestCase) -> tuple[Document, tuple]:
    """The document and path of a case; a case made in code is located at its `loc`."""
    if case.doc is not None:
        return case.doc, tuple(case.path)
    doc = Document(case.loc.file, None, values={(): (case.loc.line, case.loc.column)})
    return doc, ()


def _check_expect(expect: dict, model: Model, doc: Document, at: tuple) -> list[Problem]:
    problems = []
    elements, stages, statuses = model.element_by_id, model.stage_by_id, model.status_by_id

    def unknown(path: tuple, what: str, value: Any, known, key: bool = False) -> None:
        problems.append(doc.problem(path, f"unknown {what} '{value}'",
                                    did_you_mean(str(value), known), key=key))

    stage = expect.get("stage")
    if stage is not None and stage not in stages:
        unknown(at + ("stage",), "stage", stage, stages)
    for element, level in (expect.get("statuses") or {}).items():
        if element not in elements:
            unknown(at + ("statuses", element), "element", element, elements, key=True)
        if level not in statuses:
            unknown(at + ("statuses", element), "status", level, statuses)
    nxt = expect.get("next")
    if nxt is not None and nxt not in elements:
        unknown(at + ("next",), "element", nxt, elements)
    for n, element in enumerate(expect.get("disconnected") or []):
        if element not in elements:
            unknown(at + ("disconnected", n), "element", element, elements)
    given = {"findings": {f.id for r in model.rules for f in r.findings},
             "advice": {a.id for r in model.rules for a in r.advice}}
    given["questions"] = given["no_advice"] = given["advice"]
    given["no_findings"] = given["findings"]
    for kind, known in given.items():
        for n, ident in enumerate(expect.get(kind) or []):
            if ident not in known:
                what = "finding" if kind.endswith("findings") else "advice"
                problems.append(doc.problem(at + (kind, n), f"no rule gives {what} '{ident}'",
                                            did_you_mean(ident, known)
                                            or f"list the ids under 'then: "
                                               f"{'findings' if what == 'finding' else 'advice'}:' "
                                               "of a rule"))
    return problems


def pack_warnings(model: Model) -> list[Problem]:
    """The warnings about a loaded model, in file and line order."""
    reach = reachable(model)
    found: list[Problem] = []
    for rule in model.rules:
        why = reach.impossible.get(rule.id)
        if why:
            found.append(_problem(why.loc, f"rule '{rule.id}' can never fire: {why.text}", why.hint))
    found += _unreached_stages(model, reach)
    found += _unused_facts(model)
    found += _elements_without_status(model, reach)
    found += _advice_about(model)
    return sorted_problems(found)


# What can happen in a model ---------------------------------------------------------------

@dataclass(frozen=True)
class Why:
    """Why a condition can never hold: where, and what to say."""

    loc: Loc
    text: str
    hint: str = ""


@dataclass
class Reach:
    """What can happen in a model: never less than what happens for some organisation."""

    statuses: dict[str, set[int]]   # element -> status ranks it can have
    done: dict[str, str]            # element -> "" when it can be done, else why not
    stages: set[int]                # stage ranks the organisation can be at
    impossible: dict[str, Why]      # rule id -> why it can never fire, in pack order


def reachable(model: Model) -> Reach:
    """Which rules can fire, and which statuses, done flags and stages can result. Rules are
    judged round by round (facts, then statuses, then the stage), so that each round sees only
    what rules that can fire in earlier rounds can conclude."""
    reach = Reach({e.id: {0} for e in model.elements}, {}, {0}, {})
    can_fire: list[Rule] = []
    for stratum in (FACTS, STATUSES, STAGE):
        if stratum == STATUSES:
            for rule in can_fire:
                for element, level in rule.status:
                    reach.statuses[element].add(model.status_by_id[level].rank)
            reach.done = _can_be_done(model, reach)
        if stratum == STAGE:
            reach.stages |= {model.stage_by_id[r.stage].rank for r in can_fire if r.stage}
        for rule in model.rules:
            if rule.stratum != stratum:
                continue
            why = _cannot(rule.when, True, model, reach)
            if why:
                reach.impossible[rule.id] = why
            else:
                can_fire.append(rule)
    reach.impossible = {r.id: reach.impossible[r.id] for r in model.rules if r.id in reach.impossible}
    return reach


def _can_be_done(model: Model, reach: Reach) -> dict[str, str]:
    done: dict[str, str] = {}
    for element in _dependency_order(model):
        if not any(model.statuses[r].done for r in reach.statuses[element]):
            done[element] = f"no rule that can fire sets '{element}' to a done status"
            continue
        blocked = [p for p in model.prerequisites(element) if done[p]]
        done[element] = (f"it builds on '{blocked[0]}', which can never be done" if blocked else "")
    return done


def _dependency_order(model: Model) -> list[str]:
    return list(nx.lexicographical_topological_sort(
        model.graph, key=lambda n: model.element_by_id[n].index))


def _cannot(c: Condition, want: bool, model: Model, reach: Reach) -> Why | None:
    """Why `c` can never be `want` (True or False), or None when it may be."""
    if isinstance(c, Not):
        return _cannot(c.item, not want, model, reach)
    if isinstance(c, Test):
        return _cannot_test(c, want, model, reach)
    conjunction = isinstance(c, All) == want  # all true, or any false: every item must be `want`
    reasons = [_cannot(item, want, model, reach) for item in c.items]
    if conjunction:
        first = next((r for r in reasons if r), None)
        return first or (_conflict(c.items, model, reach) if isinstance(c, All) else None)
    if all(reasons):
        return Why(reasons[0].loc, "none of the alternatives can hold: "
                   + "; ".join(r.text for r in reasons), reasons[0].hint)
    return None


def _cannot_test(t: Test, want: bool, model: Model, reach: Reach) -> Why | None:
    if t.subject in ("fact", "count"):
        fact = model.fact_by_id[t.ref]
        if want and _answers_exist(fact, [t]):
            return None
        if not want and _answers_fail(fact, t):
            return None
        if not want:
            return Why(t.loc, f"{_domain(fact, t.subject)}, so '{_show(t)}' always holds when "
                              "answered, and the test is under 'not' (an unanswered fact is "
                              "unknown and fails it too)",
                       "remove the test, or test 'present: false' to ask for unanswered")
        return Why(t.loc, f"{_domain(fact, t.subject)}, so '{_show(t)}' never holds",
                   _domain_hint(fact, t.subject))
    if t.subject == "status":
        ranks = reach.statuses[t.ref]
        if any(_meets(r, t, model.status_by_id) == want for r in ranks):
            return None
        if not want:
            return Why(t.loc, f"'{t.ref}' always has a status that meets '{_show(t)}', and the "
                              "test is under 'not'", "remove the test")
        return Why(t.loc, _no_setter(model, t, model.status_by_id,
                                     [(r, lv) for r in model.rules for e, lv in r.status if e == t.ref],
                                     f"sets '{t.ref}' to a status"),
                   f"add a rule that sets '{t.ref}' to such a status, or change the test")
    if t.subject == "stage":
        if any(_meets(r, t, model.stage_by_id) == want for r in reach.stages):
            return None
        if not want:
            return Why(t.loc, f"the stage always meets '{_show(t)}', and the test is under 'not'",
                       "remove the test")
        return Why(t.loc, _no_setter(model, t, model.stage_by_id,
                                     [(r, r.stage) for r in model.rules if r.stage], "sets a stage"),
                   "add a rule that sets such a stage, or change the test")
    if t.subject in GROUP_SUBJECTS:
        return None  # taken as possible: what a group can reach is not worked out here
    # done and disconnected are yes/no: only being true can be impossible.
    flag_true = ((t.op == "equals") == bool(t.value)) == want
    if not flag_true:
        return None
    if t.subject == "done":
        if reach.done[t.ref]:
            return Why(t.loc, f"'{t.ref}' can never be done: {reach.done[t.ref]}",
                       "add or fix the rules that set its status, and those of what it builds on")
        return None
    if not model.prerequisites(t.ref):
        return Why(t.loc, f"'{t.ref}' builds on no element, so it is never disconnected",
                   "an element is disconnected when it has started before what it builds on")
    if reach.statuses[t.ref] == {0}:
        return Why(t.loc, f"no rule that can fire sets '{t.ref}' above "
                          f"'{model.statuses[0].id}', so it is never disconnected",
                   "an element is disconnected when it has started before what it builds on")
    return None


def _no_setter(model: Model, t: Test, known: dict, setters: list[tuple[Rule, str]], what: str) -> str:
    meeting = sorted({r.id for r, level in setters if _meets(known[level].rank, t, known)})
    if not meeting:
        return f"no rule {what} that meets '{_show(t)}'"
    return (f"no rule that can fire {what} that meets '{_show(t)}' "
            f"({', '.join(meeting)} can never fire)")


def _conflict(items: Iterable[Condition], model: Model, reach: Reach) -> Why | None:
    """Why the tests directly under one 'all' cannot hold together, or None."""
    groups: dict[tuple[str, str], list[Test]] = {}
    for item in items:
        if isinstance(item, Test):
            key = ("fact", item.ref) if item.subject in ("fact", "count") else (item.subject, item.ref)
            groups.setdefault(key, []).append(item)
    for (subject, ref), tests in groups.items():
        for n in range(2, len(tests) + 1):
            if not _together(subject, ref, tests[:n], model, reach):
                shown = [f"'{'count ' if t.subject == 'count' else ''}{_show(t)}'" for t in tests[:n]]
                joined = " and ".join(shown) if n == 2 else ", ".join(shown[:-1]) + " and " + shown[-1]
                what = "no answer to" if subject == "fact" else \
                    "no status of" if subject == "status" else "no stage" if subject == "stage" else ""
                target = f" '{ref}'" if subject != "stage" else ""
                return Why(tests[n - 1].loc, f"{what}{target} meets {'both' if n == 2 else 'all of'} "
                                             f"{joined}",
                           "these tests in one 'all' contradict each other; change one of them")
    return None


def _together(subject: str, ref: str, tests: list[Test], model: Model, reach: Reach) -> bool:
    if subject == "fact":
        return _answers_exist(model.fact_by_id[ref], tests)
    if subject == "status":
        return any(all(_meets(r, t, model.status_by_id) for t in tests) for r in reach.statuses[ref])
    if subject == "stage":
        return any(all(_meets(r, t, model.stage_by_id) for t in tests) for r in reach.stages)
    return True  # done and disconnected: two yes/no tests are never judged together


# Answers to facts -------------------------------------------------------------------------

def _answers_exist(fact: Fact, tests: list[Test]) -> bool:
    """Whether some answer to `fact` (or none) passes every one of `tests`: each is a test of
    the fact or of its count. The answers tried are enough to decide it exactly."""
    return any(all(t.passes(answer) for t in tests) for answer in candidates(fact, tests))


def _answers_fail(fact: Fact, t: Test) -> bool:
    """Whether `not t` can hold for certain: some answer fails `t`. Unanswered is unknown, so
    only a `present` test can be failed by no answer at all."""
    answers = candidates(fact, [t])
    if fact.type == "choices":  # lists without the value a `contains` test looks for, too
        answers += [[v for v in fact.values if v != t.value][:k] for k in range(len(fact.values) + 1)]
    return any(not t.passes(answer) for answer in answers if answer is not None or t.op == "present")


def _domain(fact: Fact, subject: str) -> str:
    if subject == "count":
        return f"the count of '{fact.id}' is 0 to {len(fact.values)}"
    if fact.type in ("integer", "number"):
        kind = "a whole number" if fact.type == "integer" else "a number"
        if fact.min is not None and fact.max is not None:
            return f"'{fact.id}' is {kind} from {fact.min:g} to {fact.max:g}"
        if fact.min is not None:
            return f"'{fact.id}' is {kind} of at least {fact.min:g}"
        if fact.max is not None:
            return f"'{fact.id}' is {kind} of at most {fact.max:g}"
        return f"'{fact.id}' is {kind}"
    if fact.type == "boolean":
        return f"'{fact.id}' is yes or no"
    return f"'{fact.id}' is one of [{', '.join(fact.values)}]"


def _domain_hint(fact: Fact, subject: str) -> str:
    if subject == "count":
        return f"'{fact.id}' has {len(fact.values)} values; change the test or add values"
    if fact.type in ("integer", "number"):
        return "change the test, or the fact's type, 'min' or 'max'"
    return "change the test, or the fact's 'values'"


def _show(t: Test) -> str:
    """A test's operator and value as written in YAML, such as `gte: optimised`."""
    def one(v: Any) -> str:
        return str(v).lower() if isinstance(v, bool) else f"{v:g}" if isinstance(v, float) else str(v)
    value = "[" + ", ".join(map(one, t.value)) + "]" if isinstance(t.value, list) else one(t.value)
    return f"{t.op}: {value}"


def _meets(rank: int, t: Test, known: dict) -> bool:
    """Whether a status or stage of rank `rank` passes the test `t` (values are ids)."""
    values = t.value if isinstance(t.value, list) else [t.value]
    ranks = [known[v].rank for v in values]
    return {"equals": rank == ranks[0], "not_equals": rank != ranks[0], "lt": rank < ranks[0],
            "lte": rank <= ranks[0], "gt": rank > ranks[0], "gte": rank >= ranks[0],
            "one_of": rank in ranks}[t.op]


# The other warnings -----------------------------------------------------------------------

def _unreached_stages(model: Model, reach: Reach) -> list[Problem]:
    out = []
    for stage in model.stages[1:]:
        if stage.rank in reach.stages:
            continue
        setters = sorted(r.id for r in model.rules if r.stage == stage.id)
        if setters:
            text = f"every rule that sets it can never fire ({', '.join(setters)})"
            hint = "see the warnings about those rules"
        else:
            text, hint = "no rule sets it", f"add a rule with 'then: {{stage: {stage.id}}}'"
        out.append(_problem(stage.loc, f"stage '{stage.id}' can never be reached: {text}", hint))
    return out


def _unused_facts(model: Model) -> list[Problem]:
    used = {t.ref for r in model.rules for t in tests_in(r.when) if t.subject in ("fact", "count")}
    return [_problem(f.loc, f"fact '{f.id}' is used by no rule",
                     "test it in a rule's 'when', or remove it")
            for f in model.facts if f.id not in used]


def _elements_without_status(model: Model, reach: Reach) -> list[Problem]:
    out = []
    lowest = model.statuses[0].id
    done = next(s.id for s in model.statuses if s.done)
    setting: dict[str, set[str]] = {}
    for rule in model.rules:
        for element_id, _ in rule.status:
            setting.setdefault(element_id, set()).add(rule.id)
    for element in model.elements:
        setters = sorted(setting.get(element.id, ()))
        if not setters:
            out.append(_problem(element.loc, f"no rule sets the status of element '{element.id}': "
                                             f"it is always '{lowest}'",
                                f"add a rule with 'then: {{status: {{{element.id}: {done}}}}}'"))
        elif reach.statuses[element.id] == {0}:
            out.append(_problem(element.loc, f"element '{element.id}' is always '{lowest}': every "
                                             f"rule that sets its status can never fire "
                                             f"({', '.join(setters)})",
                                "see the warnings about those rules"))
    return out


def _advice_about(model: Model) -> list[Problem]:
    """Advice whose rule does not test the facts it is `about`: it could be given to an
    organisation whose answers show the work done, and never asked while they are unanswered."""
    out = []
    for rule in model.rules:
        tested = {t.ref for t in tests_in(rule.when) if t.subject in ("fact", "count")}
        for advice in rule.advice:
            untested = [f for f in advice.about if f not in tested]
            if untested:
                out.append(_problem(rule.loc, f"advice '{advice.id}' is about "
                                              f"{', '.join(repr(f) for f in untested)}, which rule "
                                              f"'{rule.id}' does not test",
                                    "test the facts whose answers show the gap the advice "
                                    "closes, or leave them out of 'about'"))
            # A threshold's `by` fact unanswered leaves a test on it unknown: unless the
            # advice is about that fact too, it is then neither given nor asked.
            bands = sorted({c.threshold.by for c in _scaled_in(rule.when)} - set(advice.about))
            if advice.about and bands:
                out.append(_problem(rule.loc, f"advice '{advice.id}' depends on "
                                              f"{', '.join(repr(b) for b in bands)} through a "
                                              "threshold, but is not about it: while it is "
                                              "unanswered the advice is neither given nor asked",
                                    f"add {', '.join(bands)} to 'about'"))
    return out


def _scaled_in(condition) -> list[Scaled]:
    """The tests against thresholds in a condition."""
    if isinstance(condition, Scaled):
        return [condition]
    if isinstance(condition, Not):
        return _scaled_in(condition.item)
    if isinstance(condition, (All, Any_)):
        return [s for c in condition.items for s in _scaled_in(c)]
    return []


def _problem(loc: Loc, message: str, hint: str) -> Problem:
    return Problem(loc.file, loc.line, loc.column, message, hint, "warning")
