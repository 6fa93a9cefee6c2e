"""Running a pack's own test cases (`tests:` in the pack files), as `dots rules test` does.

Each case gives facts and what the assessment of those facts should say. What is compared:

- ``stage``: the stage id, exactly;
- ``statuses``: the status of each element listed (elements not listed are not checked);
- ``next``: the next dot's element id, or null for "every element is done";
- ``disconnected``: the set of disconnected elements, exactly (order does not matter);
- ``findings`` and ``advice``: at least these ids are given (others may be given too); advice
  asked as a question (its facts unanswered) counts under ``questions``, not ``advice``;
- ``no_findings`` and ``no_advice``: none of these ids is given (``no_advice`` as an action or a
  re-anchoring; a question is not advice given).

Besides pass or fail, a run reports coverage: the rules that no case makes fire and the stages
that no case reaches, so a pack author can see what the cases leave untested. Rules that no
organisation can make fire in this model (say, a finding for a disconnected element that builds
on nothing; it is there for packs that add an edge) are listed apart, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .assess import Assessment, assess, compiled_for
from .checks import check_tests, reachable
from .engine import Engine
from .errors import DataError
from .model import Model, TestCase
from .organisation import Organisation, parse_answers
from .recommend import next_dot

EXPECT_KEYS = ("stage", "statuses", "next", "disconnected", "findings", "advice", "questions",
               "no_findings", "no_advice")
JSON_FORMAT = 1


@dataclass(frozen=True)
class Difference:
    """One thing a case expected that the assessment did not give."""

    field: str      # "stage", "statuses.<element>", "next", "disconnected", "findings", "advice"
    expected: str
    got: str

    def format(self) -> str:
        return f"{self.field}: expected {self.expected}, got {self.got}"


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one test case: its differences (none when it passed) and what fired."""

    case: TestCase
    differences: tuple[Difference, ...]
    fired: tuple[str, ...]
    stage: str

    @property
    def passed(self) -> bool:
        return not self.differences


@dataclass
class SuiteResult:
    """Every case's outcome, in the pack's order, with the coverage of the whole run."""

    model: Model
    cases: list[CaseResult] = field(default_factory=list)
    unfired: list[str] = field(default_factory=list)          # rule ids, in pack order
    impossible: dict[str, str] = field(default_factory=dict)  # rule id -> why it cannot fire
    unreached: list[str] = field(default_factory=list)        # stage ids, lowest first

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0


# Running ---------------------------------------------------------------------------------

def run_tests(model: Model, engine: Engine | None = None) -> SuiteResult:
    """Assess every test case of `model` and compare with what it expects.

    Raises DataError, listing every problem, when a case names facts, answers or ids the model
    does not have: such a case tests nothing, so no case is run."""
    problems = check_tests(model)
    if problems:
        raise DataError(problems)
    compiled_for(model)  # a pack beyond the engine's limits is refused, with or without cases
    result = SuiteResult(model)
    fired: set[str] = set()
    reached: set[str] = set()
    for case in model.tests:
        facts, answers = parse_answers(case.facts)
        organisation = Organisation(name=case.description or case.id, facts=facts, id=case.id,
                                    source=case.loc.file, answers=answers)
        assessment = assess(model, organisation, engine)
        fired.update(assessment.fired)
        reached.add(assessment.stage.id)
        result.cases.append(CaseResult(case, tuple(compare(case.expect, assessment)),
                                       tuple(assessment.fired), assessment.stage.id))
    result.impossible = {r: why for r, why in cannot_fire(model).items() if r not in fired}
    result.unfired = [r.id for r in model.rules if r.id not in fired and r.id not in result.impossible]
    result.unreached = [s.id for s in model.stages if s.id not in reached]
    return result


def cannot_fire(model: Model) -> dict[str, str]:
    """Rules whose condition no organisation can meet in this model, with the reason, in pack
    order: what `dots rules check` warns about (see `checks.reachable`)."""
    return {rule: why.text for rule, why in reachable(model).impossible.items()}


def compare(expect: dict, a: Assessment) -> list[Difference]:
    """The differences between what a case expects and an assessment, in EXPECT_KEYS order."""
    model = a.model
    out: list[Difference] = []
    if "stage" in expect and expect["stage"] != a.stage.id:
        out.append(Difference("stage", expect["stage"], a.stage.id))
    for element in model.in_model_order(expect.get("statuses") or {}):
        want, got = expect["statuses"][element], a.element(element).status.id
        if want != got:
            out.append(Difference(f"statuses.{element}", want, got))
    if "next" in expect:
        step = next_dot(a)
        got_next = step.result.element.id if step else None
        if expect["next"] != got_next:
            out.append(Difference("next", _name(expect["next"]), _name(got_next)))
    if "disconnected" in expect:
        want_set = set(expect["disconnected"] or [])
        got_set = {e.element.id for e in a.disconnected}
        if want_set != got_set:
            out.append(Difference("disconnected", _names(model.in_model_order(want_set)),
                                  _names(model.in_model_order(got_set))))
    given = {"findings": [f.finding.id for f in a.findings],
             "advice": [x.advice.id for x in a.advice if x.kind != "question"],
             "questions": [x.advice.id for x in a.advice if x.kind == "question"]}
    for kind, got_ids in given.items():
        want_ids = list(dict.fromkeys(expect.get(kind) or []))
        missing = [i for i in want_ids if i not in got_ids]
        if missing:
            out.append(Difference(kind, "at least " + ", ".join(want_ids), _names(got_ids)))
    for kind, got_ids in (("no_findings", given["findings"]), ("no_advice", given["advice"])):
        unwanted = [i for i in dict.fromkeys(expect.get(kind) or []) if i in got_ids]
        if unwanted:
            out.append(Difference(kind, "none of " + ", ".join(unwanted), _names(got_ids)))
    return out


def _name(value: str | None) -> str:
    return "none (all connected)" if value is None else value


def _names(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


# Output ----------------------------------------------------------------------------------

def results_text(result: SuiteResult) -> str:
    """The run as a test runner prints it: a line per case with its differences indented,
    the coverage, and a last line `N passed, M failed`."""
    lines = []
    if not result.cases:
        lines.append(f"pack '{result.model.id}' has no test cases")
    for case in result.cases:
        lines.append(f"{'PASS' if case.passed else 'FAIL'} {case.case.id}")
        lines += [f"  {d.format()}" for d in case.differences]
    if result.unreached:
        lines.append(f"stages no test case reaches: {', '.join(result.unreached)}")
    else:
        lines.append("every stage reached in some test case")
    if result.impossible:
        lines.append("rules that cannot fire in this model:")
        lines += [f"  {rule}: {why}" for rule, why in result.impossible.items()]
    if result.unfired:
        lines.append(f"rules no test case fires: {', '.join(result.unfired)}")
    else:
        lines.append(f"every {'other ' if result.impossible else ''}rule fired in some test case")
    lines.append(f"{result.passed} passed, {result.failed} failed")
    return "\n".join(lines) + "\n"


def results_data(result: SuiteResult) -> dict:
    """The run as JSON-ready data, with the same content as the text."""
    model = result.model
    return {
        "format": JSON_FORMAT,
        "pack": {"id": model.id, "label": model.label, "version": model.version},
        "cases": [{"id": c.case.id, "passed": c.passed, "stage": c.stage,
                   "differences": [{"field": d.field, "expected": d.expected, "got": d.got}
                                   for d in c.differences]} for c in result.cases],
        "unreached_stages": list(result.unreached),
        "unfired_rules": list(result.unfired),
        "impossible_rules": [{"id": r, "why": why} for r, why in result.impossible.items()],
        "passed": result.passed,
        "failed": result.failed,
    }
