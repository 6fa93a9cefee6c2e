"""Advice and findings are true to the answers, for random organisations (hypothesis):

- no advice item is given (as an action) whose own facts, the facts it is `about`, show the
  work done: answering them as the fully optimised enterprise example does makes it go;
- a question is asked only about facts that are unanswered, and given only while they are;
- no finding rests only on unanswered facts: a finding whose rule reads only facts holds for
  every way of answering the blanks, and an organisation with no answers gets no finding.

Both built-in packs are checked; the talent-community pack's optimum is its `pipeline` case.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import maturity
from maturity.model import tests_in as rule_tests

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DEFAULT = maturity.load_pack()
TALENT = maturity.load_pack("talent_community")
OPTIMUM = {
    "default": yaml.safe_load((ROOT / "examples" / "enterprise.yaml").read_text("utf-8"))["facts"],
    "talent_community": next(c.facts for c in TALENT.tests if c.id == "pipeline"),
}


def answer(fact) -> st.SearchStrategy:
    if fact.type == "boolean":
        return st.booleans()
    if fact.type in ("integer", "number"):
        lo = int(fact.min if fact.min is not None else 0)
        hi = int(fact.max if fact.max is not None else 100)
        return st.integers(lo, min(hi, lo + 60))
    if fact.type == "choice":
        return st.sampled_from(fact.values)
    return st.lists(st.sampled_from(fact.values), unique=True)


def answers(model: maturity.Model) -> st.SearchStrategy:
    """Some facts answered at random, some as the optimum, the rest unanswered."""
    optimum = OPTIMUM[model.id]
    return st.fixed_dictionaries({}, optional={
        f.id: st.one_of(answer(f), st.just(optimum[f.id])) if f.id in optimum else answer(f)
        for f in model.facts})


def assess(model: maturity.Model, facts: dict[str, Any]) -> maturity.Assessment:
    return maturity.assess(model, maturity.Organisation("Random Ltd", dict(facts), id="random"))


def test_the_optima_get_no_advice_about_facts():
    for model in (DEFAULT, TALENT):
        assert [x.advice.id for x in assess(model, OPTIMUM[model.id]).advice if x.advice.about] == []


def check_advice(model: maturity.Model, facts: dict[str, Any]) -> None:
    a = assess(model, facts)
    optimum = OPTIMUM[model.id]
    for x in a.advice:
        about = x.advice.about
        if x.kind == "question":
            assert x.asks and all(f not in facts for f in x.asks), x.advice.id
            assert x.asks[0] in x.action or model.fact_by_id[x.asks[0]].question in x.action
            continue
        if not about:
            continue
        # The advice's own facts answered as the optimum: it is no longer given.
        done = assess(model, {**facts, **{f: optimum[f] for f in about}})
        assert x.advice.id not in [y.advice.id for y in done.advice], (x.advice.id, about)


@SETTINGS
@given(st.data())
def test_no_advice_whose_own_facts_show_it_done(data):
    for model in (DEFAULT, TALENT):
        check_advice(model, data.draw(answers(model)))


def check_findings(model: maturity.Model, facts: dict[str, Any], fill: dict[str, Any]) -> None:
    a = assess(model, facts)
    completed = assess(model, {**fill, **facts})
    for f in a.findings:
        rule = model.rule_by_id[f.evidence.rule]
        subjects = {t.subject for t in rule_tests(rule.when)}
        if subjects <= {"fact", "count"} and not any(t.op == "present" for t in rule_tests(rule.when)):
            # Unanswered is unknown: what holds now holds however the blanks are answered.
            assert f.finding.id in [g.finding.id for g in completed.findings], f.finding.id


@SETTINGS
@given(st.data())
def test_no_finding_rests_only_on_unanswered_facts(data):
    for model in (DEFAULT, TALENT):
        facts = data.draw(answers(model))
        fill = data.draw(st.fixed_dictionaries({f.id: answer(f) for f in model.facts}))
        check_findings(model, facts, fill)


def test_nothing_answered_gives_no_finding_and_only_questions():
    for model in (DEFAULT, TALENT):
        a = assess(model, {})
        assert a.findings == []
        assert {x.kind for x in a.advice} <= {"question"}


def unanswered_with_every_rule(a: maturity.Assessment) -> list[dict]:
    """`advice.unanswered` as first written: each what-if assessed with the whole pack."""
    import dataclasses
    from maturity.advice import fact_tests
    from maturity.model import candidates
    from maturity.recommend import next_dot
    from maturity.relevance import settled
    model, org = a.model, a.organisation
    nxt = next_dot(a)
    now = (a.stage.id, nxt.result.element.id if nxt else None)
    tests, decides = fact_tests(model)
    out = []
    for fact in model.facts:
        if fact.id in org.facts or fact.id in org.answers:
            continue
        changes = False
        for value in candidates(fact, tests.get(fact.id, [])) if fact.id in decides else ():
            if value is not None:
                other = maturity.assess(model, dataclasses.replace(
                    org, facts={**org.facts, fact.id: value}, answers=dict(org.answers)))
                step = next_dot(other)
                if (other.stage.id, step.result.element.id if step else None) != now:
                    changes = True
                    break
        # Whether it is settled is relevance's decision (what `could_change` is checked
        # against here holds only if that is sound: a settled question is not tried).
        out.append({"fact": fact.id, "element": fact.element, "question": fact.question,
                    "could_change": changes, "settled": bool(settled(model, org, [fact.id]))})
    return out


@SETTINGS
@given(st.data())
def test_what_ifs_with_only_the_deciding_rules_say_what_the_whole_pack_says(data):
    """The unanswered questions that could change the stage or the next dot are the same
    whether each what-if runs the rules that set statuses and the stage, or every rule."""
    from maturity.advice import unanswered
    for model in (DEFAULT, TALENT):
        a = assess(model, data.draw(answers(model)))
        assert unanswered(a) == unanswered_with_every_rule(a)


def test_the_deciding_model_keeps_the_status_and_stage_rules_once_per_model():
    from maturity.advice import deciding_model, unanswered
    kept = deciding_model(DEFAULT)
    assert kept is deciding_model(DEFAULT)
    assert [r.id for r in kept.rules] == [r.id for r in DEFAULT.rules if r.status or r.stage]
    assert len(kept.rules) < len(DEFAULT.rules)
    a = assess(DEFAULT, {"platforms.active": ["linkedin"], "content.posts_per_week": 3})
    asked = unanswered(a)
    assert any(u["could_change"] for u in asked) and not all(u["could_change"] for u in asked)
    assert asked == unanswered_with_every_rule(a)


@SETTINGS
@given(st.data())
def test_resolving_alone_gives_the_assessments_statuses_stage_and_next_dot(data):
    """`assess.resolve` (what a what-if runs) concludes what `assess` does, and the next dot
    follows from it as from the assessment."""
    from maturity.assess import resolve
    from maturity.recommend import next_dot_id, remaining
    for model in (DEFAULT, TALENT):
        org = maturity.Organisation("Random Ltd", dict(data.draw(answers(model))), id="random")
        a, r = maturity.assess(model, org), resolve(model, org)
        assert r.stage == a.stage and r.fired == a.fired
        assert [(e.element, e.status, e.done, e.disconnected, e.missing_prerequisites)
                for e in a.elements] == [(e.element, e.status, e.done, e.disconnected,
                                          e.missing_prerequisites) for e in r.elements]
        assert r.element(model.elements[-1].id) == r.elements[-1]
        assert (next_dot_id(r), remaining(r)) == (next_dot_id(a), remaining(a))


def test_what_ifs_build_no_results(monkeypatch):
    """The what-ifs of the unanswered questions stop at statuses and the stage: no evidence,
    element results, findings or advice are built for them."""
    import sys
    from maturity.advice import unanswered
    a = assess(DEFAULT, {"platforms.active": ["linkedin"], "content.posts_per_week": 3})
    expected = unanswered_with_every_rule(a)

    def no_results(*args, **kwargs):
        raise AssertionError("a what-if built an assessment's results")
    monkeypatch.setattr(sys.modules["maturity.assess"], "results", no_results)
    assert unanswered(a) == expected


@SETTINGS
@given(st.data())
def test_the_deciding_rules_alone_give_the_stage_statuses_and_next_dot(data):
    """What a batch stores (the stage, each element's status, done and disconnected, the next
    dot) is the same from the rules that set statuses and the stage as from every rule."""
    from maturity.advice import deciding_model
    from maturity.recommend import next_dot_id
    for model in (DEFAULT, TALENT):
        org = data.draw(answers(model))
        whole, deciding = assess(model, org), assess(deciding_model(model), org)

        def stored(a):
            return (a.stage.id, [(e.element.id, e.status.id, e.done, e.disconnected) for e in a.elements],
                    next_dot_id(a))
        assert stored(deciding) == stored(whole)


# Fewer what-ifs, the same answer ----------------------------------------------------------

def _mixed_pack() -> maturity.Model:
    """The tiny pack with deciding rules that mix facts with statuses under `not`, `any` and
    `present`, so that a what-if's rules are partly decided by the answers alone."""
    import tempfile
    from conftest import TINY_PACK, write_pack
    facts = TINY_PACK["facts"] + [{"id": "purpose.reviewed", "element": "purpose", "type": "boolean"}]
    rules = TINY_PACK["rules"] + [
        {"id": "stage.mixed", "because": "mixed",  # the only rules on purpose.reviewed
         "when": {"all": [{"done": "purpose", "equals": True},
                          {"not": {"fact": "purpose.reviewed", "equals": False}},
                          {"any": [{"count": "platforms.channels", "gte": 2},
                                   {"fact": "audience.personas", "present": False}]}]},
         "then": {"stage": "engaging"}},
        {"id": "stage.unconnected", "because": "reviewed, platforms not done",
         "when": {"all": [{"not": {"done": "platforms", "equals": True}},
                          {"fact": "purpose.reviewed", "equals": True}]},
         "then": {"stage": "strategised"}},
        {"id": "platforms.negated", "because": "negated",
         "when": {"not": {"any": [{"fact": "platforms.measure", "equals": "none"},
                                  {"fact": "audience.personas", "lt": 2}]}},
         "then": {"status": {"platforms": "started"}}},
        {"id": "purpose.started", "because": "either",
         "when": {"any": [{"fact": "purpose.goals_written", "present": True},
                          {"not": {"fact": "platforms.channels", "contains": "tiktok"}}]},
         "then": {"status": {"purpose": "started"}}},
    ]
    folder = Path(tempfile.mkdtemp(prefix="dots-test-mixed-"))
    return maturity.load_pack(write_pack(folder, facts=facts, rules=rules))


def _generated_pack(n: int) -> maturity.Model:
    import sys
    import tempfile
    sys.path.insert(0, str(ROOT / "bench"))
    import models
    path = Path(tempfile.mkdtemp(prefix="dots-test-generated-")) / f"generated-{n}.yaml"
    path.write_text(yaml.safe_dump(models.model(n), sort_keys=False), "utf-8")
    return maturity.load_pack(path)


MIXED = _mixed_pack()
GENERATED = _generated_pack(15)


def some_answers(model: maturity.Model) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={f.id: answer(f) for f in model.facts})


@SETTINGS
@given(st.data())
def test_trying_one_answer_of_each_kind_says_what_trying_every_answer_says(data):
    """`unanswered` skips the answers whose every deciding rule comes out as with no answer,
    or as with an answer already tried: the questions flagged are those of the exhaustive
    loop, on packs whose rules mix answers with statuses, negations and `present`, and on a
    generated model."""
    from maturity.advice import unanswered
    for model in (MIXED, GENERATED):
        a = assess(model, data.draw(some_answers(model)))
        assert unanswered(a) == unanswered_with_every_rule(a)


def test_an_answer_the_rules_read_as_none_is_tried_when_it_makes_a_dot_known():
    # Found by hypothesis: nothing is asked about Audience, whose status rules ask about
    # audience.personas and platforms.measure, so Audience is not answered, Platforms (on it)
    # is not known to be done, and `stage.unconnected` ("not done platforms") cannot fire. An
    # answer to platforms.measure that the deciding rules read as they read none ("none")
    # still makes Audience known, Platforms known not done, and the stage moves.
    from maturity.advice import unanswered
    from maturity.assess import asked_about
    a = assess(MIXED, {"purpose.reviewed": True, "platforms.channels": ["tiktok"]})
    assert a.unassessed == {"audience"} and "platforms.measure" in asked_about(MIXED)["audience"]
    flagged = {q["fact"]: q["could_change"] for q in unanswered(a)}
    assert flagged["platforms.measure"] is True
    assert unanswered(a) == unanswered_with_every_rule(a)


def test_an_answer_that_decides_no_rule_is_not_tried(monkeypatch):
    """e0.n decides nothing while e0 is not in place (every rule on it needs `e0.yes`), so
    none of its answers is tried; of e1.yes, only `true` (`false` fires what no answer does)."""
    from maturity import advice
    tried = []

    def resolve(model, org, *args):
        tried.append([f for f in org.facts if f not in facts])
        return real(model, org, *args)
    real = advice.resolve
    monkeypatch.setattr(advice, "resolve", resolve)
    facts = {f.id: a for f in GENERATED.facts
             for a in [{"yes": True, "n": 6, "how": "all"}[f.id.split(".")[1]]]}
    facts["e00.yes"] = False
    del facts["e00.n"], facts["e01.yes"]
    asked = advice.unanswered(assess(GENERATED, facts))
    assert [u["fact"] for u in asked] == ["e00.n", "e01.yes"]
    assert tried == [["e01.yes"]]


def test_resolutions_share_element_results_within_a_bound(monkeypatch):
    """What-ifs differ in a few elements: their element results (no evidence) are made once per
    status and connection and shared, up to a bound per model."""
    import sys
    from maturity.assess import resolve
    org = maturity.Organisation("Random Ltd", {"purpose.goals_written": True}, id="random")
    first, again = resolve(DEFAULT, org), resolve(DEFAULT, org)
    assert all(x is y for x, y in zip(first.elements, again.elements))
    assert first.elements == [dataclasses.replace(e, evidence=()) for e in assess(DEFAULT, org.facts).elements]
    monkeypatch.setattr(sys.modules["maturity.assess"], "KEPT_RESULTS", 0)
    resolve(DEFAULT, org).elements
    kept = sys.modules["maturity.assess"]._plan_for(DEFAULT).results
    assert len(kept) == len(DEFAULT.elements)  # emptied first, then this resolution's
