"""Running a pack's test cases (maturity.testing): comparison, coverage, located errors, the
built-in packs' own cases, and no default-model id hard-coded in the Python code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import maturity
from maturity.testing import cannot_fire
from conftest import write_pack, write_text

ROOT = Path(__file__).resolve().parent.parent

# The tiny pack's three kinds of organisation, as test cases (see conftest.TINY_PACK_TEXT).
CASES = """\
tests:
  - id: empty
    facts: {}
    expect:
      stage: just_do_it
      statuses: {purpose: missing, audience: missing, platforms: missing}
      next: purpose
      disconnected: []
      advice: [keep-going]
      questions: [write-purpose]
      no_advice: [write-purpose]
  - id: just-platforms
    description: On LinkedIn, goals not written, no personas.
    facts: {platforms.channels: [linkedin], purpose.goals_written: false, audience.personas: 0}
    expect:
      stage: just_do_it
      statuses: {platforms: started}
      next: purpose
      disconnected: [platforms]
      findings: [platforms-disc]
      advice: [write-purpose]
  - id: all-done
    facts: {purpose.goals_written: true, audience.personas: 4, platforms.measure: hires}
    expect:
      stage: engaging
      statuses: {purpose: defined, audience: defined, platforms: defined}
      next: null
      disconnected: []
"""


def pack_with(tmp_path: Path, cases: str, **changes) -> maturity.Model:
    folder = write_pack(tmp_path, **changes)
    write_text(folder / "tests.yaml", cases)
    return maturity.load_pack(folder)


def run(tmp_path: Path, cases: str, **changes) -> maturity.SuiteResult:
    return maturity.run_tests(pack_with(tmp_path, cases, **changes))


def differences(result: maturity.SuiteResult) -> dict[str, list[str]]:
    return {c.case.id: [d.format() for d in c.differences] for c in result.cases}


# Passing, failing and what is compared -----------------------------------------------------

def test_matching_cases_pass_and_cover_the_pack(tmp_path):
    result = run(tmp_path, CASES)
    assert differences(result) == {"empty": [], "just-platforms": [], "all-done": []}
    assert (result.passed, result.failed, result.ok) == (3, 0, True)
    assert [c.stage for c in result.cases] == ["just_do_it", "just_do_it", "engaging"]
    assert result.unreached == ["strategised"]  # stage.strat fires, but engaging is higher
    assert result.unfired == []
    assert result.impossible == {}
    # Without the last case, the rules only it fires are listed, in pack order.
    fewer = run(tmp_path / "fewer", CASES[:CASES.index("  - id: all-done")])
    assert fewer.unfired == ["purpose.defined", "audience.started", "audience.defined",
                             "platforms.defined", "stage.strat", "stage.eng"]
    assert fewer.unreached == ["strategised", "engaging"]


def test_each_expected_field_reports_expected_and_got(tmp_path):
    cases = """\
    tests:
      - id: wrong
        facts: {purpose.goals_written: true, audience.personas: 0, platforms.channels: [tiktok]}
        expect:
          stage: engaging
          statuses: {platforms: started, purpose: defined}
          next: null
          disconnected: [audience]
          findings: [platforms-disc]
          advice: [keep-going, write-purpose]
    """
    result = run(tmp_path, cases)
    assert differences(result) == {"wrong": [
        "stage: expected engaging, got just_do_it",
        "statuses.platforms: expected started, got defined",
        "next: expected none (all connected), got audience",
        "disconnected: expected audience, got platforms",
        "advice: expected at least keep-going, write-purpose, got keep-going",
    ]}
    assert (result.passed, result.failed, result.ok) == (0, 1, False)
    case = result.cases[0]
    assert case.differences[1] == maturity.Difference("statuses.platforms", "started", "defined")


def test_no_findings_no_advice_and_questions_are_checked(tmp_path):
    cases = """\
    tests:
      - id: unwanted
        facts: {platforms.channels: [linkedin], audience.personas: 0}
        expect:
          no_findings: [platforms-disc]
          no_advice: [keep-going, write-purpose]
          questions: [write-purpose]
      - id: asked-is-not-given
        facts: {}
        expect:
          advice: [write-purpose]
    """
    assert differences(run(tmp_path, cases)) == {
        "unwanted": ["no_findings: expected none of platforms-disc, got platforms-disc",
                     "no_advice: expected none of keep-going, got keep-going"],
        "asked-is-not-given": ["advice: expected at least write-purpose, got keep-going"]}


def test_only_listed_statuses_and_at_least_listed_conclusions_are_checked(tmp_path):
    cases = """\
    tests:
      - id: partial
        facts: {platforms.channels: [linkedin]}
        expect:
          statuses: {platforms: started}
          advice: [keep-going]
    """
    # write-purpose is asked too, and purpose's status is not listed: both are fine.
    assert differences(run(tmp_path, cases)) == {"partial": []}


def test_disconnected_is_an_exact_set(tmp_path):
    cases = """\
    tests:
      - id: none-expected
        facts: {platforms.channels: [linkedin], audience.personas: 0}
        expect: {disconnected: []}
      - id: order-does-not-matter
        facts: {platforms.channels: [linkedin], audience.personas: 1, purpose.goals_written: false}
        expect: {disconnected: [platforms, audience]}
    """
    assert differences(run(tmp_path, cases)) == {
        "none-expected": ["disconnected: expected none, got platforms"],
        "order-does-not-matter": [],
    }


def test_next_names_an_element_and_null_means_all_connected(tmp_path):
    cases = """\
    tests:
      - id: says-done
        facts: {purpose.goals_written: true}
        expect: {next: null}
      - id: says-purpose
        facts: {purpose.goals_written: true}
        expect: {next: purpose}
    """
    assert differences(run(tmp_path, cases)) == {
        "says-done": ["next: expected none (all connected), got audience"],
        "says-purpose": ["next: expected purpose, got audience"],
    }


def test_unanswered_facts_written_as_null_are_left_out(tmp_path):
    cases = """\
    tests:
      - id: nulls
        facts: {purpose.goals_written: null, platforms.channels: null}
        expect: {stage: just_do_it, statuses: {purpose: missing, platforms: missing}}
    """
    assert differences(run(tmp_path, cases)) == {"nulls": []}


def test_a_pack_without_cases_runs_nothing(tmp_path):
    result = maturity.run_tests(maturity.load_pack(write_pack(tmp_path)))
    assert (result.cases, result.passed, result.failed, result.ok) == ([], 0, 0, True)
    assert result.unreached == ["just_do_it", "strategised", "engaging"]
    assert len(result.unfired) == 10
    assert maturity.results_text(result).splitlines()[0] == "pack 'tiny' has no test cases"


# Located errors ---------------------------------------------------------------------------

def test_bad_facts_and_unknown_ids_are_located_with_hints(in_tmp):
    cases = """\
    tests:
      - id: bad
        facts: {purpose.goals_writen: true, audience.personas: "3", platforms.channels: [tiktokk]}
        expect:
          stage: engagin
          statuses: {purpos: defined, platforms: startd}
          next: audiense
          disconnected: [platform]
          findings: [platforms-dis]
          advice: [keep-goin, zzz]
    """
    model = pack_with(in_tmp, cases)
    with pytest.raises(maturity.DataError) as info:
        maturity.run_tests(model)
    assert info.value.format().splitlines() == [
        "error: tiny/tests.yaml:3:13: unknown fact 'purpose.goals_writen'",
        "  hint: did you mean 'purpose.goals_written'?",
        "error: tiny/tests.yaml:3:60: 'audience.personas' is a number, got '3'",
        "  hint: write a number without quotes",
        "error: tiny/tests.yaml:3:85: 'tiktokk' is not an allowed answer to 'platforms.channels'",
        "  hint: did you mean 'tiktok'?",
        "error: tiny/tests.yaml:5:14: unknown stage 'engagin'",
        "  hint: did you mean 'engaging'?",
        "error: tiny/tests.yaml:6:18: unknown element 'purpos'",
        "  hint: did you mean 'purpose'?",
        "error: tiny/tests.yaml:6:46: unknown status 'startd'",
        "  hint: did you mean 'started'?",
        "error: tiny/tests.yaml:7:13: unknown element 'audiense'",
        "  hint: did you mean 'audience'?",
        "error: tiny/tests.yaml:8:22: unknown element 'platform'",
        "  hint: did you mean 'platforms'?",
        "error: tiny/tests.yaml:9:18: no rule gives finding 'platforms-dis'",
        "  hint: did you mean 'platforms-disc'?",
        "error: tiny/tests.yaml:10:16: no rule gives advice 'keep-goin'",
        "  hint: did you mean 'keep-going'?",
        "error: tiny/tests.yaml:10:27: no rule gives advice 'zzz'",
        "  hint: list the ids under 'then: advice:' of a rule",
    ]
    assert maturity.check_tests(model) == info.value.problems()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_overriding_case_is_located_in_the_extending_pack(in_tmp):
    base = write_pack(in_tmp)
    write_text(base / "tests.yaml", CASES)
    write_text(in_tmp / "mine" / "pack.yaml", """\
    pack: {id: mine, label: Mine, extends: ../tiny}
    tests:
      - id: empty
        override: true
        facts: {purpose.goals_writen: true}
        expect: {stage: just_do_it}
    """)
    with pytest.raises(maturity.DataError) as info:
        maturity.run_tests(maturity.load_pack(in_tmp / "mine"))
    assert info.value.format().splitlines()[0] == \
        "error: mine/pack.yaml:5:13: unknown fact 'purpose.goals_writen'"


def test_a_case_made_in_code_is_located_at_its_loc(tiny_model):
    from maturity.model import Loc, TestCase
    tiny_model.tests = [TestCase("c", "", {"nope": 1}, {"stage": "just_do_it"}, Loc("x.yaml", 4, 3))]
    assert [p.format() for p in maturity.check_tests(tiny_model)] == \
        ["error: x.yaml:4:3: unknown fact 'nope'\n"
         "  hint: the facts of pack 'tiny' are listed by 'dots facts'"]


# Rules that cannot fire -------------------------------------------------------------------

def test_rules_that_cannot_fire_are_found_with_the_reason(tmp_path):
    import yaml

    from conftest import TINY_PACK
    rules = TINY_PACK["rules"] + yaml.safe_load("""\
    - id: root.disconnected
      when: {disconnected: purpose, equals: true}
      then: {findings: [{id: f1, severity: low, message: m}]}
    - id: never.level
      when: {all: [{done: purpose, equals: true}, {status: platforms, gt: defined}]}
      then: {findings: [{id: f2, severity: low, message: m}]}
    - id: never.stage
      when: {stage: current, equals: strategised}
      then: {findings: [{id: f3, severity: low, message: m}]}
    - id: both.branches
      when: {any: [{disconnected: purpose, equals: true}, {status: audience, one_of: [started]}]}
      then: {findings: [{id: f4, severity: low, message: m}]}
    - id: not.is.never.judged
      when: {not: {disconnected: purpose, equals: true}}
      then: {findings: [{id: f5, severity: low, message: m}]}
    """)
    rules[2] = {**rules[2], "then": {"status": {"audience": "defined"}}}  # nothing sets 'started'
    rules[1] = {**rules[1], "enabled": False}
    model = maturity.load_pack(write_pack(tmp_path, rules=rules))
    why = cannot_fire(model)
    # The analysis is `dots rules check`'s (maturity.checks, tested with it); here: the same
    # rules, in pack order, with its reasons.
    assert list(why) == ["root.disconnected", "never.level", "both.branches"]
    assert why["root.disconnected"] == "'purpose' builds on no element, so it is never disconnected"
    assert "'platforms'" in why["never.level"] and "'audience'" in why["both.branches"]
    # strategised is set by stage.strat, so never.stage can fire; the 'not' is not judged.


def test_impossible_rules_are_listed_apart_from_unfired_ones(tmp_path):
    from conftest import TINY_PACK
    rules = TINY_PACK["rules"] + [{"id": "root.disconnected",
                                   "when": {"disconnected": "purpose", "equals": True},
                                   "then": {"findings": [{"id": "f1", "severity": "low", "message": "m"}]}}]
    result = run(tmp_path, CASES, rules=rules)
    assert result.impossible == {"root.disconnected":
                                 "'purpose' builds on no element, so it is never disconnected"}
    assert result.unfired == []
    assert maturity.results_text(result).splitlines()[3:] == [
        "stages no test case reaches: strategised",
        "rules that cannot fire in this model:",
        "  root.disconnected: 'purpose' builds on no element, so it is never disconnected",
        "every other rule fired in some test case",
        "3 passed, 0 failed",
    ]


# Output -----------------------------------------------------------------------------------

def test_text_and_data(tmp_path):
    cases = CASES.replace("stage: engaging", "stage: strategised")
    result = run(tmp_path, cases)
    assert maturity.results_text(result) == (
        "PASS empty\n"
        "PASS just-platforms\n"
        "FAIL all-done\n"
        "  stage: expected strategised, got engaging\n"
        "stages no test case reaches: strategised\n"
        "every rule fired in some test case\n"
        "2 passed, 1 failed\n")
    data = maturity.results_data(result)
    assert data == {
        "format": 1,
        "pack": {"id": "tiny", "label": "Tiny model", "version": ""},
        "cases": [
            {"id": "empty", "passed": True, "stage": "just_do_it", "differences": []},
            {"id": "just-platforms", "passed": True, "stage": "just_do_it", "differences": []},
            {"id": "all-done", "passed": False, "stage": "engaging", "differences": [
                {"field": "stage", "expected": "strategised", "got": "engaging"}]},
        ],
        "unreached_stages": ["strategised"],
        "unfired_rules": [],
        "impossible_rules": [],
        "passed": 2,
        "failed": 1,
    }


def test_unfired_rules_line(tmp_path):
    result = run(tmp_path, CASES[:CASES.index("  - id: all-done")])
    assert maturity.results_text(result).splitlines()[-3:] == [
        "stages no test case reaches: strategised, engaging",
        "rules no test case fires: purpose.defined, audience.started, audience.defined, "
        "platforms.defined, "
        "stage.strat, stage.eng",
        "2 passed, 0 failed"]


# The built-in packs -----------------------------------------------------------------------

# Rules a built-in pack keeps for packs that extend it, which cannot fire in the pack itself.
CANNOT_FIRE: dict[str, set[str]] = {}


@pytest.mark.parametrize("pack", maturity.builtin_packs())
def test_builtin_pack_cases_pass_reach_every_stage_and_fire_every_rule(pack):
    model = maturity.load_pack(pack)
    result = maturity.run_tests(model)
    assert len(result.cases) >= len(model.stages)
    assert differences(result) == {c.id: [] for c in model.tests}
    assert result.unreached == []
    assert result.unfired == []
    assert set(result.impossible) == CANNOT_FIRE.get(pack, set())


def test_there_is_a_second_model():
    packs = maturity.builtin_packs()
    assert {"default", "talent_community"} <= set(packs)
    default, other = maturity.load_pack("default"), maturity.load_pack("talent_community")
    assert not {e.id for e in default.elements} & {e.id for e in other.elements}
    assert len(other.elements) != len(default.elements)
    assert len(other.stages) != len(default.stages)
    assert len(other.statuses) != len(default.statuses)


# No id of the default model in the Python code ---------------------------------------------

def _docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
    return found


def string_literals(source: str) -> list[tuple[int, str]]:
    """Every string constant in `source` (f-string pieces included), docstrings excepted, with
    its line."""
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docstrings)


def ids_in(text: str, ids: set[str]) -> list[str]:
    """The model ids `text` uses: the whole text is an id; a compound id (with '.' or '_') is
    a word in it; or an element id starts a dotted name ('purpose.' of a fact id). A plain word
    such as 'purpose' inside a sentence is English, not an id."""
    found = set()
    stripped = text.strip()
    if stripped in ids:
        found.add(stripped)
    for ident in ids:
        if ("." in ident or "_" in ident) and re.search(rf"(?<![\w.]){re.escape(ident)}(?![\w])", text):
            found.add(ident)
        elif re.search(rf"(?<![\w.]){re.escape(ident)}\.(?=[a-z]|$)", text):
            found.add(ident)
    return sorted(found)


def default_ids() -> set[str]:
    model = maturity.load_pack("default")
    return ({e.id for e in model.elements} | {f.id for f in model.facts}
            | {s.id for s in model.stages})


def test_the_id_scanner_finds_what_it_should():
    ids = {"purpose", "just_do_it", "purpose.goals_written", "content"}
    source = '''
"""Module docstring naming purpose.goals_written is documentation."""
A = "purpose"
B = f"{x} is just_do_it"
C = "on purpose, with content"
D = f"purpose.{name}"
E = "purpose.goals_written"
def f():
    """A docstring saying just_do_it."""
    return "content"
'''
    hits = [(line, ids_in(text, ids)) for line, text in string_literals(source)]
    assert [h for h in hits if h[1]] == [
        (3, ["purpose"]), (4, ["just_do_it"]), (6, ["purpose"]),
        (7, ["purpose", "purpose.goals_written"]), (10, ["content"])]


def test_no_default_model_id_in_the_python_code():
    ids = default_ids()
    assert {"purpose", "audience", "just_do_it", "purpose.goals_written"} <= ids
    files = sorted((ROOT / "maturity").rglob("*.py")) + sorted((ROOT / "cli").rglob("*.py"))
    assert len(files) > 10
    hits = []
    for path in files:
        for line, text in string_literals(path.read_text("utf-8")):
            for ident in ids_in(text, ids):
                hits.append(f"{path.relative_to(ROOT)}:{line}: {ident!r} in {text!r}")
    assert hits == [], "the model is data: ids of the default pack belong in rules/default/"
