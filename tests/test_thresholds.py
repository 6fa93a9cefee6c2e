"""Thresholds by a choice fact (docs/yaml-format.md, "thresholds"): a rule compares with the
value for the organisation's size band; with the band unanswered, with what every band would
accept (three-valued); texts, needs and explanations show the value that applied; the loader
and `dots rules check` refuse a broken table at its place."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner

import maturity
from maturity.cli.main import cli
from maturity.compiler import compile_pack
from maturity.explain import need_text, unmet_needs, what_done_needs
from maturity.model import Scaled
from reference import evaluate

PACK = """\
pack: {id: sized, label: Sized}
statuses: [{id: none}, {id: done, done: true}]
elements: [{id: aud, label: Audience}]
stages: [{id: s0}, {id: s1}]
facts:
  - {id: org.size, type: choice, values: [micro, small, large], question: How many people work there?}
  - {id: aud.sources, element: aud, type: choices, values: [a, b, c], question: Which sources are used?}
thresholds:
  - {id: sources, by: org.size, default: 3, values: {micro: 1, small: 1}}
rules:
  - id: aud.done
    because: Enough sources for the size (at least {threshold:sources}).
    when: {count: aud.sources, gte: {threshold: sources}}
    then: {status: {aud: done}}
  - id: more_sources
    because: Too few sources for the size.
    when: {count: aud.sources, lt: {threshold: sources}}
    then:
      advice:
        - {id: more-sources, element: aud, about: [aud.sources, org.size], action: "Use at least {threshold:sources} sources."}
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def model(here: Path) -> maturity.Model:
    (here / "sized.yaml").write_text(PACK, "utf-8")
    return maturity.load_pack("sized.yaml")


def assess(model: maturity.Model, facts: dict) -> maturity.Assessment:
    return maturity.assess(model, maturity.Organisation("Acme", facts, id="acme"))


def given(a: maturity.Assessment) -> dict[str, str]:
    return {x.advice.id: x.kind + ": " + x.action for x in a.advice}


def test_a_small_organisation_is_held_to_its_own_threshold(model):
    small = assess(model, {"org.size": "small", "aud.sources": ["a"]})
    large = assess(model, {"org.size": "large", "aud.sources": ["a"]})
    assert small.element("aud").status.id == "done" and given(small) == {}
    assert large.element("aud").status.id == "none"
    assert given(large) == {"more-sources": "action: Use at least 3 sources."}
    assert large.advice[0].evidence.because == "Too few sources for the size."
    assert small.elements[0].evidence[0].because == "Enough sources for the size (at least 1)."


def test_with_the_band_unanswered_a_test_holds_only_for_every_band(model):
    # One source: enough for a small organisation, not for a large one: unknown, so neither
    # done nor advised; the size is asked, as the advice is about it.
    one = assess(model, {"aud.sources": ["a"]})
    assert one.element("aud").status.id == "none"
    assert given(one) == {"more-sources": "question: Find out: How many people work there? If the "
                                          "answer shows a gap: use at least 1 to 3 sources."}
    assert one.advice[0].asks == ("org.size",)
    # Three: enough for every band. None: too few for every band.
    assert assess(model, {"aud.sources": ["a", "b", "c"]}).element("aud").status.id == "done"
    assert given(assess(model, {"aud.sources": []})) == {"more-sources": "action: Use at least 1 to 3 sources."}


def test_the_engine_agrees_with_the_reference_on_every_band_and_count(model):
    for band, count in itertools.product([None, "micro", "small", "large"], range(4)):
        for sources in (None, ["a", "b", "c"][:count]):
            facts = {k: v for k, v in (("org.size", band), ("aud.sources", sources)) if v is not None}
            a, ref = assess(model, facts), evaluate(model, facts)
            assert a.element("aud").status.id == dict(ref.statuses)["aud"], facts
            assert sorted(x.advice.id for x in a.advice if x.kind != "question") == list(ref.advice), facts
            assert sorted(x.advice.id for x in a.advice if x.kind == "question") == list(ref.questions), facts


def test_a_threshold_test_compiles_to_plain_tests_on_the_band(model):
    condition = model.rule_by_id["aud.done"].when
    assert isinstance(condition, Scaled) and condition.threshold.id == "sources"
    compiled = compile_pack(model)
    band, count = compiled.fact_props["org.size"], compiled.count_props["aud.sources"]
    name = next(n for n, r in compiled.rule_names.items() if r == "aud.done")
    assert compiled.definition[name]["all"][0]["m"]["$and"][2] == {"$or": [
        {"$and": [{"$or": [{band: "micro"}, {band: "small"}]}, {"$gte": {count: 1}}]},
        {"$and": [{"$or": [{band: "large"}, {"$nex": {band: 1}}]}, {"$gte": {count: 3}}]}]}


def test_needs_and_explanations_show_the_threshold_that_applied(model):
    facts = {"org.size": "large", "aud.sources": ["a"]}
    [need] = unmet_needs(model, "aud", facts)
    assert need["expected"] == 3 and need["threshold"] == {"id": "sources", "by": "org.size", "band": "large"}
    assert need_text(need) == ("Which sources are used? Needs at least 3 chosen for an organisation "
                               "of your size (now: 1)")
    assert "[the sources threshold for org.size large]" in what_done_needs(model, "aud", facts)[0]
    [blank] = unmet_needs(model, "aud", {"aud.sources": ["a"]})
    assert blank["expected"] == 3 and blank["threshold"]["band"] is None
    assert "the organisation's size is not answered" in need_text(blank)
    assert unmet_needs(model, "aud", {"org.size": "micro", "aud.sources": ["a"]}) == []


def test_an_extending_pack_overrides_a_table(here, model):
    (here / "ext.yaml").write_text(
        "pack: {id: ext, label: Ext, extends: sized.yaml}\n"
        "thresholds:\n  - {id: sources, override: true, values: {micro: 1, small: 2}}\n", "utf-8")
    ext = maturity.load_pack("ext.yaml")
    assert assess(ext, {"org.size": "small", "aud.sources": ["a"]}).element("aud").status.id == "none"
    assert assess(ext, {"org.size": "micro", "aud.sources": ["a"]}).element("aud").status.id == "done"


BROKEN = [
    ("  - {id: sources, by: org.size, default: 3, values: {micro: 1, small: 1}}",
     "  - {id: sources, by: org.sise, default: 3, values: {micro: 1, small: 1}}",
     "sized.yaml:9:19: unknown fact 'org.sise'", "did you mean 'org.size'?"),
    ("  - {id: sources, by: org.size, default: 3, values: {micro: 1, small: 1}}",
     "  - {id: sources, by: aud.sources, default: 3}",
     "sized.yaml:9:19: a threshold depends on a choice fact; 'aud.sources' is choices",
     "give 'by' a fact of type choice, such as a size band"),
    ("values: {micro: 1, small: 1}}", "values: {micro: 1, smal: 1}}",
     "sized.yaml:9:64: 'smal' is not an allowed value of 'org.size'", "did you mean 'small'?"),
    ("default: 3, values: {micro: 1, small: 1}}", "values: {micro: 1, small: 1}}",
     "sized.yaml:9:5: threshold 'sources' has no value for 'large' of 'org.size'",
     "add them to 'values', or give a 'default'"),
    ("gte: {threshold: sources}", "gte: {threshold: source}",
     "sized.yaml:13:49: unknown threshold 'source'", "did you mean 'sources'?"),
    ("values: {micro: 1, small: 1}}", "values: {micro: 1.5, small: 1}}",
     "sized.yaml:13:37: count of 'aud.sources' is a number; 1.5 is not (threshold 'sources' for 'micro')",
     "write a number without quotes; or change the value for 'micro' in threshold 'sources'"),
    ("{count: aud.sources, gte: {threshold: sources}}", "{fact: org.size, gte: {threshold: sources}}",
     "sized.yaml:13:33: a threshold is compared only with a number fact or a count; 'org.size' is choice",
     "compare it with a value of its own"),
]


@pytest.mark.parametrize("old, new, message, hint", BROKEN, ids=[b[2].split(": ", 1)[1][:40] for b in BROKEN])
def test_rules_check_names_a_broken_threshold_at_its_place(here, old, new, message, hint):
    assert old in PACK
    (here / "sized.yaml").write_text(PACK.replace(old, new, 1), "utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", "sized.yaml"])
    assert result.exit_code == 1
    assert f"error: {message}\n  hint: {hint}\n" in result.output, result.output
    assert "Traceback" not in result.output


def test_a_threshold_is_only_compared_by_order(here):
    (here / "sized.yaml").write_text(PACK.replace("gte: {threshold: sources}", "equals: {threshold: sources}", 1),
                                     "utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", "sized.yaml"])
    assert result.exit_code == 1 and "error: sized.yaml:13:" in result.output and "Traceback" not in result.output


def test_texts_name_a_threshold_value_or_its_range(model):
    words = model.words
    assert words("at least {threshold:sources}", {"org.size": "micro"}) == "at least 1"
    assert words("at least {threshold:sources}", {"org.size": "large"}) == "at least 3"
    assert words("at least {threshold:sources}", {}) == "at least 1 to 3"
    assert words("{threshold:nothing} stays", {}) == "{threshold:nothing} stays"


def test_the_default_pack_scales_with_the_size_band():
    model = maturity.load_pack()
    assert {t.id: (t.by, t.default, dict(t.values)) for t in model.thresholds} == {
        "success_metrics": ("employer.size_band", 3, {"micro": 1, "small": 1}),
        "personas": ("employer.size_band", 2, {"micro": 1, "small": 1}),
        "research_sources": ("employer.size_band", 3, {"micro": 1, "small": 1})}
    bakery = {"employer.size_band": "small", "purpose.goals_written": True, "purpose.success_metrics": 1,
              "purpose.tied_to_hiring_plan": True, "purpose.desired_actions": ["apply"]}
    a = maturity.assess(model, maturity.Organisation("Bakery", bakery, id="bakery"))
    assert a.element("purpose").status.id == "defined"
    text = maturity.next_text(a)
    assert "at least 3" not in text and "Set targets" not in text


def test_rules_check_warns_when_advice_on_a_threshold_is_not_about_its_band(here):
    (here / "sized.yaml").write_text(PACK.replace("about: [aud.sources, org.size]", "about: [aud.sources]"),
                                     "utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", "sized.yaml"])
    assert result.exit_code == 0
    assert ("warning: sized.yaml:15:5: advice 'more-sources' depends on 'org.size' through a threshold, "
            "but is not about it: while it is unanswered the advice is neither given nor asked\n"
            "  hint: add org.size to 'about'\n") in result.output, result.output
    (here / "sized.yaml").write_text(PACK, "utf-8")
    assert "through a threshold" not in CliRunner().invoke(cli, ["rules", "check", "sized.yaml"]).output
