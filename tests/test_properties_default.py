"""Properties of the default pack that must hold for every organisation, checked with random
but valid fact sets drawn from the pack's own fact types (hypothesis):

- the order of rules (and of keys and conditions) in the pack's files changes nothing;
- a roadmap never puts an element before a prerequisite;
- answering one more element like a fully optimised organisation never lowers the stage;
- the same input gives byte-identical JSON, text and DOT.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import maturity
from maturity.targets import stage_needs
from maturity.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
MODEL = maturity.load_pack()
ENTERPRISE = yaml.safe_load((ROOT / "examples" / "enterprise.yaml").read_text("utf-8"))["facts"]
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# Random valid facts ----------------------------------------------------------------------

def _number(fact, integer: bool) -> st.SearchStrategy:
    lo = fact.min if fact.min is not None else -1000
    hi = fact.max if fact.max is not None else 1000
    # Rule thresholds sit near the bottom of each range; favour small values as well.
    ints = st.one_of(st.integers(int(lo), int(min(hi, lo + 60))), st.integers(int(lo), int(hi)))
    if integer:
        return ints
    return st.one_of(ints, st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def answer(fact) -> st.SearchStrategy:
    """Any valid answer to `fact`."""
    if fact.type == "boolean":
        return st.booleans()
    if fact.type in ("integer", "number"):
        return _number(fact, fact.type == "integer")
    if fact.type == "choice":
        return st.sampled_from(fact.values)
    return st.lists(st.sampled_from(fact.values), unique=True)


def test_enterprise_answers_every_fact_validly():
    # The strategies below borrow its answers; they must be complete and valid.
    assert set(ENTERPRISE) == {f.id for f in MODEL.facts}
    org = maturity.load_organisation(ROOT / "examples" / "enterprise.yaml", MODEL)
    assert all(e.status.id == "optimised" for e in maturity.assess(MODEL, org).elements)


@st.composite
def fact_sets(draw) -> dict[str, Any]:
    """A valid fact set: for each element, random answers or the enterprise's (so that every
    stage is reached), then some facts left unanswered."""
    facts: dict[str, Any] = {}
    for element in MODEL.elements:
        like_enterprise = draw(st.booleans())
        for fact in (f for f in MODEL.facts if f.element == element.id):
            facts[fact.id] = ENTERPRISE[fact.id] if like_enterprise else draw(answer(fact))
    unanswered = draw(st.sets(st.sampled_from(sorted(facts))))
    return {k: v for k, v in facts.items() if k not in unanswered}


def organisation(facts: dict[str, Any]) -> maturity.Organisation:
    return maturity.Organisation(name="Random Ltd", facts=dict(facts), id="random")


def outputs(a: maturity.Assessment) -> dict[str, str]:
    """Every rendering of an assessment."""
    return {
        "assess.json": maturity.to_json(maturity.assessment_data(a)),
        "next.json": maturity.to_json(maturity.next_data(a)),
        "roadmap.json": maturity.to_json(maturity.roadmap_data(a)),
        "assess.txt": maturity.assessment_text(a),
        "next.txt": maturity.next_text(a),
        "roadmap.txt": maturity.roadmap_text(a),
        "dot": maturity.to_dot(a),
    }


# (a) Order in the pack's files changes nothing ------------------------------------------

def _shuffled(value: Any, rng: random.Random) -> Any:
    """`value` with the keys of every mapping and the items of every all/any list shuffled."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        result = {}
        for key in keys:
            item = value[key]
            if key in ("all", "any") and isinstance(item, list):
                item = list(item)
                rng.shuffle(item)
            result[key] = _shuffled(item, rng)
        return result
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def shuffled_pack(folder: Path, seed: int) -> maturity.Model:
    """A copy of the default pack with all its rules, from whichever files hold them, in one
    file in a random order, their keys and conditions shuffled too."""
    shutil.copytree(ROOT / "rules" / "default", folder, dirs_exist_ok=True)
    rng = random.Random(seed)
    rules = []
    for file in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(file.read_text("utf-8"))
        if "rules" not in data:
            continue
        rules += data.pop("rules")
        if data:
            file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        else:
            file.unlink()
    rules = [_shuffled(r, rng) for r in rules]
    rng.shuffle(rules)
    (folder / "shuffled-rules.yaml").write_text(
        yaml.safe_dump({"rules": rules}, sort_keys=False, allow_unicode=True, width=1000), "utf-8")
    return maturity.load_pack(folder)


def test_shuffled_pack_really_is_shuffled(tmp_path):
    # Guard: the property below would hold trivially if the copy kept the original order.
    model = shuffled_pack(tmp_path / "pack", 1)
    assert [r.id for r in model.rules] != [r.id for r in MODEL.rules]
    assert sorted(r.id for r in model.rules) == sorted(r.id for r in MODEL.rules)


@SETTINGS
@given(facts=fact_sets(), seed=st.integers(0, 2**32 - 1))
def test_rule_order_changes_nothing(facts, seed):
    with tempfile.TemporaryDirectory() as tmp:
        shuffled = shuffled_pack(Path(tmp) / "pack", seed)
        org = organisation(facts)
        assert outputs(maturity.assess(shuffled, org)) == outputs(maturity.assess(MODEL, org))


# (b) A roadmap respects every edge -------------------------------------------------------

# Found by hypothesis: every dot done, yet the top stage needs engagement optimised.
EVERY_DOT_DONE = {
    'purpose.goals_written': True,
    'purpose.tied_to_hiring_plan': True,
    'purpose.desired_actions': ['apply', 'refer', 'attend_event', 'join_talent_community'],
    'purpose.success_metrics': 5,
    'purpose.reviewed_with_results': True,
    'purpose.owner_named': True,
    'audience.priority_roles_named': True,
    'audience.personas': 7,
    'audience.platform_research': True,
    'audience.research_sources': ['employee_interviews', 'candidate_surveys', 'ats_source_data', 'social_analytics'],
    'audience.months_since_refresh': 4,
    'brand.evp_documented': True,
    'brand.evp_researched_with_employees': True,
    'brand.evp_approved': True,
    'brand.advocacy_program': False,
    'brand.advocates_pct': 0,
    'brand.reviews_answered': False,
    'content.posts_per_week': 15,
    'content.pillars_from_evp': True,
    'content.editorial_calendar': True,
    'content.formats': ['job_ads', 'employee_stories', 'video', 'live_events', 'articles'],
    'content.tailored_per_audience': True,
    'content.employee_created': True,
    'platforms.active': ['linkedin', 'instagram', 'youtube', 'glassdoor'],
    'platforms.chosen_by_audience': True,
    'platforms.owned_channels': ['careers_site', 'talent_community', 'email', 'mobile_site'],
    'platforms.ats_tracks_source': True,
    'platforms.mobile_apply': True,
    'engagement.two_way': True,
    'engagement.response_target': True,
    'engagement.response_time_hours': 0,
    'engagement.offline_actions': ['apply'],
    'engagement.measurement': 'applicants',
    'engagement.results_feed_plan': False,
}


@SETTINGS
@given(facts=fact_sets())
@example(facts=EVERY_DOT_DONE)
def test_roadmap_never_puts_an_element_before_its_prerequisites(facts):
    a = maturity.assess(MODEL, organisation(facts))
    phases = maturity.roadmap(a)
    phase_of = {s.result.element.id: n for n, phase in enumerate(phases) for s in phase}
    # Every element not done is on the roadmap once; a done one only when a stage above the
    # organisation's needs it at a higher status (targets.stage_needs).
    listed = [s.result.element.id for phase in phases for s in phase]
    raise_ = stage_needs(a)
    assert sorted(listed) == sorted(e.element.id for e in a.elements
                                    if not e.done or e.element.id in raise_)
    assert all(raise_[e.element.id].rank > e.status.rank for e in a.elements
               if e.done and e.element.id in listed)
    assert len(listed) == len(set(listed))
    for element_id, n in phase_of.items():
        for prerequisite in MODEL.prerequisites(element_id):
            if not a.element(prerequisite).done:
                assert phase_of[prerequisite] < n, (prerequisite, element_id)
    # The next dot opens the first phase; no next dot means nothing is left.
    nxt = maturity.next_dot(a)
    if nxt is None:
        assert phases == []
    else:
        assert nxt.result.element.id == phases[0][0].result.element.id
        assert all(a.element(p).done for p in MODEL.prerequisites(nxt.result.element.id))


# (c) Completing an element never lowers the stage ---------------------------------------

@SETTINGS
@given(facts=fact_sets(), element=st.sampled_from([e.id for e in MODEL.elements]))
def test_one_more_element_done_never_lowers_the_stage(facts, element):
    before = maturity.assess(MODEL, organisation(facts))
    improved = {k: v for k, v in facts.items() if MODEL.fact_by_id[k].element != element}
    improved.update({f.id: ENTERPRISE[f.id] for f in MODEL.facts if f.element == element})
    after = maturity.assess(MODEL, organisation(improved))
    assert after.element(element).status.id == "optimised"
    assert after.stage.rank >= before.stage.rank, (element, before.stage.id, after.stage.id)


# (d) Same input, same bytes -------------------------------------------------------------

@SETTINGS
@given(facts=fact_sets())
def test_same_input_gives_identical_output(facts):
    first = outputs(maturity.assess(MODEL, organisation(facts)))
    # The second time from a fresh pack, with the answers in the reverse order.
    again = outputs(maturity.assess(maturity.load_pack(), organisation(dict(reversed(facts.items())))))
    assert again == first


# Editing the graph changes the next dot --------------------------------------------------

def _expected_next(model: maturity.Model, a: maturity.Assessment) -> str | None:
    """The next dot worked out from the graph alone: statuses as assessed, an element done when
    its status is a done level and its prerequisites are done, the next dot the first element
    (in model order) not done whose prerequisites all are."""
    done: dict[str, bool] = {}
    pending = [e.id for e in model.elements]
    while pending:  # the graph is acyclic, so every pass settles at least one element
        for element_id in list(pending):
            prerequisites = list(model.prerequisites(element_id))
            if all(p in done for p in prerequisites):
                done[element_id] = (a.element(element_id).status.done
                                    and all(done[p] for p in prerequisites))
                pending.remove(element_id)
    return next((e.id for e in model.elements
                 if not done[e.id] and all(done[p] for p in model.prerequisites(e.id))), None)


def test_turning_an_edge_round_changes_the_next_dot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    facts = str(ROOT / "examples" / "mid-size.yaml")
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "default", pack)
    text = (pack / "pack.yaml").read_text("utf-8")
    old = "{from: content, to: platforms,"
    assert text.count(old) == 1
    (pack / "pack.yaml").write_text(text.replace(old, "{from: platforms, to: content,"), "utf-8")

    runner = CliRunner()
    original = runner.invoke(cli, ["next", facts, "--format", "json"])
    edited = runner.invoke(cli, ["next", facts, "--rules", "pack", "--format", "json"])
    assert (original.exit_code, edited.exit_code) == (0, 0), (original.stderr, edited.stderr)

    default_model, edited_model = MODEL, maturity.load_pack(pack)
    assert ("platforms", "content") in edited_model.graph.edges
    assert ("content", "platforms") not in edited_model.graph.edges
    org = maturity.load_organisation(facts, default_model)
    want_before = _expected_next(default_model, maturity.assess(default_model, org))
    want_after = _expected_next(edited_model, maturity.assess(edited_model, org))
    assert want_before != want_after  # the edit matters for this organisation
    assert json.loads(original.stdout)["next"]["id"] == want_before
    assert json.loads(edited.stdout)["next"]["id"] == want_after
