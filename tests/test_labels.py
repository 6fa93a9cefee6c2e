"""Display labels of choice values (`labels:` on a choice or choices fact): checked as the pack
loads, each problem at its file:line:column with a hint; layered like any other fact field; the
one way every text for people words an answer (Fact.label_of, Fact.labels_of, explain.answer);
and read back where a respondent types an answer (interview, questionnaire, survey), by label or
id in any case, the id stored. The commands: tests/cli/test_labels_commands.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import maturity
from conftest import write_pack, write_text
from maturity.explain import answer, need_text, unmet_needs
from maturity.interview import ReplyError, how_to_answer, parse_reply
from maturity.model import split_named
from maturity.organisation import Answer, value_problem
from maturity.sheet import coerce
from maturity.sheet import how_to_answer as sheet_how_to_answer


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in the test's folder, so that files are named relative to it in messages."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


HEAD = """\
pack: {id: p, label: P}
statuses: [{id: missing}, {id: done, done: true}]
elements: [{id: e}]
stages: [{id: s}]
facts:
"""
# Facts with labels, one a line from line 6: a label with a comma, one with the separators of
# a typed list, a value without a label.
FACTS = """\
  - {id: e.channels, element: e, type: choices, values: [linkedin, x_twitter, photos_video, tiktok], labels: {linkedin: LinkedIn, x_twitter: X (Twitter), photos_video: "Photos, video"}}
  - {id: e.measure, element: e, type: choice, values: [none, reach, hires], labels: {none: Not measured, reach: Reach, hires: Hires from social}}
rules:
  - {id: r, when: {all: [{fact: e.channels, contains: x_twitter}, {fact: e.measure, one_of: [reach, hires]}]}, then: {status: {e: done}}}
"""


def load_error(text: str, folder: str = "p") -> str:
    """The message load_pack gives for a pack whose one file is `text`."""
    write_text(Path(folder) / "pack.yaml", text)
    with pytest.raises(maturity.DataError) as info:
        maturity.load_pack(folder)
    return info.value.format()


@pytest.fixture
def model() -> maturity.Model:
    write_text(Path("p/pack.yaml"), HEAD + FACTS)
    return maturity.load_pack("p")


# The pack format -------------------------------------------------------------------------

def test_labels_are_kept_in_the_order_of_the_values(model):
    channels = model.fact_by_id["e.channels"]
    assert channels.labels == (("linkedin", "LinkedIn"), ("x_twitter", "X (Twitter)"),
                               ("photos_video", "Photos, video"))
    assert channels.label_of("x_twitter") == "X (Twitter)"
    # a value without a label is shown as its id, as written: nothing is made up from it
    assert channels.labels_of(["tiktok", "linkedin"]) == ["tiktok", "LinkedIn"]
    assert channels.label_of(3) == "3"  # not a value: shown as it is


def test_every_problem_with_labels_is_said_at_its_place_with_a_hint():
    assert load_error(HEAD + """\
  - {id: e.a, element: e, type: boolean, labels: {yes_please: Yes please}}
  - {id: e.b, element: e, type: choices, values: [linkedin, x_twitter], labels: {linkedn: LinkedIn, x_twitter: "  "}}
  - {id: e.c, element: e, type: choice, values: [none, reach], labels: {reach: None}}
  - {id: e.d, element: e, type: choice, values: [none, reach], labels: {none: Nothing, reach: nothing}}
  - {id: e.e, element: e, type: choice, values: [none, reach], labels: {hires: Hires}}
rules:
  - {id: r, when: {fact: e.a, equals: true}, then: {status: {e: done}}}
""") == (
        "error: p/pack.yaml:6:42: 'labels' is only for choice and choices facts, not 'boolean'\n"
        "  hint: labels are the words shown for the values of a choice; remove them\n"
        "error: p/pack.yaml:7:82: a label for 'linkedn', which is not a value of 'e.b'\n"
        "  hint: did you mean 'linkedin'?\n"
        "error: p/pack.yaml:7:112: the label of 'x_twitter' is blank\n"
        "  hint: write the words to show for 'x_twitter', or leave its label out to show the id\n"
        "error: p/pack.yaml:8:80: the label 'None' of 'reach' also names 'none'\n"
        "  hint: give each value a label of its own: an answer typed as a label must name one value\n"
        "error: p/pack.yaml:9:95: the label 'nothing' of 'reach' also names 'none'\n"
        "  hint: give each value a label of its own: an answer typed as a label must name one value\n"
        "error: p/pack.yaml:10:73: a label for 'hires', which is not a value of 'e.e'\n"
        "  hint: its values are: none, reach")


@pytest.mark.parametrize("labels, message, hint", [
    ("[none, reach]", "6:72: expected a mapping, got a list",
     "labels map values of the fact to the words shown for them, such as {x_twitter: X (Twitter)}"),
    ("{none: 3}", "6:79: expected text, got 3",
     "write the label in quotes, such as 'Yes' or '10': YAML reads a bare yes, no, on, off or a "
     "number as no text"),
    ("{none: No}", "6:79: expected text, got false",
     "write the label in quotes, such as 'Yes' or '10': YAML reads a bare yes, no, on, off or a "
     "number as no text"),
    ("{none: [a]}", "6:79: expected text, got a list",
     "labels map values of the fact to the words shown for them, such as {x_twitter: X (Twitter)}"),
    ('{none: ""}', "6:79: the label of 'none' is blank",
     "write the words to show for 'none', or leave its label out to show the id"),
    ("{Not-an-id: x}", "6:73: 'Not-an-id' is not a valid id",
     "use lower-case letters, digits and '_' (and '.' between parts of a fact id), starting with a letter"),
])
def test_labels_that_are_not_a_mapping_of_ids_to_text(labels, message, hint):
    assert load_error(HEAD + "  - {id: e.c, element: e, type: choice, values: [none, reach], "
                             f"labels: {labels}}}\n") == f"error: p/pack.yaml:{message}\n  hint: {hint}"


def test_a_fact_with_bad_labels_is_still_checked_in_the_rules_that_test_it():
    # the labels' own problem only: the rule's test of the fact is not said to name an unknown fact
    assert load_error(HEAD + FACTS.replace("labels: {none: Not measured,", "labels: {none: Reach,")) == (
        "error: p/pack.yaml:7:92: the label 'Reach' of 'none' also names 'reach'\n"
        "  hint: give each value a label of its own: an answer typed as a label must name one value")


# Layering -----------------------------------------------------------------------------------

EXT = "pack: {id: ext, label: Extended, extends: ../base}\n"


def load_ext(body: str) -> maturity.Model:
    write_text(Path("ext/pack.yaml"), EXT + textwrap.dedent(body))
    return maturity.load_pack("ext")


def test_an_extending_pack_gives_labels_to_a_base_fact_and_to_its_own():
    write_pack(Path("."), dirname="base")  # the tiny pack: no labels
    model = load_ext("""\
        facts:
          - {id: platforms.channels, override: true, labels: {tiktok: TikTok, linkedin: LinkedIn}}
          - {id: platforms.reach, element: platforms, type: choice, values: [local, national],
             labels: {local: Local, national: Nationwide}}
        """)
    channels = model.fact_by_id["platforms.channels"]
    assert channels.labels == (("linkedin", "LinkedIn"), ("tiktok", "TikTok"))  # the values' order
    assert channels.values == ("linkedin", "facebook", "tiktok")  # the rest of the fact as it was
    assert model.fact_by_id["platforms.reach"].label_of("national") == "Nationwide"


def labelled_base() -> None:
    write_text(Path("base/pack.yaml"), HEAD.replace("id: p,", "id: base,") + FACTS)


def test_labels_given_in_an_override_replace_the_bases_whole():
    labelled_base()
    model = load_ext("""\
        facts:
          - {id: e.measure, override: true, labels: {hires: Hires}}
        """)
    assert model.fact_by_id["e.measure"].labels == (("hires", "Hires"),)
    assert model.fact_by_id["e.measure"].labels_of(["none", "hires"]) == ["none", "Hires"]
    # a fact the extending pack leaves alone keeps its labels
    assert model.fact_by_id["e.channels"].label_of("x_twitter") == "X (Twitter)"


def test_an_override_of_the_values_keeps_the_labels_of_the_values_still_there():
    labelled_base()
    model = load_ext("""\
        facts:
          - {id: e.measure, override: true, values: [reach, hires, applicants]}
        """)
    assert model.fact_by_id["e.measure"].labels == (("reach", "Reach"), ("hires", "Hires from social"))


def test_a_bad_label_in_an_extending_pack_is_said_in_its_own_file():
    labelled_base()
    with pytest.raises(maturity.DataError) as info:
        load_ext("""\
            facts:
              - {id: e.measure, override: true, labels: {none: Not measured, hire: Hires}}
            """)
    assert info.value.format() == ("error: ext/pack.yaml:3:66: a label for 'hire', which is not a "
                                   "value of 'e.measure'\n  hint: did you mean 'hires'?")


# Wording answers -----------------------------------------------------------------------------

def test_an_answer_is_worded_by_its_labels(model):
    channels, measure = model.fact_by_id["e.channels"], model.fact_by_id["e.measure"]
    assert answer("none", measure) == "Not measured"
    assert answer(["x_twitter", "tiktok"], channels) == "[X (Twitter), tiktok]"
    assert answer([], channels) == "none"
    assert answer(True, channels) == "yes"
    assert answer(None, channels) == "unanswered"
    assert answer("none") == "none"  # without the fact: as written


def test_what_a_dot_needs_names_the_choices_by_their_labels(model):
    facts = {"e.channels": ["linkedin"], "e.measure": "none"}
    needs = unmet_needs(model, "e", facts)
    assert [need_text(n, model) for n in needs] == [
        "e.channels Needs includes X (Twitter) (now: [LinkedIn])",
        "e.measure Needs one of [Reach, Hires from social] (now: Not measured)"]
    # the needs themselves (JSON) keep the ids
    assert [(n["expected"], n["actual"]) for n in needs] == [("x_twitter", ["linkedin"]),
                                                            (["reach", "hires"], "none")]


# Reading typed answers -------------------------------------------------------------------------

def test_a_typed_answer_names_a_value_by_its_label_or_its_id(model):
    channels = model.fact_by_id["e.channels"]
    assert channels.value_named("x (twitter)") == "x_twitter"
    assert channels.value_named("  X   (Twitter) ") == "x_twitter"
    assert channels.value_named("X_TWITTER") == "x_twitter"
    assert channels.value_named("photos, video") == "photos_video"
    assert channels.value_named("Twitter") is None
    assert channels.value_like("Linkdin") == "linkedin"
    # a label holding a separator stays whole
    assert split_named(channels, "LinkedIn, Photos, video, tiktok", r"[,;\n]") == \
        ["LinkedIn", "Photos, video", "tiktok"]
    assert split_named(channels, "x (twitter) photos, video 1", r"[,\s]+") == \
        ["x (twitter)", "photos, video", "1"]


def test_the_interview_shows_labels_and_takes_a_label_an_id_or_a_number(model):
    channels, measure = model.fact_by_id["e.channels"], model.fact_by_id["e.measure"]
    assert how_to_answer(measure) == ["1 Not measured  2 Reach  3 Hires from social",
                                      "one: its number or name"]
    assert parse_reply(measure, "hires from social").answer == Answer("hires")
    assert parse_reply(measure, "Not Measured +").answer == Answer("none")
    assert parse_reply(measure, "reach").answer == Answer("reach")
    assert parse_reply(channels, "X (Twitter), photos, video 4").answer == \
        Answer(["x_twitter", "photos_video", "tiktok"])
    assert parse_reply(channels, "1 x_twitter").answer == Answer(["linkedin", "x_twitter"])
    with pytest.raises(ReplyError) as info:
        parse_reply(channels, "LinkedIn, Twiter")
    assert (info.value.message, info.value.hint) == ("'Twiter' is not one of the choices",
                                                     "did you mean 'X (Twitter)'?")


def test_a_questionnaire_shows_labels_and_reads_a_label_as_its_value(model):
    channels, measure = model.fact_by_id["e.channels"], model.fact_by_id["e.measure"]
    assert sheet_how_to_answer(measure) == ("Answer one of: Not measured, Reach, Hires from social; "
                                            "or dont-know, or not-applicable.")
    assert coerce(measure, " hires FROM social") == "hires"
    assert coerce(channels, "LinkedIn; Photos, video, TIKTOK") == ["linkedin", "photos_video", "tiktok"]
    assert coerce(channels, "LinkedIn, Twiter") == ["linkedin", "Twiter"]  # left for the checks
    # which word it: by the labels for what a respondent typed, by the ids in a facts file
    assert value_problem(channels, ["linkedin", "Twiter"], typed=True) == (
        "'Twiter' is not an allowed answer to 'e.channels'", "did you mean 'X (Twitter)'?")
    assert value_problem(measure, "nothing at all", typed=True) == (
        "'nothing at all' is not an allowed answer to 'e.measure'",
        "allowed: Not measured, Reach, Hires from social")
    assert value_problem(measure, "Reach") == (
        "'Reach' is not an allowed answer to 'e.measure'", "did you mean 'reach'?")


SURVEY_MAPPING = """\
organisation:
  name: Company
columns:
  Channels:
    fact: e.channels
    split: ","
  Measure:
    fact: e.measure
"""


def test_a_survey_answer_may_be_a_label(model):
    from maturity.survey import load_mapping, row_organisation, survey_tasks
    Path("map.yaml").write_text(SURVEY_MAPPING, "utf-8")
    Path("survey.csv").write_text('Company,Channels,Measure\nAcme,"LinkedIn, Photos, video",Hires from social\n'
                                  'Bolt,Twiter,reach\n', "utf-8")
    mapping = load_mapping("map.yaml", model)
    tasks = list(survey_tasks(Path("survey.csv"), mapping))
    acme = row_organisation(mapping, tasks[0])
    assert acme.facts == {"e.channels": ["linkedin", "photos_video"], "e.measure": "hires"}
    with pytest.raises(maturity.DataError) as info:
        row_organisation(mapping, tasks[1])
    assert info.value.format() == ("error: survey.csv:3:2: row 3, column 'Channels' (B): 'Twiter' is "
                                   "not an allowed answer to 'e.channels'\n"
                                   "  hint: did you mean 'X (Twitter)'?")


def test_the_bundled_packs_label_every_choice_value():
    for name in ("default", "talent_community", "levels"):
        for fact in maturity.load_pack(name).facts:
            if fact.values:
                assert [v for v, _ in fact.labels] == list(fact.values), (name, fact.id)
    default = maturity.load_pack("default").fact_by_id
    assert default["platforms.active"].label_of("x_twitter") == "X (Twitter)"
    assert default["audience.research_sources"].label_of("ats_source_data") == "ATS source data"
