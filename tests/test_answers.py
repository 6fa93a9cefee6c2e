"""Answers beyond a value (docs/yaml-format.md, "Answers"): `dont-know`, `not-applicable`,
and `{answer, note, evidence}`; and the facts file's `pack:` line. Interface a: the engine sees
only answered values (Organisation.facts); Organisation.answers holds every recorded answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import maturity
from conftest import TINY_PACK_TEXT, write_text
from maturity.organisation import Answer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "pk" / "pack.yaml", TINY_PACK_TEXT)
    return tmp_path


@pytest.fixture
def model() -> maturity.Model:
    return maturity.load_pack("pk")


FULL = """\
organisation: {name: Acme}
facts:
  purpose.goals_written:
    answer: true
    note: Signed off in March.
    evidence: [https://intranet.example/goals.pdf, Goals 2026.docx]
  audience.personas: dont-know
  platforms.measure: not-applicable
  platforms.channels: {answer: [linkedin], evidence: one.pdf}
"""


def test_answers_states_notes_and_evidence(model):
    write_text(Path("acme.yaml"), FULL)
    org = maturity.load_organisation("acme.yaml", model)
    assert org.facts == {"purpose.goals_written": True, "platforms.channels": ["linkedin"]}
    assert org.answers == {
        "purpose.goals_written": Answer(True, "answered", "Signed off in March.",
                                        ("https://intranet.example/goals.pdf", "Goals 2026.docx")),
        "audience.personas": Answer(None, "dont_know"),
        "platforms.measure": Answer(None, "not_applicable"),
        "platforms.channels": Answer(["linkedin"], "answered", None, ("one.pdf",)),
    }


def test_plain_answers_read_as_before(model):
    write_text(Path("acme.yaml"), "organisation: {name: Acme}\nfacts: {purpose.goals_written: false}\n")
    org = maturity.load_organisation("acme.yaml", model)
    assert org.facts == {"purpose.goals_written": False}
    assert org.answers == {"purpose.goals_written": Answer(False)}
    assert org.pack is None


def test_dont_know_and_not_applicable_are_unanswered_for_the_rules(model):
    # audience.defined needs `not (platforms.measure equals none)`: with the measure not
    # applicable, the rules see what they see for an unanswered fact, never the marker. (The
    # personas are "don't know" on both sides: the audience was asked about, so that dot is not
    # unknown, as it would be with no answer about it at all.)
    write_text(Path("a.yaml"), FULL)
    write_text(Path("b.yaml"), "organisation: {name: Acme}\nfacts:\n  purpose.goals_written: true\n"
                               "  audience.personas: dont-know\n  platforms.channels: [linkedin]\n")
    a = maturity.assess(model, maturity.load_organisation("a.yaml", model))
    b = maturity.assess(model, maturity.load_organisation("b.yaml", model))
    assert a.fired == b.fired
    assert [e.status.id for e in a.elements] == [e.status.id for e in b.elements]


def test_json_lists_the_answers_with_more_than_a_value(model):
    write_text(Path("acme.yaml"), FULL)
    data = maturity.assessment_data(maturity.assess(model, maturity.load_organisation("acme.yaml", model)))
    assert data["answers"] == {
        "audience.personas": {"state": "dont_know", "value": None, "note": None, "evidence": []},
        "platforms.channels": {"state": "answered", "value": ["linkedin"], "note": None,
                               "evidence": ["one.pdf"]},
        "platforms.measure": {"state": "not_applicable", "value": None, "note": None, "evidence": []},
        "purpose.goals_written": {"state": "answered", "value": True, "note": "Signed off in March.",
                                  "evidence": ["https://intranet.example/goals.pdf", "Goals 2026.docx"]},
    }


def test_text_shows_notes_and_evidence_next_to_the_conclusions_that_use_them(model):
    # Two personas: the audience is known not defined ("don't know" would leave its done open,
    # and nothing known disconnected on it), so Platforms is disconnected.
    write_text(Path("acme.yaml"), FULL.replace("audience.personas: dont-know", "audience.personas: 2"))
    a = maturity.assess(model, maturity.load_organisation("acme.yaml", model))
    assert [e.element.id for e in a.disconnected] == ["platforms"]
    text = maturity.assessment_text(a)
    roadmap = maturity.roadmap_text(a)
    # platforms.started tested the channels: the evidence shows under the roadmap's facts.
    assert ("    facts: platforms.channels = [linkedin]\n"
            "             evidence: one.pdf\n") in roadmap
    # The finding on disconnected platforms does not test a fact: no note under it.
    assert "Signed off" not in text.split("Findings")[1].split("Advice")[0]


def test_notes_show_under_findings_whose_rule_tested_the_fact(tmp_path):
    pack_text = TINY_PACK_TEXT + """\
  - id: find.goals
    because: goals written
    when: {any: [{fact: purpose.goals_written, equals: true}, {fact: platforms.measure, equals: reach}]}
    then: {findings: [{id: goals-ok, severity: info, element: purpose, message: "Goals are written"}]}
"""
    write_text(tmp_path / "pk2" / "pack.yaml", pack_text)
    model = maturity.load_pack("pk2")
    write_text(Path("acme.yaml"), FULL.replace("platforms.measure: not-applicable",
                                                "platforms.measure: {answer: not-applicable, note: No ads}"))
    text = maturity.assessment_text(maturity.assess(model, maturity.load_organisation("acme.yaml", model)),
                                    explain=True)
    assert ("  - [info] Goals are written (rule find.goals)\n"
            "    platforms.measure = not applicable\n"
            "      note: No ads\n"
            "    purpose.goals_written = yes\n"
            "      note: Signed off in March.\n"
            "      evidence: https://intranet.example/goals.pdf, Goals 2026.docx\n") in text


@pytest.mark.parametrize("facts, message", [
    ("purpose.goals_written: {answer: true, notes: x}",
     "3:41: unknown key 'notes'\n  hint: did you mean 'note'?"),
    ("purpose.goals_written: {note: x}", "3:26: 'answer' is missing\n  hint: add it"),
    ("purpose.goals_written: {answer: 'yes', note: x}",
     "3:35: 'purpose.goals_written' is yes/no, got 'yes'\n  hint: answer true or false"),
    ("purpose.goals_written: {answer: true, evidence: [1]}", "3:52: expected text, got 1"),
    ("platforms.measure: dont_know",
     "3:22: 'dont_know' is not an allowed answer to 'platforms.measure'\n  hint: allowed: none, reach, hires"),
    ("purpose.goals_written: dont know",
     "3:26: 'purpose.goals_written' is answered 'dont know', which is no answer\n"
     "  hint: leave it empty when unknown, or write dont-know when it was asked and nobody knew"),
])
def test_bad_answers_name_the_place(model, facts, message):
    write_text(Path("org.yaml"), f"organisation: {{name: Acme}}\nfacts:\n  {facts}\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_organisation("org.yaml", model)
    assert info.value.format() == f"error: org.yaml:{message}"


def test_test_cases_take_the_same_answers(tmp_path):
    write_text(tmp_path / "pk3" / "pack.yaml", TINY_PACK_TEXT + """\
tests:
  - id: unknown-measure
    facts:
      purpose.goals_written: {answer: true, note: yes they are}
      audience.personas: 4
      platforms.measure: dont-know
      platforms.channels: {answer: not-applicable}
    expect: {statuses: {purpose: defined, platforms: missing}}
""")
    model = maturity.load_pack("pk3")
    assert maturity.check_tests(model) == []
    assert maturity.run_tests(model).ok


# The facts file's pack ----------------------------------------------------------------------

def test_the_pack_line_picks_the_pack_relative_to_the_file(workdir):
    write_text(workdir / "clients" / "acme.yaml",
               "pack: ../pk\norganisation: {name: Acme}\nfacts: {purpose.goals_written: true}\n")
    model, org = maturity.load_facts("clients/acme.yaml")
    assert (model.id, org.pack) == ("tiny", "../pk")
    # --rules naming the same pack another way is no contradiction.
    assert maturity.load_facts("clients/acme.yaml", "pk")[0].id == "tiny"
    assert maturity.load_facts("clients/acme.yaml", str(workdir / "pk" / "pack.yaml"))[0].id == "tiny"


def test_a_pack_that_extends_the_files_pack_is_no_contradiction(workdir):
    write_text(workdir / "mine" / "pack.yaml", "pack: {id: mine, label: Mine, extends: ../pk}\n")
    write_text(workdir / "acme.yaml", "pack: pk\norganisation: {name: Acme}\nfacts: {}\n")
    assert maturity.load_facts("acme.yaml", "mine")[0].id == "mine"


def test_a_contradicting_pack_is_an_error_naming_both(workdir):
    write_text(workdir / "acme.yaml", "organisation: {name: Acme}\npack: pk\nfacts: {}\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_facts("acme.yaml", "talent_community")
    assert info.value.format() == (
        "error: acme.yaml:2:7: --rules talent_community is not the pack this file names (pack: pk)\n"
        "  hint: leave out --rules to use 'pk', or change 'pack:' in acme.yaml")


def test_an_unknown_pack_is_an_error_at_its_line(workdir):
    write_text(workdir / "acme.yaml", "organisation: {name: Acme}\npack: talent_comunity\nfacts: {}\n")
    with pytest.raises(maturity.DataError) as info:
        maturity.load_facts("acme.yaml")
    assert info.value.format() == ("error: acme.yaml:2:7: no such rule pack 'talent_comunity'\n"
                                   "  hint: did you mean 'talent_community'?")


def test_without_a_pack_line_the_default_pack_or_rules(workdir):
    write_text(workdir / "acme.yaml", "organisation: {name: Acme}\nfacts: {}\n")
    assert maturity.load_facts("acme.yaml")[0].id == "default"
    assert maturity.load_facts("acme.yaml", "pk")[0].id == "tiny"


def test_the_format_reference_example_loads():
    text = (ROOT / "docs" / "yaml-format.md").read_text("utf-8")
    block = re.search(r"## Facts files\n\n```yaml\n(.*?)```", text, re.S).group(1)
    Path("example.yaml").write_text(block, "utf-8")
    model, org = maturity.load_facts("example.yaml")
    assert org.answers["audience.personas"].state == "dont_know"
    assert org.answers["platforms.owned_channels"].state == "not_applicable"
    assert org.answers["brand.evp_documented"].evidence == (
        "https://intranet.example/evp.pdf", "EVP 2026.docx")
    assert json.loads(maturity.to_json(maturity.assessment_data(maturity.assess(model, org))))["answers"]


# How rules see dont-know and not-applicable: the pack decides per fact -------------------------

def test_a_pack_can_give_the_answer_rules_see_for_not_applicable(workdir):
    write_text(workdir / "pk4" / "pack.yaml", TINY_PACK_TEXT.replace(
        "  - {id: purpose.goals_written, element: purpose, type: boolean}",
        "  - {id: purpose.goals_written, element: purpose, type: boolean, not_applicable: true}"))
    with_stand_in, plain = maturity.load_pack("pk4"), maturity.load_pack("pk")
    for marker, defined in [("not-applicable", True), ("dont-know", False)]:
        write_text(workdir / "acme.yaml",
                   f"organisation: {{name: Acme}}\nfacts: {{purpose.goals_written: {marker}}}\n")
        org = maturity.load_organisation("acme.yaml", with_stand_in)
        assert org.facts == {}  # interface a: Organisation.facts holds answered values only
        a = maturity.assess(with_stand_in, org)
        assert (a.element("purpose").status.id == "defined") is defined
        assert maturity.assess(plain, maturity.load_organisation("acme.yaml", plain)
                               ).element("purpose").status.id == "missing"


@pytest.mark.parametrize("extra, message", [
    ("not_applicable: 3", "'not_applicable' of 'purpose.goals_written': a yes/no fact takes true or false"),
    ("dont_know: [x]", "'dont_know' of 'purpose.goals_written': a yes/no fact takes true or false"),
])
def test_a_stand_in_answer_must_fit_the_fact(workdir, extra, message):
    write_text(workdir / "pk5" / "pack.yaml", TINY_PACK_TEXT.replace(
        "  - {id: purpose.goals_written, element: purpose, type: boolean}",
        f"  - {{id: purpose.goals_written, element: purpose, type: boolean, {extra}}}"))
    with pytest.raises(maturity.DataError) as info:
        maturity.load_pack("pk5")
    assert message in info.value.format()


def test_stand_ins_are_checked_for_every_type(workdir):
    from maturity.pack import _stand_in_problem
    assert _stand_in_problem("integer", (), 0, 10, 11) == "the number is out of the fact's range"
    assert _stand_in_problem("integer", (), 0, 10, 2.5) == "a whole number is needed"
    assert _stand_in_problem("number", (), None, None, "x") == "a number fact takes a number"
    assert _stand_in_problem("choice", ("a", "b"), None, None, "c") == "'c' is not one of its values"
    assert _stand_in_problem("choices", ("a", "b"), None, None, "a") == "a choices fact takes a list of its values"
    assert _stand_in_problem("choices", ("a", "b"), None, None, ["a", "x"]) == "'x' is not one of its values"
    assert _stand_in_problem("choices", ("a", "b"), None, None, ["b"]) == ""


def test_advice_is_never_asked_as_a_question_about_a_fact_that_does_not_apply(workdir):
    # With the owner unanswered, or not known, the advice asks to find out; not applicable
    # settles it.
    model = maturity.load_pack()
    asked = {}
    for marker in ("", "dont-know", "not-applicable"):
        write_text(workdir / "q.yaml", f"organisation: {{name: A}}\nfacts: {{purpose.owner_named: {marker}}}\n")
        a = maturity.assess(model, maturity.load_organisation("q.yaml", model))
        asked[marker] = [x.asks for x in a.advice if x.advice.id == "name-owner"]
    assert asked[""] == asked["dont-know"] == [("purpose.owner_named",)]
    assert asked["not-applicable"] == []


def test_what_a_dot_needs_shows_dont_know_and_not_applicable(workdir):
    write_text(workdir / "q.yaml", "organisation: {name: A}\nfacts:\n  purpose.goals_written: dont-know\n"
                                   "  purpose.desired_actions: not-applicable\n")
    model, org = maturity.load_facts("q.yaml")
    needs = {n["fact"]: n for n in maturity.next_dot(maturity.assess(model, org)).needs}
    assert (needs["purpose.goals_written"]["test"], needs["purpose.goals_written"]["expected"],
            needs["purpose.goals_written"]["actual"]) == ("equals", True, "don't know")
    assert (needs["purpose.desired_actions"]["test"], needs["purpose.desired_actions"]["expected"],
            needs["purpose.desired_actions"]["actual"]) == ("count_gte", 1, "not applicable")
    assert needs["purpose.success_metrics"]["actual"] is None
    assert not any(n["met"] for n in needs.values())
    from maturity.explain import need_text
    assert need_text(needs["purpose.goals_written"]).endswith("Needs yes (now: don't know)")
    assert need_text(needs["purpose.success_metrics"]).endswith("(now: unanswered)")
