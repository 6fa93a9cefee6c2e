"""maturity.load_pack: every problem in a pack is reported with its file, line, column and a
hint, all of them in one run; and layering (a pack that extends another) merges, overrides,
positions and removes items as documented in maturity/pack.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import maturity
from conftest import TINY_PACK_TEXT, write_pack, write_text
from maturity.model import Any_, All, Loc, Not
from maturity.model import Test as Check


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in the test's folder, so that files are named relative to it in messages."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# Line 19 is 'rules:', so the first rule is on line 20, its 'when' on 21 and 'then' on 22.
BASE = """\
pack: {id: p, label: P}
statuses:
  - {id: missing}
  - {id: started}
  - {id: defined, done: true}
elements:
  - {id: purpose}
  - {id: audience}
edges:
  - {from: purpose, to: audience}
stages:
  - {id: just_do_it}
  - {id: strategised}
facts:
  - {id: purpose.goals, element: purpose, type: boolean}
  - {id: audience.personas, element: audience, type: integer, min: 0}
  - {id: audience.channels, element: audience, type: choices, values: [linkedin, tiktok]}
  - {id: audience.measure, element: audience, type: choice, values: [none, reach]}
rules:
"""


def load_error(text: str, folder: str = "p") -> str:
    """The message load_pack gives for a pack whose one file is `text`."""
    write_text(Path(folder) / "pack.yaml", text)
    with pytest.raises(maturity.DataError) as info:
        maturity.load_pack(folder)
    return info.value.format()


def rule_error(when: str, then: str) -> str:
    """The message for BASE with one rule (`when` and `then` in flow YAML)."""
    return load_error(BASE + f"  - id: r\n    when: {when}\n    then: {then}\n")


def test_base_loads_with_one_valid_rule():
    write_text(Path("p/pack.yaml"), BASE + "  - id: r\n    when: {fact: purpose.goals, equals: true}\n"
                                           "    then: {status: {purpose: defined}}\n")
    model = maturity.load_pack("p")
    assert [r.id for r in model.rules] == ["r"]
    assert model.rules[0].when == Check("fact", "purpose.goals", "equals", True, model.rules[0].when.loc)
    assert (model.rules[0].when.loc.line, model.rules[0].when.loc.column) == (21, 11)


# Unknown ids -----------------------------------------------------------------------------

def test_unknown_fact_in_a_rule_with_did_you_mean():
    assert rule_error("{fact: purpose.goal, equals: true}", "{status: {purpose: defined}}") == (
        "error: p/pack.yaml:21:18: unknown fact 'purpose.goal'\n  hint: did you mean 'purpose.goals'?")


def test_unknown_fact_in_count_and_deep_inside_not_and_any():
    assert rule_error("{not: {any: [{fact: purpose.goals, equals: true}, {count: audience.chanels, gt: 1}]}}",
                      "{status: {purpose: defined}}") == (
        "error: p/pack.yaml:21:69: unknown fact 'audience.chanels'\n"
        "  hint: did you mean 'audience.channels'?")


def test_unknown_element_in_a_status_conclusion():
    assert rule_error("{fact: purpose.goals, equals: true}", "{status: {purpos: defined}}") == (
        "error: p/pack.yaml:22:21: unknown element 'purpos'\n  hint: did you mean 'purpose'?")


def test_unknown_status_in_a_status_conclusion():
    assert rule_error("{fact: purpose.goals, equals: true}", "{status: {purpose: defind}}") == (
        "error: p/pack.yaml:22:30: unknown status 'defind'\n  hint: did you mean 'defined'?")


def test_unknown_stage_in_a_stage_conclusion():
    assert rule_error("{done: purpose, equals: true}", "{stage: strategisd}") == (
        "error: p/pack.yaml:22:19: unknown stage 'strategisd'\n  hint: did you mean 'strategised'?")


def test_unknown_element_in_finding_and_advice():
    assert rule_error("{fact: purpose.goals, equals: true}",
                      "{findings: [{id: f, severity: low, element: purpos, message: m}], "
                      "advice: [{id: a, element: audince, action: x}]}") == (
        "error: p/pack.yaml:22:55: unknown element 'purpos'\n  hint: did you mean 'purpose'?\n"
        "error: p/pack.yaml:22:103: unknown element 'audince'\n  hint: did you mean 'audience'?")


def test_unknown_element_in_done_status_and_disconnected_tests():
    assert rule_error("{done: purpos, equals: true}", "{stage: strategised}") == (
        "error: p/pack.yaml:21:18: unknown element 'purpos'\n  hint: did you mean 'purpose'?")
    assert rule_error("{status: audiense, gte: started}", "{stage: strategised}") == (
        "error: p/pack.yaml:21:20: unknown element 'audiense'\n  hint: did you mean 'audience'?")
    assert rule_error("{disconnected: audiences, equals: true}", "{stage: strategised}") == (
        "error: p/pack.yaml:21:26: unknown element 'audiences'\n  hint: did you mean 'audience'?")


def test_unknown_status_in_a_status_test():
    assert rule_error("{status: purpose, gte: definde}", "{stage: strategised}") == (
        "error: p/pack.yaml:21:34: unknown status 'definde'\n  hint: did you mean 'defined'?")


def test_unknown_stage_in_a_stage_test():
    assert rule_error("{stage: current, gte: strategisd}", "{advice: [{id: a, action: x}]}") == (
        "error: p/pack.yaml:21:33: unknown stage 'strategisd'\n  hint: did you mean 'strategised'?")


# Operators and values that do not fit the fact ------------------------------------------

@pytest.mark.parametrize("when, message", [
    ("{count: audience.personas, gte: 1}",
     "21:19: 'count' needs a choices fact; 'audience.personas' is integer\n"
     "  hint: use 'fact:' to compare its value"),
    ("{count: purpose.goals, gte: 1}",
     "21:19: 'count' needs a choices fact; 'purpose.goals' is boolean\n"
     "  hint: use 'fact:' to compare its value"),
    ("{fact: purpose.goals, contains: true}",
     "21:43: 'contains' needs a choices fact; 'purpose.goals' is boolean\n  hint: use 'equals'"),
    ("{fact: audience.measure, lt: reach}",
     "21:40: 'lt' does not apply to the choice fact 'audience.measure'\n"
     "  hint: use 'equals' or 'one_of'"),
    ("{fact: purpose.goals, gte: 1}",
     "21:38: 'gte' does not apply to the yes/no fact 'purpose.goals'\n  hint: use 'equals: true'"),
    ("{fact: audience.channels, equals: tiktok}",
     "21:45: 'equals' does not apply to the choices fact 'audience.channels'\n"
     "  hint: use 'contains' for one value, or 'count' for how many"),
    ("{fact: audience.personas, contains: 1}",
     "21:47: 'contains' needs a choices fact; 'audience.personas' is integer\n  hint: use 'equals'"),
    ("{count: audience.channels, present: true}",
     "21:47: 'present' does not apply to count of 'audience.channels'\n"
     "  hint: compare it with a number"),
    ("{done: purpose, gte: 1}",
     "21:32: 'done' is yes/no: use 'equals: true' or 'equals: false'"),
    ("{status: purpose, contains: defined}",
     "21:39: 'contains' does not apply to a status\n"
     "  hint: use equals, lt, lte, gt, gte or one_of"),
])
def test_operator_that_does_not_apply_to_the_subject(when: str, message: str):
    then = "{stage: strategised}" if "done" in when or "status:" in when else "{status: {purpose: defined}}"
    assert rule_error(when, then) == f"error: p/pack.yaml:{message}"


@pytest.mark.parametrize("when, message", [
    ("{fact: audience.measure, equals: hire}",
     "21:44: 'hire' is not an allowed value of 'audience.measure'\n  hint: allowed: none, reach"),
    ("{fact: audience.measure, one_of: [none, rech]}",
     "21:44: 'rech' is not an allowed value of 'audience.measure'\n  hint: did you mean 'reach'?"),
    ("{fact: audience.channels, contains: facebook}",
     "21:47: 'facebook' is not an allowed value of 'audience.channels'\n"
     "  hint: allowed: linkedin, tiktok"),
    ("{fact: purpose.goals, equals: 'yes'}",
     "21:41: 'purpose.goals' is yes/no; compare it with true or false, not 'yes'"),
    ("{fact: audience.personas, gte: 'three'}",
     "21:42: 'audience.personas' is a number; 'three' is not\n  hint: write a number without quotes"),
    ("{count: audience.channels, gte: 1.5}",
     "21:43: count of 'audience.channels' is a number; 1.5 is not\n  hint: write a number without quotes"),
])
def test_value_outside_what_the_fact_allows(when: str, message: str):
    assert rule_error(when, "{status: {purpose: defined}}") == f"error: p/pack.yaml:{message}"


# Duplicates, graph problems, statuses ----------------------------------------------------

def test_duplicate_rule_id_in_one_file():
    assert load_error(BASE + "  - id: r\n    when: {fact: purpose.goals, equals: true}\n"
                             "    then: {status: {purpose: defined}}\n"
                             "  - id: r\n    when: {fact: purpose.goals, equals: false}\n"
                             "    then: {status: {purpose: started}}\n") == (
        "error: p/pack.yaml:23:5: duplicate rule id 'r'\n  hint: first defined at p/pack.yaml:20")


def test_duplicate_ids_of_statuses_elements_and_facts():
    assert load_error("""\
        pack: {id: p, label: P}
        statuses: [{id: a}, {id: b, done: true}, {id: a}]
        elements: [{id: e}, {id: e}]
        stages: [{id: s}]
        facts: [{id: e.x, type: boolean}, {id: e.x, type: integer}]
        """) == (
        "error: p/pack.yaml:2:43: duplicate status id 'a'\n  hint: first defined at p/pack.yaml:2\n"
        "error: p/pack.yaml:3:22: duplicate element id 'e'\n  hint: first defined at p/pack.yaml:3\n"
        "error: p/pack.yaml:5:36: duplicate fact id 'e.x'\n  hint: first defined at p/pack.yaml:5")


def test_duplicate_rule_id_across_the_files_of_a_pack():
    write_text(Path("p/pack.yaml"), BASE + "  - id: r\n    when: {fact: purpose.goals, equals: true}\n"
                                           "    then: {status: {purpose: defined}}\n")
    write_text(Path("p/rules.yaml"), "rules:\n  - id: r\n    when: {fact: purpose.goals, equals: false}\n"
                                     "    then: {status: {purpose: started}}\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_pack("p")
    assert info.value.format() == ("error: p/rules.yaml:2:5: duplicate rule id 'r'\n"
                                   "  hint: first defined at p/pack.yaml:20")


def test_duplicate_finding_id_in_two_rules():
    assert load_error(BASE + "  - id: r\n    when: {fact: purpose.goals, equals: true}\n"
                             "    then: {findings: [{id: f, severity: low, message: m}]}\n"
                             "  - id: r2\n    when: {fact: purpose.goals, equals: false}\n"
                             "    then: {findings: [{id: f, severity: low, message: m}]}\n") == (
        "error: p/pack.yaml:25:28: duplicate finding id 'f'\n  hint: also given by rule 'r'")


def test_dangling_and_self_edges():
    text = TINY_PACK_TEXT.replace("  - {from: audience, to: platforms}\n",
                                  "  - {from: audience, to: platform}\n  - {from: purpose, to: purpose}\n")
    assert load_error(text) == (
        "error: p/pack.yaml:12:22: edge names unknown element 'platform'\n"
        "  hint: did you mean 'platforms'?\n"
        "error: p/pack.yaml:13:5: element 'purpose' cannot depend on itself")


def test_duplicate_edge():
    text = TINY_PACK_TEXT.replace("  - {from: audience, to: platforms}\n",
                                  "  - {from: audience, to: platforms}\n  - {from: purpose, to: audience}\n")
    assert load_error(text) == ("error: p/pack.yaml:13:5: duplicate edge purpose -> audience\n"
                                "  hint: already defined at p/pack.yaml:11")


def test_cycle_is_named_from_the_edge_that_closed_it():
    text = TINY_PACK_TEXT.replace("  - {from: audience, to: platforms}\n",
                                  "  - {from: audience, to: platforms}\n  - {from: platforms, to: purpose}\n")
    assert load_error(text) == (
        "error: p/pack.yaml:13:5: dependency cycle: platforms -> purpose -> audience -> platforms\n"
        "  hint: the elements must form an order; remove or turn round one edge")


def test_elements_caught_in_several_cycles_are_one_problem_naming_the_shortest():
    text = TINY_PACK_TEXT.replace(
        "  - {from: audience, to: platforms}\n",
        "  - {from: audience, to: platforms}\n  - {from: platforms, to: purpose}\n"
        "  - {from: platforms, to: audience}\n")
    assert load_error(text) == (
        "error: p/pack.yaml:14:5: dependency cycle: platforms -> audience -> platforms "
        "(and other cycles through these elements)\n"
        "  hint: the elements must form an order; remove or turn round one edge")


def test_of_cycles_alike_the_same_is_named_whatever_the_hash_seed(tmp_path):
    # Engagement -> Purpose closes two cycles of four (through Audience or through Brand): which
    # one was named changed from run to run.
    import os
    import subprocess
    import sys
    write_text(tmp_path / "p" / "pack.yaml", "pack: {id: p, label: P, extends: default}\n"
                                             "edges:\n  - {from: engagement, to: purpose}\n")
    said = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        result = subprocess.run([sys.executable, "-m", "maturity", "rules", "check", "p"], cwd=tmp_path,
                                env={**os.environ, "PYTHONHASHSEED": seed, "DOTS_PACK_CACHE": "off"},
                                capture_output=True, text=True, timeout=120)
        said.add(result.stdout.splitlines()[0])
    assert said == {"error: p/pack.yaml:3:5: dependency cycle: engagement -> purpose -> audience -> "
                    "content -> engagement (and other cycles through these elements)"}


def test_statuses_without_done():
    assert load_error("pack: {id: p, label: P}\nstatuses: [{id: a}, {id: b}]\n"
                      "elements: [{id: e}]\nstages: [{id: s}]\n") == (
        "error: p/pack.yaml:1:7: no status is marked 'done: true'\n"
        "  hint: mark the levels at which an element counts as connected")


def test_done_statuses_must_be_the_highest():
    assert load_error("pack: {id: p, label: P}\nstatuses: [{id: a}, {id: b, done: true}, {id: c}]\n"
                      "elements: [{id: e}]\nstages: [{id: s}]\n") == (
        "error: p/pack.yaml:2:42: status 'c' is above a done status but not done\n"
        "  hint: done statuses must be the highest ones; add 'done: true'")


def test_the_lowest_status_cannot_be_done():
    assert load_error("pack: {id: p, label: P}\nstatuses: [{id: a, done: true}, {id: b, done: true}]\n"
                      "elements: [{id: e}]\nstages: [{id: s}]\n") == (
        "error: p/pack.yaml:2:12: the lowest status 'a' cannot be done\n"
        "  hint: it is what an element has when no rule sets one")


def test_empty_model_lists():
    assert load_error("pack: {id: p, label: P}\nstatuses: [{id: a, done: true}]\n") == (
        "error: p/pack.yaml:1:7: a pack needs at least one element\n  hint: add an 'elements:' list\n"
        "error: p/pack.yaml:1:7: a pack needs at least one stage\n  hint: add a 'stages:' list\n"
        "error: p/pack.yaml:1:7: a pack needs at least two statuses (such as missing and done)\n"
        "  hint: add a 'statuses:' list, lowest first")


def test_fact_definition_problems():
    assert load_error("""\
        pack: {id: p, label: P}
        statuses: [{id: a}, {id: b, done: true}]
        elements: [{id: e}]
        stages: [{id: s}]
        facts:
          - {id: e.a, element: f, type: boolean}
          - {id: e.b}
          - {id: e.c, type: choice}
          - {id: e.d, type: boolean, values: [x]}
          - {id: e.e, type: choices, values: [x, x]}
          - {id: e.f, type: choice, values: [x], min: 1}
          - {id: e.g, type: integer, min: 5, max: 1}
        """) == (
        "error: p/pack.yaml:6:15: fact names unknown element 'f'\n"
        "error: p/pack.yaml:7:5: fact 'e.b' has no type\n"
        "  hint: add 'type:' (boolean, integer, number, choice, choices)\n"
        "error: p/pack.yaml:8:5: a 'choice' fact needs 'values'\n  hint: list the allowed answers\n"
        "error: p/pack.yaml:9:30: 'values' is only for choice and choices facts, not 'boolean'\n"
        "error: p/pack.yaml:10:30: 'values' lists a value twice\n"
        "error: p/pack.yaml:11:42: 'min' and 'max' are only for number facts, not 'choice'\n"
        "error: p/pack.yaml:12:30: 'min' is greater than 'max'")


def test_rule_without_when():
    assert load_error(BASE + "  - id: r\n    then: {stage: strategised}\n") == (
        "error: p/pack.yaml:20:5: rule 'r' has no 'when'\n"
        "  hint: a rule needs 'when' (conditions) and 'then' (conclusions)")


# Strata ----------------------------------------------------------------------------------

@pytest.mark.parametrize("when", ["{done: purpose, equals: true}", "{status: purpose, gte: started}",
                                  "{disconnected: audience, equals: false}",
                                  "{all: [{fact: purpose.goals, equals: true}, {stage: current, gte: just_do_it}]}"])
def test_a_status_rule_may_test_only_facts_and_counts(when: str):
    assert rule_error(when, "{status: {audience: started}}") == (
        "error: p/pack.yaml:22:5: rule 'r' sets a status but tests status, done, disconnected or stage\n"
        "  hint: a rule that sets a status may test only facts and counts; split it in two rules")


def test_a_stage_rule_may_not_test_the_stage():
    assert rule_error("{not: {stage: current, lt: strategised}}", "{stage: strategised}") == (
        "error: p/pack.yaml:22:5: rule 'r' sets the stage but tests the stage\n"
        "  hint: a stage rule may test facts, counts, status, done and disconnected")


def test_rounds_follow_what_a_rule_tests():
    write_pack(Path("."))
    model = maturity.load_pack("tiny")
    rounds = {r.id: r.stratum for r in model.rules}
    assert rounds == {"purpose.defined": 0, "audience.started": 0, "audience.defined": 0,
                      "platforms.started": 0, "platforms.defined": 0, "stage.strat": 1,
                      "stage.eng": 1, "find.disc": 1, "advice.purpose": 0, "advice.late": 2}


# Several problems ------------------------------------------------------------------------

def test_every_problem_of_a_file_is_reported_in_one_run_in_file_order():
    assert load_error(BASE + "  - id: r\n    when: {fact: purpose.goal, equals: true}\n"
                             "    then: {status: {purpos: defined}}\n"
                             "  - id: r2\n    when: {count: audience.personas, gte: 1}\n"
                             "    then: {stage: strategisd}\n"
                             "  - id: r3\n    when: {done: purpose, equals: true}\n"
                             "    then: {status: {audience: started}}\n") == (
        "error: p/pack.yaml:21:18: unknown fact 'purpose.goal'\n  hint: did you mean 'purpose.goals'?\n"
        "error: p/pack.yaml:22:21: unknown element 'purpos'\n  hint: did you mean 'purpose'?\n"
        "error: p/pack.yaml:24:19: 'count' needs a choices fact; 'audience.personas' is integer\n"
        "  hint: use 'fact:' to compare its value\n"
        "error: p/pack.yaml:25:19: unknown stage 'strategisd'\n  hint: did you mean 'strategised'?\n"
        "error: p/pack.yaml:28:5: rule 'r3' sets a status but tests status, done, disconnected or stage\n"
        "  hint: a rule that sets a status may test only facts and counts; split it in two rules")


def test_problems_in_several_files_are_reported_together():
    write_text(Path("p/pack.yaml"), "pack: {id: p, label: P}\nstatuses: [{id: a}, {id: b, done: true}]\n"
                                    "elements: [{id: e}]\nstages: [{id: s}]\n")
    write_text(Path("p/a.yaml"), "facts:\n  - {id: e.x, type: bool}\n")
    write_text(Path("p/b.yaml"), "rules: [1\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_pack("p")
    assert info.value.format() == (
        "error: p/a.yaml:2:21: 'bool' is not allowed here\n  hint: did you mean 'boolean'?\n"
        "error: p/b.yaml:1:8: YAML syntax error: this bracket is never closed\n  hint: close the bracket")


# Finding the pack ------------------------------------------------------------------------

def test_pack_problems_before_any_rule():
    write_text(Path("nomanifest/a.yaml"), "elements: [{id: e}]\n")
    Path("nofiles").mkdir()
    write_text(Path("two/pack.yaml"), TINY_PACK_TEXT)
    write_text(Path("two/more.yaml"), "pack: {id: again, label: Again}\n")
    messages = {}
    for name in ("nomanifest", "nofiles", "two", "nonesuch", "defualt"):
        with pytest.raises(maturity.DataError) as info:
            maturity.load_pack(name)
        messages[name] = info.value.format()
    assert messages == {
        # the folder holds a.yaml only: named as the folder, not as a pack.yaml it lacks
        "nomanifest": "error: nomanifest: the pack has no 'pack:' section\n"
                      "  hint: add 'pack: {id: my_pack, label: My pack}' to one file (pack.yaml, by convention)",
        "nofiles": "error: nofiles: no .yaml files in this folder\n"
                   "  hint: a rule pack is a folder of YAML files, or one YAML file",
        "two": "error: two/pack.yaml:1:7: a second 'pack:' section\n"
               "  hint: the pack is already named in two/more.yaml",
        "nonesuch": "error: nonesuch: no such rule pack\n  hint: give a pack folder or file, or a "
                    f"built-in pack: {', '.join(maturity.builtin_packs())}",
        "defualt": "error: defualt: no such rule pack\n  hint: did you mean 'default'?",
    }


def test_a_single_file_is_a_pack():
    write_text(Path("one.yaml"), TINY_PACK_TEXT)
    model = maturity.load_pack("one.yaml")
    assert (model.id, len(model.rules), model.files) == ("tiny", 10, ["one.yaml"])


# Layering --------------------------------------------------------------------------------

@pytest.fixture
def base() -> Path:
    """The tiny pack as a base, in ./base; extending packs live beside it."""
    return write_pack(Path("."), dirname="base")


HEAD = "pack: {id: ext, label: Extended, extends: ../base}\n"


def load_ext(body: str, head: str = HEAD) -> maturity.Model:
    """Load ./ext, a pack of one file: `head` (its pack: line) and `body` (dedented)."""
    write_text(Path("ext/pack.yaml"), head + textwrap.dedent(body))
    return maturity.load_pack("ext")


def test_extending_adds_new_items_after_the_base_ones(base: Path):
    model = load_ext("""\
        elements:
          - {id: careers, label: Careers}
        edges:
          - {from: platforms, to: careers}
        facts:
          - {id: careers.site, element: careers, type: boolean}
        rules:
          - id: careers.defined
            when: {fact: careers.site, equals: true}
            then: {status: {careers: defined}}
        """)
    assert (model.id, model.label) == ("ext", "Extended")
    assert [e.id for e in model.elements] == ["purpose", "audience", "platforms", "careers"]
    assert [(e.source, e.target) for e in model.edges][-1] == ("platforms", "careers")
    assert [r.id for r in model.rules][-1] == "careers.defined" and len(model.rules) == 11
    assert model.files == ["base/pack.yaml", "ext/pack.yaml"]
    assert model.prerequisites("careers") == ["platforms"]


def test_override_replaces_only_the_fields_given(base: Path):
    model = load_ext("""\
        elements:
          - {id: audience, label: Target audience, override: true}
        rules:
          - id: audience.started
            override: true
            when: {fact: audience.personas, gte: 2}
        """)
    rule = model.rule_by_id["audience.started"]
    assert rule.when == Check("fact", "audience.personas", "gte", 2, rule.when.loc)
    assert rule.when.loc == Loc("ext/pack.yaml", 7, 11)
    assert (rule.because, rule.status) == ("some personas", (("audience", "started"),))
    audience = model.element_by_id["audience"]
    assert (audience.label, audience.index) == ("Target audience", 1)
    assert [r.id for r in model.rules].index("audience.started") == 1  # keeps its place


def test_override_of_an_unknown_id_has_did_you_mean(base: Path):
    with pytest.raises(maturity.DataError) as info:
        load_ext("rules:\n  - id: purpose.defind\n    override: true\n    because: x\n")
    assert info.value.format() == ("error: ext/pack.yaml:3:5: override of unknown rule 'purpose.defind'\n"
                                   "  hint: did you mean 'purpose.defined'?")


def test_override_in_a_pack_that_extends_nothing():
    assert load_error("pack: {id: p, label: P}\nstatuses: [{id: a}, {id: b, done: true}]\n"
                      "elements: [{id: e, override: true}]\nstages: [{id: s}]\n") == (
        "error: p/pack.yaml:3:13: override of unknown element 'e'\n"
        "  hint: there is nothing to override: this pack extends no pack")


def test_same_id_as_the_base_without_override_is_a_duplicate(base: Path):
    with pytest.raises(maturity.DataError) as info:
        load_ext("rules:\n  - id: audience.started\n    when: {fact: audience.personas, gte: 2}\n"
                        "    then: {status: {audience: started}}\n")
    assert info.value.format() == (
        "error: ext/pack.yaml:3:5: duplicate rule id 'audience.started'\n"
        "  hint: already defined at base/pack.yaml:27; add 'override: true' to change it")


def test_after_puts_a_new_item_right_after_the_named_one(base: Path):
    model = load_ext("elements:\n  - {id: careers, after: purpose}\n  - {id: brand, after: careers}\n"
                            "stages:\n  - {id: aware, after: just_do_it}\n")
    assert [e.id for e in model.elements] == ["purpose", "careers", "brand", "audience", "platforms"]
    assert [e.index for e in model.elements] == [0, 1, 2, 3, 4]
    assert [s.id for s in model.stages] == ["just_do_it", "aware", "strategised", "engaging"]


def test_after_naming_an_unknown_item(base: Path):
    with pytest.raises(maturity.DataError) as info:
        load_ext("elements:\n  - {id: careers, after: purpos}\n")
    assert info.value.format() == ("error: ext/pack.yaml:3:19: 'after' names unknown element 'purpos'\n"
                                   "  hint: did you mean 'purpose'?")


def test_remove_rules_and_edges(base: Path):
    model = load_ext("remove:\n  rules: [advice.late, find.disc]\n"
                            "  edges: [{from: audience, to: platforms}]\n")
    assert "advice.late" not in model.rule_by_id and "find.disc" not in model.rule_by_id
    assert len(model.rules) == 8
    assert [(e.source, e.target) for e in model.edges] == [("purpose", "audience")]
    assert model.prerequisites("platforms") == []


def test_remove_an_element_takes_its_edges_too(base: Path):
    model = load_ext("""\
        remove:
          elements: [audience]
          facts: [audience.personas]
          rules: [audience.started, audience.defined, stage.strat]
        """)
    assert [e.id for e in model.elements] == ["purpose", "platforms"]
    assert model.edges == []


def test_remove_what_is_not_there(base: Path):
    with pytest.raises(maturity.DataError) as info:
        load_ext("remove:\n  rules: [advice.lat]\n  edges: [{from: purpose, to: platforms}]\n")
    assert info.value.format() == (
        "error: ext/pack.yaml:3:11: cannot remove rule 'advice.lat': no such id\n"
        "  hint: did you mean 'advice.late'?\n"
        "error: ext/pack.yaml:4:11: cannot remove edge purpose -> platforms: no such edge")


def test_enabled_false_switches_a_base_rule_off(base: Path):
    model = load_ext("rules:\n  - {id: advice.late, override: true, enabled: false}\n")
    assert "advice.late" not in model.rule_by_id
    assert len(model.rules) == 9


def test_a_rule_disabled_in_its_own_pack_is_still_checked():
    assert rule_error("{fact: purpose.goal, equals: true}", "{status: {purpose: defined}}\n"
                      "    enabled: false") == (
        "error: p/pack.yaml:21:18: unknown fact 'purpose.goal'\n  hint: did you mean 'purpose.goals'?")


def test_extends_an_unknown_pack():
    assert load_error("pack: {id: ext, label: Ext, extends: defualt}\n") == (
        "error: p/pack.yaml:1:29: extends unknown pack 'defualt'\n  hint: did you mean 'default'?")


def test_a_pack_that_extends_itself():
    assert load_error("pack: {id: ext, label: Ext, extends: ../p}\n") == (
        "error: p/pack.yaml:1:29: pack extends itself through '../p'\n"
        "  hint: remove the loop in 'extends'")


def test_problems_in_the_base_are_reported_in_the_base_file(base: Path):
    (base / "pack.yaml").write_text(TINY_PACK_TEXT.replace("{fact: purpose.goals_written, equals: true}",
                                                           "{fact: purpose.goals_writen, equals: true}"))
    with pytest.raises(maturity.DataError) as info:
        load_ext("")
    assert info.value.format() == ("error: base/pack.yaml:25:18: unknown fact 'purpose.goals_writen'\n"
                                   "  hint: did you mean 'purpose.goals_written'?")


def test_extends_the_builtin_default_pack():
    default = maturity.load_pack("default")
    first_fact, first_element = default.facts[0], default.elements[0]
    top = default.statuses[-1].id
    model = load_ext(head="pack: {id: ext, label: Ext, extends: default}\n", body=f"""\
        elements:
          - {{id: careers_site, label: Careers site, after: {first_element.id}}}
        rules:
          - id: careers_site.defined
            when: {{fact: {first_fact.id}, present: true}}
            then: {{status: {{careers_site: {top}}}}}
        """)
    assert [e.id for e in model.elements] == [default.elements[0].id, "careers_site"] + \
        [e.id for e in default.elements[1:]]
    assert len(model.rules) == len(default.rules) + 1
    assert model.files[-1] == "ext/pack.yaml" and model.files[:-1] == default.files


def test_condition_tree_is_built_as_written():
    write_pack(Path("."))
    when = maturity.load_pack("tiny").rule_by_id["audience.defined"].when
    assert isinstance(when, All) and len(when.items) == 2
    first, second = when.items
    assert (first.subject, first.ref, first.op, first.value) == ("fact", "audience.personas", "gte", 3)
    assert isinstance(second, Any_) and isinstance(second.items[0], Not)
    negated = second.items[0].item
    assert (negated.ref, negated.op, negated.value) == ("platforms.measure", "equals", "none")
    assert (second.items[1].op, second.items[1].value) == ("present", False)
