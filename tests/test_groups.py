"""Element groups: loading and checking them, group tests resolved between rounds (all done,
how many done, lowest status), and a graded model whose next dot and roadmap aim at what the
next stage needs until its top stage."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

import maturity
from maturity.recommend import remaining

LEVELS = {
    "pack": {"id": "levels", "label": "Levels"},
    "statuses": [{"id": "missing"}, {"id": "basic", "done": True}, {"id": "advanced", "done": True},
                 {"id": "expert", "done": True}],
    "groups": [{"id": "level1", "label": "Level 1"}, {"id": "level2", "label": "Level 2"},
               {"id": "ops", "label": "Operations", "within": "level2"}],
    "elements": [{"id": "a", "group": "level1"}, {"id": "b", "group": "level1"},
                 {"id": "c", "group": "level2"}, {"id": "d", "group": "ops"}],
    "edges": [{"from": "a", "to": "c"}],
    "stages": [{"id": "s0"}, {"id": "s1"}, {"id": "s2"}, {"id": "s3"}, {"id": "s4"}],
    "facts": [{"id": f"{e}.level", "element": e, "type": "integer", "min": 0, "max": 3} for e in "abcd"],
    "rules": [{"id": f"{e}.{s}", "when": {"fact": f"{e}.level", "gte": n},
               "then": {"status": {e: s}}}
              for e in "abcd" for n, s in enumerate(["basic", "advanced", "expert"], 1)] + [
        {"id": "stage.s1", "when": {"all_done": "level1", "equals": True}, "then": {"stage": "s1"}},
        {"id": "stage.s2", "when": {"all": [{"all_done": "level1", "equals": True},
                                            {"all_done": "level2", "equals": True}]},
         "then": {"stage": "s2"}},
        {"id": "stage.s3", "when": {"lowest_status": "level2", "gte": "advanced"}, "then": {"stage": "s3"}},
        {"id": "stage.s4", "when": {"all": [{"lowest_status": "level1", "gte": "expert"},
                                            {"lowest_status": "level2", "gte": "expert"}]},
         "then": {"stage": "s4"}},
        {"id": "two_of_level2", "when": {"done_count": "level2", "gte": 2},
         "then": {"findings": [{"id": "two", "severity": "info", "message": "two of level 2"}]}},
        {"id": "not_all_level1", "when": {"all_done": "level1", "equals": False},
         "then": {"findings": [{"id": "gap", "severity": "low", "message": "level 1 has gaps"}]}},
    ],
}


def load(tmp_path: Path, data: dict) -> maturity.Model:
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return maturity.load_pack(path)


def errors(tmp_path: Path, data: dict) -> list[str]:
    with pytest.raises(maturity.DataError) as info:
        load(tmp_path, data)
    return [p.format() for p in info.value.problems()]


@pytest.fixture
def levels(tmp_path: Path) -> maturity.Model:
    return load(tmp_path, LEVELS)


def assess(model: maturity.Model, levels: dict[str, int]) -> maturity.Assessment:
    return maturity.assess(model, maturity.Organisation("o", {f"{e}.level": n for e, n in levels.items()}))


# Loading ---------------------------------------------------------------------------------

def test_groups_and_members(levels: maturity.Model):
    assert [(g.id, g.label, g.within) for g in levels.groups] == [
        ("level1", "Level 1", None), ("level2", "Level 2", None), ("ops", "Operations", "level2")]
    assert levels.element_by_id["d"].group == "ops"
    # a sub-group's elements are also its parent's
    assert levels.members == {"level1": ["a", "b"], "level2": ["c", "d"], "ops": ["d"]}
    assert maturity.check_pack(levels.source) == []


def test_unknown_group_of_an_element(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    data = {**LEVELS, "elements": LEVELS["elements"] + [{"id": "e", "group": "level3"}]}
    assert errors(Path("."), data) == ["error: pack.yaml:30:3: unknown group 'level3'\n"
                                       "  hint: did you mean 'level2'?"]


def test_groups_nest_one_level_and_hold_elements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    data = {**LEVELS, "groups": LEVELS["groups"] + [{"id": "deep", "within": "ops"},
                                                    {"id": "empty"}]}
    found = errors(Path("."), data)
    assert found == ["error: pack.yaml:21:3: group 'ops' is itself within a group\n"
                     "  hint: groups nest one level deep: a dimension and its sub-dimensions",
                     "error: pack.yaml:22:3: group 'empty' has no elements\n"
                     "  hint: give elements 'group: empty', or remove the group"]


@pytest.mark.parametrize("test, message", [
    ({"all_done": "level9", "equals": True}, "unknown group 'level9'"),
    ({"all_done": "level1", "gte": 1}, "'all_done' is yes/no: use 'equals: true' or 'equals: false'"),
    ({"done_count": "level1", "gte": "two"}, "the number of done elements of 'level1' is a number; 'two' is not"),
    ({"lowest_status": "level1", "gte": "great"}, "unknown status 'great'"),
])
def test_group_tests_are_checked(tmp_path: Path, test: dict, message: str):
    rule = {"id": "bad", "when": test, "then": {"stage": "s1"}}
    [error] = errors(tmp_path, {**LEVELS, "rules": LEVELS["rules"] + [rule]})
    assert message in error


def test_a_rule_setting_a_status_cannot_test_a_group(tmp_path: Path):
    rule = {"id": "bad", "when": {"all_done": "level1", "equals": True}, "then": {"status": {"a": "basic"}}}
    [error] = errors(tmp_path, {**LEVELS, "rules": LEVELS["rules"] + [rule]})
    assert "rule 'bad' sets a status but tests" in error


# Group tests, resolved between rounds ----------------------------------------------------

def reference(levels: dict[str, int]) -> tuple[str, list[str]]:
    """The stage and the findings the LEVELS pack gives, worked out by hand from its rules."""
    status = {e: levels.get(e, 0) for e in "abcd"}
    done = {e: status[e] >= 1 for e in "abcd"}
    done["c"] = done["c"] and done["a"]  # c builds on a
    level1, level2 = ["a", "b"], ["c", "d"]
    stage = "s0"
    if all(done[e] for e in level1):
        stage = "s1"
        if all(done[e] for e in level2):
            stage = "s2"
    if min(status[e] for e in level2) >= 2:
        stage = max(stage, "s3")
    if min(status[e] for e in level1 + level2) >= 3:
        stage = "s4"
    findings = (["gap"] if not all(done[e] for e in level1) else []) + \
        (["two"] if sum(done[e] for e in level2) >= 2 else [])
    return stage, sorted(findings)


@pytest.mark.parametrize("answers", [dict(zip("abcd", values))
                                     for values in itertools.product([0, 1, 2, 3], [0, 1, 3], [0, 2, 3], [0, 1, 3])])
def test_group_tests_agree_with_a_hand_worked_reference(levels: maturity.Model, answers: dict):
    a = assess(levels, answers)
    assert (a.stage.id, sorted(f.finding.id for f in a.findings)) == reference(answers)


def test_an_element_of_a_sub_group_counts_for_its_parent(levels: maturity.Model):
    assert assess(levels, {"a": 1, "b": 1, "c": 1}).stage.id == "s1"  # d, in ops, is not done
    assert assess(levels, {"a": 1, "b": 1, "c": 1, "d": 1}).stage.id == "s2"


def test_a_large_group_is_one_value_for_the_engine(tmp_path: Path):
    data = {**LEVELS, "elements": [{"id": f"e{n}", "group": "level1" if n < 300 else "level2"}
                                   for n in range(400)] + [{"id": "ops_el", "group": "ops"}],
            "edges": [], "facts": [], "rules": [{"id": "stage.s1", "when": {"all_done": "level1", "equals": False},
                                                 "then": {"stage": "s1"}}]}
    compiled = maturity.assess.__globals__["compiled_for"](load(tmp_path, data))
    assert compiled.group_props == {"level1": ("ga0", "gc0", "gl0")}
    assert compiled.bucket_props == {(1, 0): ("ga0",)}


# What comes next in a graded model -------------------------------------------------------

def next_id(a: maturity.Assessment) -> str | None:
    step = maturity.next_dot(a)
    return step.result.element.id if step else None


def test_a_graded_model_has_a_next_step_until_its_top_stage(levels: maturity.Model):
    # Every element basic: everything is done, yet the stage is s2 of s4. The next stage (s3)
    # needs level 2 advanced, so the next dot is c, then the rest; at the top, nothing is left.
    a = assess(levels, {"a": 1, "b": 1, "c": 1, "d": 1})
    assert (a.stage.id, all(e.done for e in a.elements)) == ("s2", True)
    assert next_id(a) == "c"
    step = maturity.next_dot(a)
    assert step.reasons[0] == "c is basic; a stage above needs it advanced"
    assert step.needs == ({"fact": "c.level", "question": "c.level", "test": "gte", "expected": 2,
                           "actual": 1, "met": False},)
    assert remaining(a) == ["a", "b", "c", "d"]  # s4 needs every element expert
    assert [[s.result.element.id for s in phase] for phase in maturity.roadmap(a)] == [["a", "b", "d"], ["c"]]
    a = assess(levels, {"a": 1, "b": 1, "c": 2, "d": 2})
    assert (a.stage.id, next_id(a)) == ("s3", "a")  # s4 needs everything expert: a first
    a = assess(levels, {"a": 3, "b": 3, "c": 3, "d": 3})
    assert (a.stage.id, next_id(a), maturity.roadmap(a)) == ("s4", None, [])


def test_the_next_stage_comes_first_among_dots_that_could_come_next(levels: maturity.Model):
    # Nothing done: a, b and d could all come next; s1 needs level 1, so a comes first; with
    # level 1 done, s2 needs c and d: c waits for nothing now, and comes before d by model order.
    assert next_id(assess(levels, {})) == "a"
    assert next_id(assess(levels, {"b": 1})) == "a"
    assert next_id(assess(levels, {"a": 1, "b": 1})) == "c"
    assert next_id(assess(levels, {"a": 1, "b": 1, "c": 1})) == "d"


# The text report of a model with groups ----------------------------------------------------

def test_the_text_report_lists_elements_under_their_groups_and_coverage_by_group(tmp_path: Path):
    data = dict(LEVELS, elements=LEVELS["elements"] + [{"id": "e"}])  # one element in no group
    data["facts"] = LEVELS["facts"] + [{"id": "e.level", "element": "e", "type": "integer", "min": 0, "max": 3}]
    model = load(tmp_path, data)
    a = maturity.assess(model, maturity.Organisation("o", {"a.level": 1, "b.level": 0, "d.level": 2}))
    text = maturity.report.assessment_text(a)
    assert "Coverage: 3 of 5 questions answered (Level 1 2/2, Level 2 1/2, e 0/1)" in text
    elements = text.split("\nElements\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[0] if line.startswith("    ") else line.strip() for line in elements] == [
        "Level 1 (1 of 2 done)", "a", "b", "Level 2 (1 of 2 done)", "c", "d", "Other", "e"]


def test_the_text_report_of_a_model_without_groups_lists_every_element(tmp_path: Path):
    data = {k: v for k, v in LEVELS.items() if k != "groups"}
    data["elements"] = [{"id": e["id"]} for e in LEVELS["elements"]]
    data["rules"] = [r for r in LEVELS["rules"] if "status" in r["then"]]
    model = load(tmp_path, data)
    a = maturity.assess(model, maturity.Organisation("o", {"a.level": 1}))
    text = maturity.report.assessment_text(a)
    assert "(a 1/1, b 0/1, c 0/1, d 0/1)" in text
    assert "\nElements\n  a  " in text
