"""maturity.load_organisation: a facts file is checked against the pack's facts, each answer
against its fact's type, allowed values and range, with every problem located; null (or an
empty value) means unanswered."""

from __future__ import annotations

from pathlib import Path

import pytest

import maturity
from conftest import TINY_PACK_TEXT, write_text


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def model() -> maturity.Model:
    """The tiny pack with a number fact (0.5 to 100) added."""
    write_text(Path("pk/pack.yaml"), TINY_PACK_TEXT.replace(
        "facts:\n", "facts:\n  - {id: audience.budget, element: audience, type: number, min: 0.5, max: 100}\n"))
    return maturity.load_pack("pk")


def org_error(model: maturity.Model, facts: str) -> str:
    """The message for a facts file whose facts section is `facts` (lines, indented by two)."""
    write_text(Path("org.yaml"), f"organisation: {{name: Acme}}\nfacts:\n  {facts}\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_organisation("org.yaml", model)
    return info.value.format()


def test_a_valid_file(model: maturity.Model):
    write_text(Path("acme.yaml"), """\
        organisation: {name: Acme Ltd, sector: retail, assessed_on: 2026-11-01}
        facts:
          purpose.goals_written: true
          audience.personas: 3
          audience.budget: 12.5
          platforms.channels: [linkedin, tiktok]
          platforms.measure: reach
        """)
    org = maturity.load_organisation("acme.yaml", model)
    assert org == maturity.Organisation(
        name="Acme Ltd", id="acme", meta={"sector": "retail", "assessed_on": "2026-11-01"},
        source="acme.yaml",
        facts={"purpose.goals_written": True, "audience.personas": 3, "audience.budget": 12.5,
               "platforms.channels": ["linkedin", "tiktok"], "platforms.measure": "reach"})


def test_the_id_given_in_the_file_wins_over_the_file_name(model: maturity.Model):
    write_text(Path("acme.yaml"), "organisation: {name: Acme, id: acme-2026}\nfacts: {}\n")
    assert maturity.load_organisation("acme.yaml", model).id == "acme-2026"


def test_null_and_empty_answers_are_unanswered(model: maturity.Model):
    write_text(Path("org.yaml"), "organisation: {name: Acme}\nfacts:\n  purpose.goals_written: null\n"
                                 "  platforms.channels:\n  audience.personas: ~\n  platforms.measure: hires\n")
    org = maturity.load_organisation("org.yaml", model)
    assert org.facts == {"platforms.measure": "hires"}


def test_an_empty_list_is_an_answer(model: maturity.Model):
    write_text(Path("org.yaml"), "organisation: {name: Acme}\nfacts:\n  platforms.channels: []\n")
    assert maturity.load_organisation("org.yaml", model).facts == {"platforms.channels": []}


def test_unknown_fact_with_did_you_mean(model: maturity.Model):
    assert org_error(model, "audience.persona: 3") == (
        "error: org.yaml:3:3: unknown fact 'audience.persona'\n  hint: did you mean 'audience.personas'?")


def test_unknown_fact_without_close_match(model: maturity.Model):
    assert org_error(model, "zzz.qqq: 3") == (
        "error: org.yaml:3:3: unknown fact 'zzz.qqq'\n  hint: the facts of pack 'tiny' are listed by 'dots facts'")


def test_an_unanswered_unknown_fact_is_still_unknown(model: maturity.Model):
    assert org_error(model, "audience.persona:") == (
        "error: org.yaml:3:3: unknown fact 'audience.persona'\n  hint: did you mean 'audience.personas'?")


@pytest.mark.parametrize("answer, message", [
    ("purpose.goals_written: 'yes'",
     "3:26: 'purpose.goals_written' is yes/no, got 'yes'\n  hint: answer true or false"),
    ("purpose.goals_written: 1",
     "3:26: 'purpose.goals_written' is yes/no, got 1\n  hint: answer true or false"),
    ("purpose.goals_written: [true]", "3:27: expected text, got true"),  # the schema: lists hold text
    # Not settled yet: the way out is the one for an unknown answer, so the hint says it too.
    ("purpose.goals_written: maybe",
     "3:26: 'purpose.goals_written' is yes/no, got 'maybe'\n  hint: answer true or false; or leave it "
     "empty when unknown, or write dont-know when it was asked and nobody knew"),
    ("purpose.goals_written: ' Not  Sure'",
     "3:26: 'purpose.goals_written' is yes/no, got ' Not  Sure'\n  hint: answer true or false; or "
     "leave it empty when unknown, or write dont-know when it was asked and nobody knew"),
    ("purpose.goals_written: TBC",
     "3:26: 'purpose.goals_written' is yes/no, got 'TBC'\n  hint: answer true or false; or leave it "
     "empty when unknown, or write dont-know when it was asked and nobody knew"),
])
def test_boolean_fact_wrong_type(model: maturity.Model, answer: str, message: str):
    assert org_error(model, answer) == f"error: org.yaml:{message}"


@pytest.mark.parametrize("answer, message", [
    ("audience.personas: '3'", "3:22: 'audience.personas' is a number, got '3'\n  hint: write a number without quotes"),
    ("audience.personas: true", "3:22: 'audience.personas' is a number, got true\n  hint: write a number without quotes"),
    ("audience.personas: 2.5", "3:22: 'audience.personas' is a whole number, got 2.5"),
    ("audience.personas: -1", "3:22: 'audience.personas' is -1, below its minimum 0"),
])
def test_integer_fact_wrong_type_and_range(model: maturity.Model, answer: str, message: str):
    assert org_error(model, answer) == f"error: org.yaml:{message}"


def test_integer_fact_takes_a_whole_float(model: maturity.Model):
    write_text(Path("org.yaml"), "organisation: {name: Acme}\nfacts:\n  audience.personas: 2.0\n")
    assert maturity.load_organisation("org.yaml", model).facts == {"audience.personas": 2.0}


@pytest.mark.parametrize("answer, message", [
    ("audience.budget: lots", "3:20: 'audience.budget' is a number, got 'lots'\n  hint: write a number without quotes"),
    ("audience.budget: 100.5", "3:20: 'audience.budget' is 100.5, above its maximum 100"),
    ("audience.budget: 0.25", "3:20: 'audience.budget' is 0.25, below its minimum 0.5"),
    ("audience.budget: .inf", "3:20: 'audience.budget' is a number, got inf\n  hint: write a finite number"),
    ("audience.budget: .nan", "3:20: 'audience.budget' is a number, got nan\n  hint: write a finite number"),
])
def test_number_fact_wrong_type_and_range(model: maturity.Model, answer: str, message: str):
    assert org_error(model, answer) == f"error: org.yaml:{message}"


def test_number_fact_bounds_are_inclusive(model: maturity.Model):
    for value in ("0.5", "100", "7"):
        write_text(Path("org.yaml"), f"organisation: {{name: Acme}}\nfacts:\n  audience.budget: {value}\n")
        assert maturity.load_organisation("org.yaml", model).facts == {"audience.budget": float(value)}


@pytest.mark.parametrize("answer, message", [
    ("platforms.measure: reech",
     "3:22: 'reech' is not an allowed answer to 'platforms.measure'\n  hint: did you mean 'reach'?"),
    ("platforms.measure: zzz",
     "3:22: 'zzz' is not an allowed answer to 'platforms.measure'\n  hint: allowed: none, reach, hires"),
    ("platforms.measure: 3",
     "3:22: 3 is not an allowed answer to 'platforms.measure'\n  hint: allowed: none, reach, hires"),
    ("platforms.measure: [reach]",
     "3:22: [reach] is not an allowed answer to 'platforms.measure'\n  hint: did you mean 'reach'?"),
])
def test_choice_fact_value_not_allowed(model: maturity.Model, answer: str, message: str):
    assert org_error(model, answer) == f"error: org.yaml:{message}"


@pytest.mark.parametrize("answer, message", [
    ("platforms.channels: tiktok",
     "3:23: 'platforms.channels' takes a list of choices, got 'tiktok'\n  hint: for example [linkedin]"),
    ("platforms.channels: [tiktok, linkdin]",
     "3:23: 'linkdin' is not an allowed answer to 'platforms.channels'\n  hint: did you mean 'linkedin'?"),
    ("platforms.channels: [tiktok, tiktok]", "3:23: 'platforms.channels' lists a choice twice"),
    ("platforms.channels: {tiktok: 1}",
     "3:24: unknown key 'tiktok'\n  hint: allowed here: answer, evidence, note"),
])
def test_choices_fact_wrong_type_and_values(model: maturity.Model, answer: str, message: str):
    assert org_error(model, answer) == f"error: org.yaml:{message}"


def test_every_problem_is_reported_in_one_run(model: maturity.Model):
    assert org_error(model, "purpose.goals_written: 'yes'\n  audience.personas: -1\n  audience.persona: 2") == (
        "error: org.yaml:3:26: 'purpose.goals_written' is yes/no, got 'yes'\n  hint: answer true or false\n"
        "error: org.yaml:4:22: 'audience.personas' is -1, below its minimum 0\n"
        "error: org.yaml:5:3: unknown fact 'audience.persona'\n  hint: did you mean 'audience.personas'?")


def test_schema_problems_come_first_and_alone(model: maturity.Model):
    # A file of the wrong shape is not checked against the pack: its facts cannot be trusted.
    write_text(Path("org.yaml"), "organisation: {nam: Acme}\nfacts:\n  audience.persona: 2\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_organisation("org.yaml", model)
    assert info.value.format() == ("error: org.yaml:1:15: 'name' is missing\n  hint: add it\n"
                                   "error: org.yaml:1:16: unknown key 'nam'\n  hint: did you mean 'name'?")


def test_facts_section_with_no_answers_at_all(model: maturity.Model):
    write_text(Path("org.yaml"), "organisation: {name: Acme}\nfacts:\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_organisation("org.yaml", model)
    assert info.value.format() == "error: org.yaml:2:7: expected a mapping, got nothing"


def header_error(model: maturity.Model, header: str) -> str:
    """The message for a facts file whose organisation line is `header` (its facts empty)."""
    write_text(Path("org.yaml"), f"organisation:\n{header}facts: {{}}\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_organisation("org.yaml", model)
    return info.value.format()


def test_each_placeholder_of_the_template_is_an_error(model: maturity.Model):
    header = "".join(f"  {line.strip()}\n" for line in maturity.facts_template(model).split(
        "organisation:\n", 1)[1].split("facts:", 1)[0].strip().splitlines())
    assert header_error(model, header) == (
        "error: org.yaml:3:9: the organisation's name is still the template's placeholder "
        "'Client name'\n  hint: fill it in\n"
        "error: org.yaml:4:16: the organisation's date assessed (assessed_on) is still the "
        "template's placeholder 'YYYY-MM-DD'\n"
        '  hint: fill it in with the date of the assessment, such as "2026-11-26"\n'
        "error: org.yaml:5:15: the organisation's consultant is still the template's placeholder "
        "'Your name'\n  hint: fill it in")


def test_the_template_and_the_check_share_their_placeholders(model: maturity.Model):
    from maturity.placeholders import PLACEHOLDERS
    template = maturity.facts_template(model)
    for key, placeholder in PLACEHOLDERS.items():
        assert f"\n  {key}: {placeholder}\n" in template.replace('"', "")


@pytest.mark.parametrize("date, column", [
    ('"2026-13-45"', 16), ("2026-13-45", 16), ('"2026-02-30"', 16), ('"26-11-2026"', 16),
    ('"1 Nov 2026"', 16), ('"2026-1-5"', 16)])
def test_an_impossible_date_is_an_error(model: maturity.Model, date: str, column: int):
    written = date.strip('"')
    assert header_error(model, f"  name: Acme\n  assessed_on: {date}\n") == (
        f"error: org.yaml:3:{column}: the date assessed '{written}' is not a date\n"
        '  hint: write a real date as YYYY-MM-DD, such as "2026-11-26"')


def test_a_real_date_passes(model: maturity.Model):
    write_text(Path("org.yaml"), 'organisation: {name: Acme, assessed_on: "2024-02-29"}\nfacts: {}\n')
    assert maturity.load_organisation("org.yaml", model).meta == {"assessed_on": "2024-02-29"}


@pytest.mark.parametrize("answer", ["unknown", "'?'", "dont know", "Don't know", "not known"])
@pytest.mark.parametrize("fact, column", [("purpose.goals_written", 26), ("audience.personas", 22)])
def test_unknown_written_as_free_text_says_leave_it_empty(model: maturity.Model, answer, fact, column):
    shown = answer.strip("'")
    assert org_error(model, f"{fact}: {answer}") == (
        f"error: org.yaml:3:{column}: '{fact}' is answered {shown!r}, which is no answer\n"
        "  hint: leave it empty when unknown, or write dont-know when it was asked and nobody knew")
