"""`dots interview` through click's runner (typed lines as standard input): one element's
questions, review, skipping, stopping at the end of input, and bad uses. The same in a real
terminal: tests/terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import maturity
from bundled import ROOT
from maturity.interview import ReplyError, parse_reply
from maturity.organisation import Answer


def run(args: list[str], lines: list[str]):
    from click.testing import CliRunner

    from maturity.cli.main import cli
    return CliRunner().invoke(cli, ["interview", *args], input="".join(l + "\n" for l in lines))


def facts_of(path: str) -> dict:
    return {k: v for k, v in (yaml.safe_load(Path(path).read_text("utf-8"))["facts"] or {}).items()
            if v is not None}


def test_one_elements_questions_only(workdir):
    result = run(["c.yaml", "--element", "brand"], ["Acme Ltd", "", "yes", "no", "n/a", "", "", "", ""])
    assert result.exit_code == 0, result.output
    assert "== Employment Brand & Workforce Marketing ==" in result.stdout
    assert "(purpose." not in result.stdout and "(audience." not in result.stdout
    assert facts_of("c.yaml") == {"brand.evp_documented": True, "brand.evp_researched_with_employees": False,
                                  "brand.evp_approved": "not-applicable"}
    total = len(maturity.load_pack().facts)
    assert (f"Coverage: 3 of {total} questions have an answer (2 answered, 0 don't know, 1 not "
            f"applicable); {total - 3} unanswered") in result.stdout
    header = yaml.safe_load(Path("c.yaml").read_text("utf-8"))["organisation"]
    # Enter on the consultant's placeholder leaves the consultant out, never 'Your name'.
    assert (header["name"], header["id"], "consultant" in header) == ("Acme Ltd", "acme-ltd", False)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", header["assessed_on"])


def test_the_end_of_input_stops_and_keeps_what_was_given(workdir):
    result = run(["c.yaml"], ["Acme", "Sam Jones", "small", "yes", "no"])
    assert result.exit_code == 0, result.output
    assert "Stopped. Every answer given is saved in c.yaml" in result.stdout
    # The organisation's size first (thresholds depend on it), then element by element.
    assert result.stdout.index("== About the organisation ==") < result.stdout.index("== Purpose ==")
    assert facts_of("c.yaml") == {"employer.size_band": "small", "purpose.goals_written": True,
                                  "purpose.tied_to_hiring_plan": False}


def test_review_shows_each_answer_and_enter_keeps_it(workdir):
    Path("mid.yaml").write_text((ROOT / "examples" / "mid-size.yaml").read_text("utf-8"))
    before = Path("mid.yaml").read_text("utf-8")
    result = run(["mid.yaml", "--review", "--element", "purpose"], [""] * 6)
    assert result.exit_code == 0, result.output
    assert "    now: Apply, Refer someone, Join the talent community\n" in result.stdout
    assert Path("mid.yaml").read_text("utf-8") == before  # nothing changed, nothing rewritten
    result = run(["mid.yaml", "--review", "--element", "purpose"], ["", "skip", "", "3 +", "Board pack", ""])
    assert result.exit_code == 0, result.output
    after = Path("mid.yaml").read_text("utf-8")
    assert "  purpose.tied_to_hiring_plan:\n" in after
    assert "  purpose.success_metrics:\n    answer: 3\n    note: Board pack\n" in after
    # Everything else as it was: comments, quoting, order.
    assert after.splitlines()[:10] == before.splitlines()[:10]


def test_a_complete_file_is_not_asked_again(workdir):
    Path("mid.yaml").write_text((ROOT / "examples" / "mid-size.yaml").read_text("utf-8"))
    result = run(["mid.yaml"], [])
    assert "Every question here has an answer; --review walks through them." in result.stdout
    total = len(maturity.load_pack().facts)
    assert f"Coverage: {total} of {total}" in result.stdout


def test_bad_uses(workdir):
    result = run(["c.xlsx"], [])
    assert (result.exit_code, result.stderr) == (1, "error: c.xlsx: the interview records answers in a YAML "
                                                    "facts file\n  hint: give a .yaml file (it is started "
                                                    "from the template when it does not exist)\n")
    result = run(["c.yaml", "--element", "brnd"], [])
    assert not Path("c.yaml").exists()
    assert result.exit_code == 1
    assert result.stderr == "error: --element: no element 'brnd' in pack 'default'\n  hint: did you mean 'brand'?\n"
    Path("bad.yaml").write_text("organisation: {name: A}\nfacts: {purpose.goals_written: maybe}\n")
    result = run(["bad.yaml"], [])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: bad.yaml:2:32: 'purpose.goals_written' is yes/no")


def test_the_interview_takes_the_pack_of_the_file(workdir):
    result = run(["tc.yaml", "--rules", "talent_community"], ["Acme", "", "small", "yes"])
    assert result.exit_code == 0, result.output
    assert "\npack: talent_community\n" in Path("tc.yaml").read_text("utf-8")
    result = run(["tc.yaml"], [])
    assert "(proposition.member_value)" in result.stdout  # the next question of that pack


@pytest.mark.parametrize("fact_id, text, expected", [
    ("purpose.goals_written", "Y", Answer(True)),
    ("purpose.goals_written", "no +", Answer(False)),
    ("purpose.goals_written", "?", Answer(None, "dont_know")),
    ("purpose.goals_written", "Don\u2019t know", Answer(None, "dont_know")),
    ("purpose.goals_written", "N/A", Answer(None, "not_applicable")),
    ("purpose.success_metrics", "2", Answer(2)),
    ("brand.advocates_pct", "12.5", Answer(12.5)),
    ("engagement.measurement", "2", None),
    ("purpose.desired_actions", "none", Answer([])),
    ("purpose.desired_actions", "1 refer,5", Answer(["apply", "refer", "follow"])),
])
def test_replies(fact_id, text, expected):
    fact = maturity.load_pack().fact_by_id[fact_id]
    reply = parse_reply(fact, text)
    if expected is None:  # a choice by number: the second value of the list shown
        expected = Answer(fact.values[1])
    assert reply.answer == expected
    assert reply.more == text.endswith("+")


@pytest.mark.parametrize("fact_id, text, message", [
    ("purpose.goals_written", "+", "give the answer before ' +'"),
    ("purpose.success_metrics", "two", "'two' is not a number"),
    ("purpose.success_metrics", "-1", "'purpose.success_metrics' is -1, below its minimum 0"),
    ("purpose.success_metrics", "2.5", "'purpose.success_metrics' is a whole number, got 2.5"),
    ("purpose.desired_actions", "apply apply", "'purpose.desired_actions' lists a choice twice"),
    ("engagement.measurement", "0", "there is no choice 0"),
])
def test_replies_that_are_no_answer(fact_id, text, message):
    with pytest.raises(ReplyError) as info:
        parse_reply(maturity.load_pack().fact_by_id[fact_id], text)
    assert info.value.message == message


# Questions whose answer cannot change the outcome (--skip-settled) ----------------------------

GATED = """\
  - id: purpose.unused
    element: purpose
    type: boolean
  - id: purpose.budget_approved
    element: purpose
    type: boolean
    question: Is there a budget?
rules:
  - id: purpose.optimised_gate
    because: goals and a budget
    when: {all: [{fact: purpose.goals_written, equals: true}, {fact: purpose.budget_approved, equals: true}]}
    then: {findings: [{id: funded, severity: info, message: Funded}], status: {audience: started}}
"""


@pytest.fixture
def gated(workdir):
    from conftest import TINY_PACK_TEXT, write_text
    write_text(workdir / "gp" / "pack.yaml", TINY_PACK_TEXT.replace("rules:\n", GATED, 1))
    return maturity.load_pack("gp")


def org(facts: dict) -> maturity.Organisation:
    return maturity.Organisation("A", facts)


def test_a_fact_behind_a_false_answer_is_settled(gated):
    from maturity.relevance import could_change
    assert not could_change(gated, org({"purpose.goals_written": False}), "purpose.budget_approved")
    assert could_change(gated, org({"purpose.goals_written": True}), "purpose.budget_approved")
    assert could_change(gated, org({}), "purpose.goals_written")


def test_an_open_question_is_never_settled_by_other_open_questions(gated):
    # Nothing answered yet: the budget may still matter, once the goals are known.
    from maturity.relevance import could_change
    assert could_change(gated, org({}), "purpose.budget_approved")
    # A fact no rule tests can change nothing.
    assert not could_change(gated, org({}), "purpose.unused")


def test_three_valued_reading_of_conditions():
    from maturity.model import All, Any_, Not, Test
    from maturity.relevance import kleene
    yes, no = Test("fact", "a", "equals", True), Test("fact", "b", "gte", 3)
    open_ = Test("fact", "c", "equals", True)
    facts = {"a": True, "b": 1}
    assert kleene(yes, facts) is True and kleene(no, facts) is False and kleene(open_, facts) is None
    assert kleene(All((yes, open_)), facts) is None and kleene(All((no, open_)), facts) is False
    assert kleene(Any_((yes, open_)), facts) is True and kleene(Any_((no, open_)), facts) is None
    assert kleene(Not(open_), facts) is None and kleene(Not(no), facts) is True
    assert kleene(Test("status", "x", "gte", "defined"), facts) is None
    assert kleene(Test("count", "d", "gte", 2), {"d": ["x", "y"]}) is True
    assert kleene(Test("fact", "c", "present", False), facts) is None
    assert kleene(Test("fact", "a", "present", True), facts) is True


def test_skip_settled_says_which_questions_it_leaves_out(gated, workdir):
    Path("c.yaml").write_text("pack: gp\norganisation: {name: A}\nfacts:\n  purpose.goals_written: false\n")
    result = run(["c.yaml", "--skip-settled"], ["", "", "", ""])
    assert result.exit_code == 0, result.output
    assert ("(purpose.budget_approved)\n    skipped: no answer to it can change the stage, the "
            "statuses or the next dot, given the answers so far\n") in result.stdout
    assert "(audience.personas)\n    " in result.stdout and "skipped" not in result.stdout.split("(audience.personas)")[1]
    result = run(["c.yaml"], ["", "", "", "", ""])
    assert "skipped" not in result.stdout  # only when asked for


@pytest.mark.parametrize("fact_id", ["purpose.goals_written", "purpose.success_metrics"])
def test_unknown_typed_in_the_interview_says_how_to_skip_or_record_dont_know(fact_id):
    with pytest.raises(ReplyError) as info:
        parse_reply(maturity.load_pack().fact_by_id[fact_id], "Unknown")
    assert (info.value.message, info.value.hint) == (
        "'Unknown' is no answer", "Enter alone skips the question; ? records don't know")


def test_enter_on_a_placeholder_asks_again_and_a_name_is_kept_as_text(workdir):
    # Enter on 'Client name' is refused and asked again; a name that YAML would read as
    # something else ("yes", "2026") is written quoted, so the file stays valid.
    result = run(["c.yaml"], ["", "yes", "2026", "quit"])
    assert result.exit_code == 0, result.output
    assert "  error: 'Client name' is the template's placeholder\n  hint: type the organisation name\n" \
        in result.stdout
    header = yaml.safe_load(Path("c.yaml").read_text("utf-8"))["organisation"]
    assert (header["name"], header["consultant"]) == ("yes", "2026")
    model, org = maturity.load_facts("c.yaml")  # no placeholder left: every command takes it
    assert org.name == "yes"


@pytest.mark.parametrize("text, hint", [
    ("maybe", "answer yes or no (y, n); Enter alone skips the question; ? records don't know"),
    ("To be  confirmed", "answer yes or no (y, n); Enter alone skips the question; ? records don't know"),
    ("sometimes", "answer yes or no (y, n)"),  # an answer of its own kind, not a lack of one
])
def test_a_yes_no_not_settled_yet_says_how_to_skip_or_record_dont_know(text, hint):
    with pytest.raises(ReplyError) as info:
        parse_reply(maturity.load_pack().fact_by_id["purpose.goals_written"], text)
    assert (info.value.message, info.value.hint) == (f"'{text}' is not yes or no", hint)
