"""maturity.schema.validate: every violation of the shipped JSON Schemas becomes one located
problem with a message a consultant can act on (did you mean, allowed values, what is missing)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import maturity
from maturity import schema, yamlio
from maturity.errors import DataError


def problems(text: str, kind: str = "pack") -> list[str]:
    """The schema problems of `text`, as the user sees them: in file order."""
    doc = yamlio.load("x.yaml", text=textwrap.dedent(text), name="x.yaml")
    found = schema.validate(doc, kind)
    return [p.format() for p in DataError(found).problems()] if found else []


def rule(when: str) -> str:
    """A pack file with one rule whose condition is `when` (flow YAML) on line 3."""
    return f"rules:\n  - id: r\n    when: {when}\n    then: {{stage: s}}\n"


def test_a_valid_file_has_no_problems():
    assert problems(textwrap.dedent("""\
        pack: {id: p, label: P, version: "1"}
        statuses: [{id: missing}, {id: done, done: true, color: "#00aa00"}]
        elements: [{id: a, label: A}]
        stages: [{id: s}]
        facts: [{id: a.x, element: a, type: boolean}]
        """) + rule("{all: [{fact: a.x, equals: true}, {not: {count: a.y, gt: 2}}]}")) == []


# Unknown keys ----------------------------------------------------------------------------

def test_unknown_key_with_did_you_mean_at_the_key():
    assert problems("pack: {id: p, label: P, lable: x}\nstatuse: []\n") == [
        "error: x.yaml:1:25: unknown key 'lable'\n  hint: did you mean 'label'?",
        "error: x.yaml:2:1: unknown key 'statuse'\n  hint: did you mean 'statuses'?",
    ]


def test_unknown_key_without_close_match_lists_the_allowed_keys():
    assert problems("elements:\n  - {id: a, colour_scheme: red}\n") == [
        "error: x.yaml:2:13: unknown key 'colour_scheme'\n"
        "  hint: allowed here: after, description, group, id, label, override"]


def test_misspelt_operator_in_a_test_is_an_unknown_key_with_did_you_mean():
    assert problems(rule("{fact: a.x, equal: true}")) == [
        "error: x.yaml:3:23: unknown key 'equal'\n  hint: did you mean 'equals'?"]


def test_misspelt_operator_inside_not_and_all_is_found_where_it_is():
    assert problems(rule("{not: {fact: a.x, equal: 1}}")) == [
        "error: x.yaml:3:29: unknown key 'equal'\n  hint: did you mean 'equals'?"]
    assert problems(rule("{all: [{fact: a.x, gte: 1}, {count: a.y, lessthan: 2}]}")) == [
        "error: x.yaml:3:52: unknown key 'lessthan'\n  hint: allowed here: all_done, contains, count, "
        "disconnected, done, done_count, equals, fact, gt, gte, lowest_status, lt, lte, not_equals, "
        "one_of, present, stage, status"]


def test_misspelt_all_has_did_you_mean():
    assert problems(rule("{alll: [{fact: a.x, equals: true}]}")) == [
        "error: x.yaml:3:12: unknown key 'alll'\n  hint: did you mean 'all'?"]


# Shapes of a condition -------------------------------------------------------------------

def test_a_test_without_operator():
    assert problems(rule("{fact: a.x}")) == [
        "error: x.yaml:3:11: expected one subject and one operator, got 1 key(s)"]


def test_a_test_with_two_operators():
    assert problems(rule("{fact: a.x, equals: true, gte: 3}")) == [
        "error: x.yaml:3:11: expected one subject and one operator, got 3 key(s)"]


def test_a_test_with_two_subjects():
    assert problems(rule("{fact: a.x, status: a}")) == [
        "error: x.yaml:3:11: cannot tell what this is: keys fact, status\n"
        "  hint: a condition is all:, any:, not:, or one subject (fact, count, status, done, "
        "disconnected, stage) with one operator"]


def test_stage_subject_must_be_current():
    assert problems(rule("{stage: now, gte: s}")) == [
        "error: x.yaml:3:19: 'now' is not allowed here\n  hint: use 'current'"]


def test_condition_that_is_not_a_mapping():
    assert problems(rule("[1]")) == ["error: x.yaml:3:11: expected a mapping, got a list"]


# Wrong types -----------------------------------------------------------------------------

def test_wrong_type_names_what_was_expected_and_what_was_given():
    assert problems("elements:\n  - {id: a, label: 3}\n") == ["error: x.yaml:2:20: expected text, got 3"]
    assert problems("elements: {a: 1}\n") == ["error: x.yaml:1:11: expected a list, got a mapping"]
    assert problems("statuses:\n  - {id: a, done: 'yes'}\n") == [
        "error: x.yaml:2:19: expected true or false, got 'yes'"]
    assert problems("facts:\n  - {id: a.b, min: low}\n") == ["error: x.yaml:2:20: expected a number, got 'low'"]
    assert problems(rule("{all: 3}")) == ["error: x.yaml:3:17: expected a list, got 3"]


def test_a_list_where_a_single_value_is_compared():
    assert problems(rule("{fact: a.x, equals: [1]}")) == [
        "error: x.yaml:3:31: expected true or false or a number or text, got a list"]


def test_file_that_is_not_a_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert problems("- a\n- b\n") == ["error: x.yaml:1:1: expected a mapping, got a list"]
    # A document of just '---' holds nothing.
    monkeypatch.chdir(tmp_path)
    Path("dash.yaml").write_text("---\n", "utf-8")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_pack("dash.yaml")
    assert info.value.format() == "error: dash.yaml:2:1: expected a mapping, got nothing"


# Enums, patterns, missing keys -----------------------------------------------------------

def test_bad_enum_value_with_did_you_mean():
    assert problems("facts:\n  - {id: a.b, type: bolean}\n") == [
        "error: x.yaml:2:21: 'bolean' is not allowed here\n  hint: did you mean 'boolean'?"]


def test_bad_enum_value_without_close_match_lists_the_allowed_values():
    assert problems("facts:\n  - {id: a.b, type: text}\n") == [
        "error: x.yaml:2:21: 'text' is not allowed here\n"
        "  hint: use one of: boolean, integer, number, choice, choices"]
    assert problems("rules:\n  - id: r\n    then: {findings: [{id: f, severity: urgent, message: m}]}\n") == [
        "error: x.yaml:3:41: 'urgent' is not allowed here\n  hint: use one of: high, medium, low, info"]


def test_missing_required_key_is_located_at_its_mapping():
    assert problems("pack: {label: P}\n") == ["error: x.yaml:1:7: 'id' is missing\n  hint: add it"]
    assert problems("rules:\n  - when: {fact: a, equals: true}\n") == [
        "error: x.yaml:2:5: 'id' is missing\n  hint: add it"]
    assert problems("edges:\n  - {from: a}\n") == ["error: x.yaml:2:5: 'to' is missing\n  hint: add it"]


def test_id_that_breaks_the_pattern():
    assert problems("elements:\n  - {id: Purpose}\n") == [
        "error: x.yaml:2:10: 'Purpose' is not a valid id\n"
        "  hint: use lower-case letters, digits and '_' (and '.' between parts of a fact id), "
        "starting with a letter"]


def test_a_key_that_is_not_a_valid_id_is_located_at_that_key():
    # Each such key was located at the first key of its mapping (3:3 for both).
    assert problems("organisation: {name: X}\nfacts:\n  purpose.goals_written: true\n  Bad.Id: 3\n"
                    "  other_bad-: 4\n", "organisation") == [
        "error: x.yaml:4:3: 'Bad.Id' is not a valid id\n"
        "  hint: use lower-case letters, digits and '_' (and '.' between parts of a fact id), "
        "starting with a letter",
        "error: x.yaml:5:3: 'other_bad-' is not a valid id\n"
        "  hint: use lower-case letters, digits and '_' (and '.' between parts of a fact id), "
        "starting with a letter"]


def test_bad_color_is_not_called_an_id():
    assert problems("statuses:\n  - {id: a, color: red}\n") == [
        "error: x.yaml:2:20: 'red' is not a colour\n  hint: write a colour as #rrggbb, such as #6aa84f"]


def test_bad_organisation_id_gets_its_own_hint():
    assert problems("organisation: {id: Acme Ltd, name: A}\nfacts: {}\n", "organisation") == [
        "error: x.yaml:1:20: 'Acme Ltd' is not a valid id\n"
        "  hint: use lower-case letters, digits, '_' and '-', starting with a letter or digit"]


def test_all_problems_of_a_file_are_reported_together_in_file_order():
    assert problems("""\
        pack: {id: P, label: P}
        elements:
          - {id: a, lable: A}
        facts:
          - {id: a.b, type: bool}
        """) == [
        "error: x.yaml:1:12: 'P' is not a valid id\n"
        "  hint: use lower-case letters, digits and '_' (and '.' between parts of a fact id), "
        "starting with a letter",
        "error: x.yaml:3:13: unknown key 'lable'\n  hint: did you mean 'label'?",
        "error: x.yaml:5:21: 'bool' is not allowed here\n  hint: did you mean 'boolean'?",
    ]


# The organisation schema -----------------------------------------------------------------

def test_organisation_unknown_key_and_missing_sections():
    assert problems("organisation: {name: A, sectr: x}\nfacts: {}\n", "organisation") == [
        "error: x.yaml:1:25: unknown key 'sectr'\n  hint: did you mean 'sector'?"]
    assert problems("organisation: {id: a}\n", "organisation") == [
        "error: x.yaml:1:1: 'facts' is missing\n  hint: add it",
        "error: x.yaml:1:15: 'name' is missing\n  hint: add it"]


def test_organisation_fact_value_mapping_is_an_answer_with_a_note():
    # A mapping is the {answer, note, evidence} form: its keys are checked as such.
    assert problems("organisation: {name: A}\nfacts:\n  a.b: {x: 1}\n", "organisation") == [
        "error: x.yaml:3:9: unknown key 'x'\n  hint: allowed here: answer, evidence, note"]


def test_organisation_list_with_a_non_text_item_points_at_the_item():
    [message] = problems("organisation: {name: A}\nfacts:\n  a.b: [x, 2]\n", "organisation")
    assert message == "error: x.yaml:3:12: expected text, got 2"


def test_schema_problems_stop_the_pack_loader_with_file_and_position(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("p").mkdir()
    Path("p/pack.yaml").write_text("pack: {id: p, label: P}\nelement: []\n", "utf-8")
    Path("p/rules.yaml").write_text(rule("{fact: a.x, equal: true}"), "utf-8")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_pack("p")
    assert info.value.format() == (
        "error: p/pack.yaml:2:1: unknown key 'element'\n  hint: did you mean 'elements'?\n"
        "error: p/rules.yaml:3:23: unknown key 'equal'\n  hint: did you mean 'equals'?")
