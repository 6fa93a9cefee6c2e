"""`maturity.check_pack`: every problem of a pack in one run, errors and warnings, each with
file, line, column and hint; the pack's files are never changed and the engine never runs.

Each case is the tiny pack of conftest.py plus one small file, `tiny/rules_extra.yaml` (read
after `pack.yaml`, so its lines are the ones the messages point to)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import maturity
from conftest import write_pack, write_text
from maturity.checks import check_pack, reachable
from maturity.cli.main import cli

EXTRA = "rules_extra.yaml"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's folder as the working folder, so that messages name files relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything runs the rule engine."""
    def run(*args, **kwargs):
        pytest.fail("the rule engine was run")
    monkeypatch.setattr(maturity.engine.Engine, "run", run)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def check(folder: Path, spec: str = "tiny") -> list[str]:
    """check_pack's problems as printed; asserts that nothing under `folder` changed."""
    before = snapshot(folder)
    found = [p.format() for p in check_pack(spec)]
    assert snapshot(folder) == before
    return found


def tiny_with(folder: Path, text: str) -> Path:
    pack = write_pack(folder)
    write_text(pack / EXTRA, text)
    return pack


def test_the_tiny_pack_and_the_shipped_packs_have_no_errors(here: Path, no_engine: None):
    write_pack(here)
    assert check(here) == []
    for name in maturity.builtin_packs():
        assert not [p for p in check_pack(name) if p.severity == "error"], name


# Errors: what load_pack raises -------------------------------------------------------------

ERRORS = {
    "schema violation": ("""\
        rules:
          - id: x.bad
            when: {fact: purpose.goals_written, equal: true}
            then: {stage: strategised}
        """, ["error: tiny/rules_extra.yaml:3:41: unknown key 'equal'",
              "  hint: did you mean 'equals'?"]),
    "unknown fact": ("""\
        rules:
          - id: x.typo
            when: {fact: purpose.goals_writen, equals: true}
            then: {stage: strategised}
        """, ["error: tiny/rules_extra.yaml:3:18: unknown fact 'purpose.goals_writen'",
              "  hint: did you mean 'purpose.goals_written'?"]),
    "duplicate id": ("""\
        facts:
          - {id: audience.personas, type: integer}
        """, ["error: tiny/rules_extra.yaml:2:6: duplicate fact id 'audience.personas'",
              "  hint: first defined at tiny/pack.yaml:19"]),
    "dangling edge": ("""\
        edges:
          - {from: purpose, to: platfroms}
        """, ["error: tiny/rules_extra.yaml:2:21: edge names unknown element 'platfroms'",
              "  hint: did you mean 'platforms'?"]),
    "dangling edge, nothing like it": ("""\
        edges:
          - {from: purpose, to: nowhere}
        """, ["error: tiny/rules_extra.yaml:2:21: edge names unknown element 'nowhere'",
              "  hint: the elements are: audience, platforms, purpose"]),
    "cycle": ("""\
        edges:
          - {from: platforms, to: purpose}
        """, ["error: tiny/rules_extra.yaml:2:5: dependency cycle: platforms -> purpose -> "
              "audience -> platforms",
              "  hint: the elements must form an order; remove or turn round one edge"]),
    "rule in the wrong round": ("""\
        rules:
          - id: x.strata
            when: {status: purpose, gte: defined}
            then: {status: {audience: started}}
        """, ["error: tiny/rules_extra.yaml:4:5: rule 'x.strata' sets a status but tests "
              "status, done, disconnected or stage",
              "  hint: a rule that sets a status may test only facts and counts; split it in "
              "two rules"]),
    "stage rule that tests the stage": ("""\
        rules:
          - id: x.strata
            when: {stage: current, gte: strategised}
            then: {stage: engaging}
        """, ["error: tiny/rules_extra.yaml:4:5: rule 'x.strata' sets the stage but tests the stage",
              "  hint: a stage rule may test facts, counts, status, done and disconnected"]),
    "test case with an unknown fact": ("""\
        tests:
          - id: case.typo
            facts: {purpose.goals_writen: true}
            expect: {stage: strategised}
        """, ["error: tiny/rules_extra.yaml:3:13: unknown fact 'purpose.goals_writen'",
              "  hint: did you mean 'purpose.goals_written'?"]),
}


@pytest.mark.parametrize("text, expected", ERRORS.values(), ids=list(ERRORS))
def test_errors(here: Path, text: str, expected: list[str]):
    tiny_with(here, text)
    assert "\n".join(check(here)).splitlines() == expected


def test_every_error_in_one_run_and_no_warnings_when_the_pack_does_not_load(here: Path):
    tiny_with(here, """\
        facts:
          - {id: extra.unused, type: boolean}
        edges:
          - {from: purpose, to: platfroms}
        rules:
          - id: x.typo
            when: {fact: purpose.goals_writen, equals: true}
            then: {stage: strategised}
        """)
    assert check(here) == [
        "error: tiny/rules_extra.yaml:4:21: edge names unknown element 'platfroms'\n"
        "  hint: did you mean 'platforms'?",
        "error: tiny/rules_extra.yaml:7:18: unknown fact 'purpose.goals_writen'\n"
        "  hint: did you mean 'purpose.goals_written'?",
    ]


def test_override_of_an_id_that_does_not_exist(here: Path):
    write_pack(here)
    write_text(here / "child" / "pack.yaml", """\
        pack: {id: child, label: Child, extends: ../tiny}
        rules:
          - id: audience.defind
            override: true
            when: {fact: audience.personas, gte: 5}
        """)
    assert check(here, "child") == [
        "error: child/pack.yaml:3:5: override of unknown rule 'audience.defind'\n"
        "  hint: did you mean 'audience.defined'?"]


def test_extends_loop(here: Path):
    write_text(here / "a" / "pack.yaml", "pack: {id: a, label: A, extends: ../b}\n")
    write_text(here / "b" / "pack.yaml", "pack: {id: b, label: B, extends: ../a}\n")
    assert check(here, "a") == [
        "error: b/pack.yaml:1:25: pack extends itself through '../a'\n"
        "  hint: remove the loop in 'extends'"]


def test_no_such_pack(here: Path):
    assert check(here, "defualt") == ["error: defualt: no such rule pack\n"
                                      "  hint: did you mean 'default'?"]


# Engine limits: reported as errors, and such a pack never reaches the engine --------------

FIFTY = ", ".join(f"v{i}" for i in range(50))
LIMITS = {
    "one_of with 50 values": (
        f"facts:\n  - {{id: big.choice, type: choice, values: [{FIFTY}]}}\n"
        f"rules:\n  - id: big.rule\n    when: {{fact: big.choice, one_of: [{FIFTY}]}}\n"
        "    then: {stage: strategised}\n",
        "error: tiny/rules_extra.yaml:4:5: rule 'big.rule' has 50 alternatives once 'any', "
        "'one_of' and 'not' are spread out; the engine takes at most 40\n"
        "  hint: split it into several rules with the same conclusions"),
    "any of 14 two-test alls": (
        "rules:\n  - id: big.any\n    when:\n      any:\n"
        + "".join(f"        - all: [{{fact: audience.personas, equals: {i}}}, "
                  "{fact: purpose.goals_written, equals: true}]\n" for i in range(14))
        + "    then: {stage: strategised}\n",
        "error: tiny/rules_extra.yaml:2:5: rule 'big.any' nests 15 groups of tests; the engine "
        "takes at most 14\n"
        "  hint: each 'any', 'one_of', 'all' inside 'any', and 'not' on a fact or count makes one "
        "group; split the rule into several rules with the same conclusions"),
}


@pytest.mark.parametrize("text, expected", LIMITS.values(), ids=list(LIMITS))
def test_packs_beyond_the_engine_limits(here: Path, no_engine: None, text: str, expected: str):
    tiny_with(here, text)
    assert check(here) == [expected]
    write_text(here / "org.yaml", "organisation: {name: Acme}\nfacts: {purpose.goals_written: true}\n")
    for args in (["assess", "org.yaml", "--rules", "tiny"], ["rules", "test", "tiny"],
                 ["rules", "check", "tiny"]):
        result = CliRunner().invoke(cli, args, prog_name="dots")
        assert result.exit_code == 1, args
        assert expected in result.stdout + result.stderr, args
        assert isinstance(result.exception, SystemExit), args  # an exit, not a traceback
    # Commands that do not run the engine take the pack.
    for args in (["facts", "--rules", "tiny"], ["facts", "--template", "--rules", "tiny"]):
        result = CliRunner().invoke(cli, args, prog_name="dots")
        assert (result.exit_code, result.stderr) == (0, ""), args


# Warnings ----------------------------------------------------------------------------------

ADVICE = "    then: {advice: [{id: x-advice, action: Do it}]}\n"
NEVER = "rule 'x.never' can never fire: "
WARNINGS = {
    "beyond max": (
        "facts:\n  - {id: extra.score, element: purpose, type: integer, min: 0, max: 5}\n"
        "rules:\n  - id: x.never\n    when: {fact: extra.score, gt: 10}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:5:11: {NEVER}'extra.score' is a whole number from 0 "
         "to 5, so 'gt: 10' never holds",
         "  hint: change the test, or the fact's type, 'min' or 'max'"]),
    "whole number between two bounds": (
        "facts:\n  - {id: extra.score, element: purpose, type: integer, min: 0, max: 5}\n"
        "rules:\n  - id: x.never\n"
        "    when: {all: [{fact: extra.score, gt: 4.5}, {fact: extra.score, lt: 5}]}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:5:48: {NEVER}no answer to 'extra.score' meets both "
         "'gt: 4.5' and 'lt: 5'",
         "  hint: these tests in one 'all' contradict each other; change one of them"]),
    "count above the number of values": (
        "rules:\n  - id: x.never\n    when: {count: platforms.channels, gte: 4}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:3:11: {NEVER}the count of 'platforms.channels' is 0 "
         "to 3, so 'gte: 4' never holds",
         "  hint: 'platforms.channels' has 3 values; change the test or add values"]),
    "value of the wrong type": (
        "rules:\n  - id: x.never\n    when: {fact: audience.personas, equals: 2.5}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:3:11: {NEVER}'audience.personas' is a whole number of "
         "at least 0, so 'equals: 2.5' never holds",
         "  hint: change the test, or the fact's type, 'min' or 'max'"]),
    "not equal to the only value": (
        "facts:\n  - {id: extra.only, type: choice, values: [yes_only]}\n"
        "rules:\n  - id: x.never\n    when: {fact: extra.only, not_equals: yes_only}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:5:11: {NEVER}'extra.only' is one of [yes_only], so "
         "'not_equals: yes_only' never holds",
         "  hint: change the test, or the fact's 'values'"]),
    "status level no rule sets": (
        "rules:\n  - id: x.never\n    when: {status: purpose, equals: started}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:3:11: {NEVER}no rule sets 'purpose' to a status that "
         "meets 'equals: started'",
         "  hint: add a rule that sets 'purpose' to such a status, or change the test"]),
    "status level only impossible rules set": (
        "rules:\n  - id: x.sets\n    when: {count: platforms.channels, gt: 3}\n"
        "    then: {status: {purpose: started}}\n"
        "  - id: x.never\n    when: {status: purpose, equals: started}\n" + ADVICE,
        ["warning: tiny/rules_extra.yaml:3:11: rule 'x.sets' can never fire: the count of "
         "'platforms.channels' is 0 to 3, so 'gt: 3' never holds",
         "  hint: 'platforms.channels' has 3 values; change the test or add values",
         f"warning: tiny/rules_extra.yaml:6:11: {NEVER}no rule that can fire sets 'purpose' to a "
         "status that meets 'equals: started' (x.sets can never fire)",
         "  hint: add a rule that sets 'purpose' to such a status, or change the test"]),
    "stage no rule sets": (
        "stages:\n  - {id: beyond, label: Beyond}\n"
        "rules:\n  - id: x.never\n    when: {stage: current, equals: beyond}\n" + ADVICE,
        ["warning: tiny/rules_extra.yaml:2:5: stage 'beyond' can never be reached: no rule sets it",
         "  hint: add a rule with 'then: {stage: beyond}'",
         f"warning: tiny/rules_extra.yaml:5:11: {NEVER}no rule sets a stage that meets "
         "'equals: beyond'",
         "  hint: add a rule that sets such a stage, or change the test"]),
    "contradictory tests in one all": (
        "rules:\n  - id: x.never\n    when:\n      all:\n"
        "        - {fact: audience.personas, gte: 5}\n        - {fact: audience.personas, lt: 3}\n"
        + ADVICE,
        [f"warning: tiny/rules_extra.yaml:6:11: {NEVER}no answer to 'audience.personas' meets "
         "both 'gte: 5' and 'lt: 3'",
         "  hint: these tests in one 'all' contradict each other; change one of them"]),
    "count and contains in one all": (
        "rules:\n  - id: x.never\n    when:\n      all:\n"
        "        - {count: platforms.channels, lte: 1}\n"
        "        - {fact: platforms.channels, contains: linkedin}\n"
        "        - {fact: platforms.channels, contains: tiktok}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:7:11: {NEVER}no answer to 'platforms.channels' meets "
         "all of 'count lte: 1', 'contains: linkedin' and 'contains: tiktok'",
         "  hint: these tests in one 'all' contradict each other; change one of them"]),
    "unanswered and answered": (
        "rules:\n  - id: x.never\n    when:\n      all:\n"
        "        - {fact: purpose.goals_written, present: false}\n"
        "        - {fact: purpose.goals_written, equals: false}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:6:11: {NEVER}no answer to 'purpose.goals_written' "
         "meets both 'present: false' and 'equals: false'",
         "  hint: these tests in one 'all' contradict each other; change one of them"]),
    "no alternative can hold": (
        "rules:\n  - id: x.never\n    when:\n      any:\n"
        "        - {count: platforms.channels, gt: 3}\n"
        "        - {fact: audience.personas, lt: 0}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:5:11: {NEVER}none of the alternatives can hold: the "
         "count of 'platforms.channels' is 0 to 3, so 'gt: 3' never holds; 'audience.personas' "
         "is a whole number of at least 0, so 'lt: 0' never holds",
         "  hint: 'platforms.channels' has 3 values; change the test or add values"]),
    "disconnected without prerequisites": (
        "rules:\n  - id: x.never\n    when: {disconnected: purpose, equals: true}\n" + ADVICE,
        [f"warning: tiny/rules_extra.yaml:3:11: {NEVER}'purpose' builds on no element, so it is "
         "never disconnected",
         "  hint: an element is disconnected when it has started before what it builds on"]),
    "unreachable stage whose rules cannot fire": (
        "stages:\n  - {id: beyond, label: Beyond}\n"
        "rules:\n  - id: x.never\n    when: {count: platforms.channels, gt: 3}\n"
        "    then: {stage: beyond}\n",
        ["warning: tiny/rules_extra.yaml:2:5: stage 'beyond' can never be reached: every rule "
         "that sets it can never fire (x.never)",
         "  hint: see the warnings about those rules",
         f"warning: tiny/rules_extra.yaml:5:11: {NEVER}the count of 'platforms.channels' is 0 "
         "to 3, so 'gt: 3' never holds",
         "  hint: 'platforms.channels' has 3 values; change the test or add values"]),
    "unused fact": (
        "facts:\n  - {id: extra.unused, type: boolean}\n",
        ["warning: tiny/rules_extra.yaml:2:5: fact 'extra.unused' is used by no rule",
         "  hint: test it in a rule's 'when', or remove it"]),
    "element without status rules": (
        "elements:\n  - {id: extra_el, label: Extra}\n"
        "rules:\n  - id: x.never\n    when: {done: extra_el, equals: true}\n" + ADVICE,
        ["warning: tiny/rules_extra.yaml:2:5: no rule sets the status of element 'extra_el': "
         "it is always 'missing'",
         "  hint: add a rule with 'then: {status: {extra_el: defined}}'",
         f"warning: tiny/rules_extra.yaml:5:11: {NEVER}'extra_el' can never be done: no rule "
         "that can fire sets 'extra_el' to a done status",
         "  hint: add or fix the rules that set its status, and those of what it builds on"]),
    "element whose status rules cannot fire": (
        "elements:\n  - {id: extra_el, label: Extra}\n"
        "rules:\n  - id: x.sets\n    when: {count: platforms.channels, gt: 3}\n"
        "    then: {status: {extra_el: defined}}\n",
        ["warning: tiny/rules_extra.yaml:2:5: element 'extra_el' is always 'missing': every "
         "rule that sets its status can never fire (x.sets)",
         "  hint: see the warnings about those rules",
         "warning: tiny/rules_extra.yaml:5:11: rule 'x.sets' can never fire: the count of "
         "'platforms.channels' is 0 to 3, so 'gt: 3' never holds",
         "  hint: 'platforms.channels' has 3 values; change the test or add values"]),
}


@pytest.mark.parametrize("text, expected", WARNINGS.values(), ids=list(WARNINGS))
def test_warnings(here: Path, no_engine: None, text: str, expected: list[str]):
    tiny_with(here, text)
    assert "\n".join(check(here)).splitlines() == expected


def test_done_that_cannot_be_is_said_where_it_is_tested(here: Path):
    # The audience builds on purpose; when no rule that can fire makes purpose done, neither
    # can the audience be.
    tiny_with(here, "rules:\n  - id: x.never\n    when: {done: audience, equals: true}\n" + ADVICE)
    write_text(here / "tiny" / "zz_off.yaml", "remove: {rules: [purpose.defined]}\n")
    found = check(here)
    assert found[0] == (
        "warning: tiny/pack.yaml:7:5: no rule sets the status of element 'purpose': it is "
        "always 'missing'\n  hint: add a rule with 'then: {status: {purpose: defined}}'")
    assert (f"warning: tiny/rules_extra.yaml:3:11: {NEVER}'audience' can never be done: it "
            "builds on 'purpose', which can never be done\n"
            "  hint: add or fix the rules that set its status, and those of what it builds on"
            ) in found


POSSIBLE = """\
facts:
  - {id: extra.score, element: purpose, type: integer, min: 0, max: 5}
  - {id: extra.ratio, element: purpose, type: number, min: 0, max: 1}
rules:
  - {id: ok.not, when: {not: {fact: extra.score, gt: 10}}, then: {advice: [{id: a1, action: x}]}}
  - {id: ok.any, when: {any: [{fact: extra.score, gt: 10}, {fact: extra.score, equals: 5}]}, then: {advice: [{id: a2, action: x}]}}
  - {id: ok.edge, when: {all: [{fact: extra.score, gt: 4.5}, {fact: extra.score, lte: 5}]}, then: {advice: [{id: a3, action: x}]}}
  - {id: ok.real, when: {all: [{fact: extra.ratio, gt: 0.4}, {fact: extra.ratio, lt: 0.41}, {fact: extra.ratio, not_equals: 0.405}]}, then: {advice: [{id: a4, action: x}]}}
  - {id: ok.gap, when: {all: [{fact: extra.score, gte: 1}, {fact: extra.score, lte: 3}, {fact: extra.score, not_equals: 1}, {fact: extra.score, not_equals: 2}]}, then: {advice: [{id: a5, action: x}]}}
  - {id: ok.count, when: {all: [{count: platforms.channels, equals: 3}, {fact: platforms.channels, contains: tiktok}]}, then: {advice: [{id: a6, action: x}]}}
  - {id: ok.empty, when: {count: platforms.channels, lte: 0}, then: {advice: [{id: a7, action: x}]}}
  - {id: ok.absent, when: {fact: extra.ratio, present: false}, then: {advice: [{id: a8, action: x}]}}
  - {id: ok.oneof, when: {fact: extra.score, one_of: [9, 5]}, then: {advice: [{id: a9, action: x}]}}
  - {id: ok.notstatus, when: {not: {status: purpose, gte: defined}}, then: {advice: [{id: a10, action: x}]}}
  - {id: ok.stage, when: {all: [{stage: current, gte: strategised}, {stage: current, lt: engaging}]}, then: {advice: [{id: a11, action: x}]}}
  - {id: ok.disc, when: {disconnected: audience, equals: true}, then: {advice: [{id: a12, action: x}]}}
"""


def test_no_warning_for_rules_that_can_fire(here: Path):
    tiny_with(here, POSSIBLE)
    assert check(here) == []


def test_what_can_fire_is_what_fires(here: Path):
    """The analysis never calls possible what the engine shows happening: every rule that
    fires for some organisation was judged able to fire, every stage reached reachable."""
    tiny_with(here, POSSIBLE + WARNINGS["count and contains in one all"][0].split("rules:\n")[1])
    model = maturity.load_pack("tiny")
    reach = reachable(model)
    assert list(reach.impossible) == ["x.never"]
    answers = [
        {},
        {"extra.score": 5, "extra.ratio": 0.404,
         "platforms.channels": ["linkedin", "facebook", "tiktok"]},
        {"extra.score": 2, "purpose.goals_written": True, "audience.personas": 4,
         "platforms.measure": "hires", "platforms.channels": []},
        {"extra.score": 3, "purpose.goals_written": False, "audience.personas": 1,
         "platforms.channels": ["linkedin"], "platforms.measure": "reach"},
        {"purpose.goals_written": True, "audience.personas": 4, "platforms.channels": ["linkedin"]},
    ]
    fired = set()
    for facts in answers:
        a = maturity.assess(model, maturity.Organisation("x", facts))
        fired.update(a.fired)
        assert a.stage.rank in reach.stages
        assert all(e.status.rank in reach.statuses[e.element.id] for e in a.elements)
    assert not fired & set(reach.impossible)
    assert {r.id for r in model.rules if r.id.startswith("ok.")} <= fired


def test_errors_come_before_warnings(here: Path):
    tiny_with(here, """\
        facts:
          - {id: extra.unused, type: boolean}
        tests:
          - id: case.typo
            facts: {purpose.goals_writen: true}
            expect: {stage: strategised}
        """)
    assert check(here) == [
        "error: tiny/rules_extra.yaml:5:13: unknown fact 'purpose.goals_writen'\n"
        "  hint: did you mean 'purpose.goals_written'?",
        "warning: tiny/rules_extra.yaml:2:5: fact 'extra.unused' is used by no rule\n"
        "  hint: test it in a rule's 'when', or remove it",
    ]
    assert [p.severity for p in check_pack("tiny")] == ["error", "warning"]


def test_a_pack_file_given_alone(here: Path):
    write_text(here / "one.yaml", (Path(write_pack(here)) / "pack.yaml").read_text("utf-8")
               + "  - {id: x.never, when: {count: platforms.channels, gt: 3}, "
                 "then: {advice: [{id: x-advice, action: Do it}]}}\n")
    found = check(here, "one.yaml")
    line = len((here / "one.yaml").read_text("utf-8").splitlines())
    assert found == [f"warning: one.yaml:{line}:25: {NEVER}the count of 'platforms.channels' is "
                     "0 to 3, so 'gt: 3' never holds\n"
                     "  hint: 'platforms.channels' has 3 values; change the test or add values"]
    assert os.path.exists("tiny/pack.yaml")
