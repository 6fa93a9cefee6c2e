"""maturity.recommend: the next dot is the first element in model order that is not done and
whose prerequisites are all done; the roadmap puts what is left in phases (topological
generations) and never puts an element before one of its prerequisites. Checked on the tiny
pack, and with hypothesis on random dependency graphs written as packs."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import maturity
from conftest import TINY_PACK, ORG_ACME, ORG_BETA, write_pack


def assess(model: maturity.Model, facts: dict) -> maturity.Assessment:
    return maturity.assess(model, maturity.Organisation("Acme", facts))


def phases(a: maturity.Assessment) -> list[list[str]]:
    return [[s.result.element.id for s in phase] for phase in maturity.roadmap(a)]


# The tiny pack: purpose -> audience -> platforms -----------------------------------------

def test_next_dot_is_the_first_element_whose_prerequisites_are_done(tiny_model):
    a = assess(tiny_model, {"purpose.goals_written": True, "audience.personas": 1})
    step = maturity.next_dot(a)
    assert step.result.element.id == "audience"
    assert (step.waits_for, step.prerequisites_done) == ((), ("purpose",))
    assert step.reasons == ("Audience is started, below the level at which it counts as done",
                            "some personas", "builds on Purpose (done)")
    assert phases(a) == [["audience"], ["platforms"]]


def test_next_dot_is_never_a_disconnected_element(tiny_model):
    # platforms is further along than anything, but its foundations are missing.
    a = assess(tiny_model, ORG_ACME)
    step = maturity.next_dot(a)
    assert step.result.element.id == "purpose"
    assert step.reasons == ("Purpose is missing, below the level at which it counts as done",
                            "no rule found evidence of work on Purpose", "has no prerequisites")
    assert [x.advice.id for x in step.actions] == ["write-purpose"]
    assert phases(a) == [["purpose"], ["audience"], ["platforms"]]
    platforms = maturity.roadmap(a)[2][0]
    assert platforms.waits_for == ("audience",)
    assert platforms.reasons[-2:] == ("waits for Audience",
                                      "work on it has started before its foundations: a disconnected dot")


def test_everything_done_means_no_next_dot_and_an_empty_roadmap(tiny_model):
    a = assess(tiny_model, ORG_BETA)
    assert maturity.next_dot(a) is None
    assert maturity.roadmap(a) == []
    assert maturity.next_data(a)["complete"] is True
    assert maturity.roadmap_text(a).endswith("Roadmap: nothing left, every dot is connected\n")


def test_ties_go_to_model_order(tmp_path: Path):
    # Without edges every element could come next: the first listed wins, and the roadmap
    # has one phase with all three side by side, in model order.
    elements = [{"id": "platforms", "label": "Platforms"}, {"id": "purpose", "label": "Purpose"},
                {"id": "audience", "label": "Audience"}]
    model = maturity.load_pack(write_pack(tmp_path, elements=elements, edges=None))
    a = assess(model, {})
    # The next stage (strategised) needs purpose done: of the dots that could come next, the
    # one the next stage needs comes first.
    assert maturity.next_dot(a).result.element.id == "purpose"
    assert phases(a) == [["platforms", "purpose", "audience"]]
    no_stages = [r for r in TINY_PACK["rules"] if "stage" not in r["then"]]
    model = maturity.load_pack(write_pack(tmp_path, dirname="plain", elements=elements, edges=None,
                                          rules=no_stages))
    assert maturity.next_dot(assess(model, {})).result.element.id == "platforms"


def test_editing_one_edge_in_a_copy_changes_the_next_dot(tmp_path: Path):
    original = write_pack(tmp_path, dirname="original")
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    text = (copy / "pack.yaml").read_text("utf-8")
    assert "  - {from: audience, to: platforms}\n" in text
    (copy / "pack.yaml").write_text(text.replace("{from: audience, to: platforms}",
                                                 "{from: platforms, to: audience}"), "utf-8")
    facts = {"purpose.goals_written": True}
    a = assess(maturity.load_pack(original), facts)
    assert maturity.next_dot(a).result.element.id == "audience"
    assert phases(a) == [["audience"], ["platforms"]]
    # Now audience builds on platforms too: platforms, later in model order, comes first.
    b = assess(maturity.load_pack(copy), facts)
    assert maturity.next_dot(b).result.element.id == "platforms"
    assert phases(b) == [["platforms"], ["audience"]]
    assert maturity.next_dot(b).result.status.id == "missing"


def test_done_follows_the_edges_of_the_pack(tmp_path: Path):
    # purpose, platforms defined; the audience known missing (with it unanswered, it could be done)
    facts = {"purpose.goals_written": True, "platforms.measure": "hires", "audience.personas": 0}
    chain = assess(maturity.load_pack(write_pack(tmp_path, dirname="chain")), facts)
    assert (chain.element("platforms").done, chain.element("platforms").disconnected) == (False, True)
    edges = [{"from": "purpose", "to": "audience"}, {"from": "purpose", "to": "platforms"}]
    fork = assess(maturity.load_pack(write_pack(tmp_path, dirname="fork", edges=edges)), facts)
    assert (fork.element("platforms").done, fork.element("platforms").disconnected) == (True, False)
    assert maturity.next_dot(fork).result.element.id == "audience"
    assert phases(fork) == [["audience"]]


def test_roadmap_json_and_text(tiny_model):
    a = assess(tiny_model, ORG_ACME)
    data = maturity.roadmap_data(a)
    assert [(p["phase"], [e["id"] for e in p["elements"]]) for p in data["phases"]] == [
        (1, ["purpose"]), (2, ["audience"]), (3, ["platforms"])]
    assert data["complete"] is False
    assert "Roadmap: 3 dots to connect in 3 phases" in maturity.roadmap_text(a)


# Random dependency graphs ----------------------------------------------------------------

STATUSES = [{"id": "missing"}, {"id": "started"}, {"id": "defined", "done": True},
            {"id": "optimised", "done": True}]


@st.composite
def graphs(draw) -> tuple[int, list[tuple[int, int]], list[int], list[int]]:
    """A DAG over 3-8 elements (edges only from lower to higher number, in a random model
    order), and a level 0-3 for each element."""
    n = draw(st.integers(3, 8))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 12)))
    order = draw(st.permutations(range(n)))  # model order is not the dependency order
    levels = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return n, edges, list(order), levels


def graph_pack(n: int, edges: list[tuple[int, int]], order: list[int]) -> dict:
    """Element eK's status is set by fact eK.level (0-3) through three rules."""
    return {
        "pack": {"id": "dag", "label": "DAG"},
        "statuses": STATUSES,
        "elements": [{"id": f"e{k}", "label": f"E{k}"} for k in order],
        "edges": [{"from": f"e{i}", "to": f"e{j}"} for i, j in edges],
        "stages": [{"id": "only"}],
        "facts": [{"id": f"e{k}.level", "element": f"e{k}", "type": "integer", "min": 0, "max": 3}
                  for k in range(n)],
        "rules": [{"id": f"e{k}.l{level}", "when": {"fact": f"e{k}.level", "gte": level},
                   "then": {"status": {f"e{k}": STATUSES[level]["id"]}}}
                  for k in range(n) for level in (1, 2, 3)],
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_next_dot_and_roadmap_respect_every_edge(graph):
    n, edges, order, levels = graph
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.yaml"
        path.write_text(yaml.safe_dump(graph_pack(n, edges, order), sort_keys=False), "utf-8")
        model = maturity.load_pack(path)
    a = assess(model, {f"e{k}.level": levels[k] for k in range(n)})
    prereqs = {f"e{j}": {f"e{i}" for i, jj in edges if jj == j} for j in range(n)}

    done: dict[str, bool] = {}
    for k in range(n):  # edges go from lower to higher numbers: this is a dependency order
        e = f"e{k}"
        done[e] = levels[k] >= 2 and all(done[p] for p in prereqs[e])
    assert {r.element.id: r.done for r in a.elements} == done
    assert {r.element.id: r.status.id for r in a.elements} == {f"e{k}": STATUSES[levels[k]]["id"] for k in range(n)}
    assert {r.element.id: r.disconnected for r in a.elements} == {
        e: levels[int(e[1:])] > 0 and not all(done[p] for p in prereqs[e]) for e in done}

    in_order = [f"e{k}" for k in order]
    left = [e for e in in_order if not done[e]]
    ready = [e for e in left if all(done[p] for p in prereqs[e])]
    step = maturity.next_dot(a)
    assert (step.result.element.id if step else None) == (ready[0] if ready else None)

    plan = phases(a)
    assert sorted(e for phase in plan for e in phase) == sorted(left)  # each left element once
    phase_of = {e: number for number, phase in enumerate(plan) for e in phase}
    for e in left:
        waiting = [p for p in prereqs[e] if not done[p]]
        # never before a prerequisite, and no later than needed: right after the last one
        assert all(phase_of[p] < phase_of[e] for p in waiting)
        assert phase_of[e] == (max(phase_of[p] for p in waiting) + 1 if waiting else 0)
    for phase in plan:
        assert phase == [e for e in in_order if e in phase]  # side by side, in model order
    if plan:
        assert plan[0] == ready


def test_a_done_dot_the_roadmap_revisits_is_numbered_once():
    # The levels pack's top stage needs careers site embedded: the roadmap revisits it though it
    # is done (in place). It keeps its place among the done dots, in the picture and the
    # scorecard, and every dot has one number.
    from maturity.recommend import connection_order
    from maturity.render import to_dot
    from maturity.reportdata import report_data
    model = maturity.load_pack("levels")
    a = assess(model, {"careers_site.state": "in_place", "job_ads.state": "embedded",
                       "advocacy.state": "in_place"})
    assert "careers_site" in [s.result.element.id for phase in maturity.roadmap(a) for s in phase]
    order = connection_order(a)
    assert sorted(order) == sorted(e.id for e in model.elements)
    assert order[:2] == ["careers_site", "job_ads"]
    assert sorted(row["n"] for row in report_data(a)["scorecard"]) == list(range(1, 7))
    import re
    numbers = dict(re.findall(r'^\t(\w+) \[label="(\d+)\. ', to_dot(a), re.M))
    assert numbers == {e: str(n) for n, e in enumerate(order, 1)}


def test_a_dot_with_no_answer_is_not_said_to_be_missing():
    # Its status is the lowest only for want of answers: the reason says so. Once one of the
    # questions its status rests on has an answer (even "don't know"), the status is stated.
    model = maturity.load_pack(None)
    step = maturity.next_dot(assess(model, {}))
    assert step.result.element.id == "purpose"
    assert step.reasons == ("none of the questions about Purpose is answered yet, so no answer "
                            "shows work on it", "has no prerequisites")
    # Goals not written: no answer shows work on Purpose, and the questions still open could
    # (a named owner starts it), so it is not said to be missing.
    answered = maturity.next_dot(assess(model, {"purpose.goals_written": False}))
    assert answered.reasons[:2] == ("no answer so far shows work on Purpose; questions not answered "
                                    "yet could show some", "has no prerequisites")
    from maturity.organisation import Answer, DONT_KNOW
    org = maturity.Organisation("Acme", {}, answers={"purpose.goals_written": Answer(None, DONT_KNOW)})
    unsure = maturity.next_dot(maturity.assess(model, org))
    # the other questions are open: what they say could make it done
    assert unsure.reasons[0] == ("no answer so far shows work on Purpose; whether it is done rests on "
                                 "questions not answered yet")


def test_a_dot_with_no_answer_is_shown_not_answered_wherever_its_status_is_shown():
    # Not "Missing": the text's elements and next dot, the report's scorecard and the end of an
    # interview say it is not answered; a dot with an answer (even "don't know") shows its status,
    # "Not known" where no answer shows work on it and the questions still open could.
    from maturity.explain import shown_status, unassessed
    from maturity.interview import summary_lines
    from maturity.organisation import Answer, DONT_KNOW
    from maturity.report import assessment_text
    from maturity.reportdata import report_data
    model = maturity.load_pack(None)
    org = maturity.Organisation("Acme", {"audience.personas": 0},
                                answers={"brand.evp_documented": Answer(None, DONT_KNOW)})
    a = maturity.assess(model, org)
    assert [unassessed(a, e) for e in a.elements] == [True, False, False, True, True, True]
    assert [shown_status(a, e) for e in a.elements] == ["Not answered", "Not known", "Not known",
                                                         "Not answered", "Not answered", "Not answered"]
    text = assessment_text(a)
    assert "  Purpose                                 Not answered  NEXT\n" in text
    assert "  Defined Target Audience                 Not known\n" in text
    assert "Next dot: Purpose, not answered yet\n" in text
    rows = {r["id"]: r for r in report_data(a)["scorecard"]}
    assert (rows["purpose"]["status_label"], rows["purpose"]["reason"]) == \
        ("Not answered", "none of its questions is answered yet")
    assert (rows["brand"]["status_label"], rows["brand"]["reason"]) == \
        ("Not known", "no answer shows work on it yet; the questions not answered could")
    assert summary_lines(model, org, a, maturity.next_dot(a), "dots report")[2] == \
        "Next dot: Purpose (purpose), not answered yet"
    # With an answer about every dot (here "don't know"), the column is as wide as before: the
    # statuses' labels decide it. No answer shows work on any, and each could be started.
    from maturity.assess import asked_about
    unsure = {min(asked_about(model)[e.id]): Answer(None, DONT_KNOW) for e in model.elements}
    answered = assessment_text(maturity.assess(model, maturity.Organisation("Acme", {}, answers=unsure)))
    assert "  Purpose                                 Not known   NEXT\n" in answered
    assert "Not answered" not in answered and "Next dot: Purpose, not known yet\n" in answered
    # Answers that rule out every level above the lowest: the status is stated, Missing.
    missing = {"audience.personas": 0, "audience.priority_roles_named": False}
    a = maturity.assess(model, maturity.Organisation("Acme", missing))
    assert shown_status(a, a.element("audience")) == "Missing"


def _without_purpose() -> dict:
    example = Path(__file__).resolve().parents[1] / "examples" / "connected.yaml"
    return {k: v for k, v in yaml.safe_load(example.read_text())["facts"].items()
            if not k.startswith("purpose.")}


def test_the_size_band_alone_is_no_answer_about_a_dot():
    # Purpose's top level needs a number of targets that depends on the size band (a
    # threshold). With every question about Purpose unanswered and the size band given, the
    # band says which number would count, not whether any work is done: Purpose is not
    # answered, and nothing rests on it (no "just do it", no dot disconnected from it).
    from maturity.explain import shown_status
    model = maturity.load_pack(None)
    facts = _without_purpose()
    assert "employer.size_band" in facts
    a = assess(model, facts)
    assert a.unassessed == frozenset({"purpose"})
    assert shown_status(a, a.element("purpose")) == "Not answered"
    assert not a.element("audience").disconnected
    found = {f.finding.id for f in a.findings}
    assert "just-do-it" not in found and "audience-disconnected" not in found
    # The size band still picks the number once Purpose is answered.
    a = assess(model, {**facts, "purpose.goals_written": False})
    assert a.unassessed == frozenset() and a.element("purpose").status.id == "missing"


def test_a_question_about_the_organisation_as_a_whole_is_no_answer_about_a_dot():
    # Platforms' top rule tests the size band itself (a talent community is for 50 people or
    # more), not through a threshold. Answering only the size band left Platforms "Missing",
    # the next dot, and every dot above it "ahead of its foundations" on that alone.
    model = maturity.load_pack(None)
    assert model.fact_by_id["employer.size_band"].element is None
    a = assess(model, {"employer.size_band": "medium"})
    assert a.unassessed == frozenset(e.id for e in model.elements)
    facts = {f: v for f, v in _without_purpose().items() if not f.startswith("platforms.")}
    a = assess(model, {**facts, "purpose.goals_written": True})
    assert "platforms" in a.unassessed and not a.element("engagement").disconnected


def test_a_dot_on_a_foundation_not_answered_is_not_said_to_be_ahead_of_it():
    # Every dot but Engagement is at a done level, and Purpose, beneath them all, is not
    # answered: whether they are done is not known. Nothing calls them ahead of their
    # foundations, disconnected or not done; what is said names Purpose, not answered.
    from maturity.advice import strengths
    from maturity.explain import foundations_text
    from maturity.render import to_dot
    from maturity.reportdata import report_data
    model = maturity.load_pack(None)
    a = assess(model, _without_purpose())
    assert a.done_unknown == frozenset({"purpose", "audience", "brand", "content", "platforms"})
    assert a.disconnected == []
    content = a.element("content")
    assert foundations_text(a, content) == "Purpose is not answered"
    said = {s.element: s.text for s in strengths(a)}
    assert said["content"].startswith("Content / Messaging is defined; whether its foundations are "
                                      "done is not known (Purpose not answered). ")
    assert not [t for t in said.values() if "ahead of its foundations" in t]
    steps = {s.result.element.id: s for phase in maturity.roadmap(a) for s in phase}
    assert steps["content"].reasons[0] == ("Content / Messaging is defined but whether its foundations "
                                           "are done is not known (Purpose not answered)")
    done = {r["id"]: r["done_label"] for r in report_data(a)["scorecard"]}
    assert done == {"purpose": "not known", "audience": "not known", "brand": "not known",
                    "content": "not known", "platforms": "not known", "engagement": "no"}
    # Engagement, started on Content and Platforms, is disconnected if either is not done: the
    # scorecard said "no" (and every dot above Purpose could be, as Purpose itself could be).
    assert {r["disconnected_label"] for r in report_data(a)["scorecard"]} == {"not known"}
    jdi = assess(model, yaml.safe_load((Path(__file__).resolve().parents[1] / "examples" /
                                        "just-do-it.yaml").read_text("utf-8"))["facts"])
    assert {r["id"]: r["disconnected_label"] for r in report_data(jdi)["scorecard"]} == {
        "purpose": "no", "audience": "no", "brand": "no", "content": "yes", "platforms": "yes",
        "engagement": "yes"}
    picture = to_dot(a)
    edges = {line.split("[")[0].strip(): line for line in picture.splitlines()
             if "->" in line and "legend" not in line}
    assert not [e for e, line in edges.items() if "dashed" in line]
    # The edges from a dot whose done is not known are drawn dotted, with a legend row of their own.
    assert all("style=dotted" in line for line in edges.values())  # every source is such a dot
    assert "builds on a dot not known to be done" in picture and "not yet done" not in picture
    # Purpose itself is one of the five the scorecard says "not known" of.
    assert ("0 of 6 dots are connected so far. Whether 5 are connected is not known until "
            "Purpose is answered.") in report_data(a)["summary"]["text"]
    # Audience answered and not done: Brand is disconnected on it, and Purpose is named apart.
    a = assess(model, {**_without_purpose(), "audience.priority_roles_named": False,
                       "audience.personas": 0, "audience.research_sources": []})
    assert a.element("audience").status.id == "missing"
    assert "audience" not in a.done_unknown and a.element("brand").disconnected
    assert foundations_text(a, a.element("brand")) == \
        "Defined Target Audience is not done; Purpose is not answered"
    edges = {line.split("[")[0].strip(): line for line in to_dot(a).splitlines() if "->" in line}
    assert "dashed" in edges["audience -> brand"] and "dotted" in edges["purpose -> brand"]
    assert {r["id"]: r["done_label"] for r in report_data(a)["scorecard"]}["audience"] == "no"
    # Brand answered and not done: Content is disconnected on it, not on Audience, whose done is
    # not known (optimised, on Purpose not answered): only the edge from Brand is drawn so.
    a = assess(model, {**_without_purpose(), "brand.evp_documented": False})
    assert not a.element("brand").status.done and "audience" in a.done_unknown
    assert foundations_text(a, a.element("content")) == \
        "Employment Brand & Workforce Marketing is not done; Purpose is not answered"
    edges = {line.split("[")[0].strip(): line for line in to_dot(a).splitlines() if "->" in line}
    assert "dashed" in edges["brand -> content"] and "dashed" not in edges["audience -> content"]


def test_a_dot_whose_done_rests_on_an_open_question_is_not_said_to_be_not_done():
    # The connected example without its answer about platform research: Audience shows Started
    # (roles, personas and sources answered), and the rule that would make it optimised asks about
    # the open question. Its done is open, and nothing above it is called disconnected or ahead of
    # it (it was: four "started before its foundations" findings, each resting on that question).
    from maturity.advice import strengths
    from maturity.explain import foundations_text
    from maturity.render import to_dot
    from maturity.reportdata import report_data
    model, org = maturity.load_facts(Path(__file__).resolve().parents[1] / "examples" / "connected.yaml")
    facts = {f: v for f, v in org.facts.items() if f != "audience.platform_research"}
    a = assess(model, facts)
    assert a.element("audience").status.id == "started" and a.unassessed == frozenset()
    assert a.done_open == frozenset({"audience"})
    assert a.done_unknown == frozenset({"audience", "brand", "content", "platforms"})
    assert a.disconnected == [] and not [f for f in a.findings if f.finding.id.endswith("-disconnected")]
    assert foundations_text(a, a.element("content")) == "Defined Target Audience is not known to be done"
    said = {s.element: s.text for s in strengths(a)}
    assert said["brand"].startswith("Employment Brand & Workforce Marketing is defined; whether its "
                                    "foundations are done is not known (Defined Target Audience not "
                                    "known to be done). ")
    step = maturity.next_dot(a)
    assert step.result.element.id == "audience"
    assert step.reasons[0] == ("Defined Target Audience is started; whether it is done rests on "
                               "questions not answered yet")
    data = report_data(a)
    assert {r["id"]: r["done_label"] for r in data["scorecard"]} == {
        "purpose": "yes", "audience": "not known", "brand": "not known", "content": "not known",
        "platforms": "not known", "engagement": "no"}
    assert ("1 of 6 dots is connected so far (Purpose). Whether 4 more are connected is not known "
            "until the open questions of Defined Target Audience are answered.") in data["summary"]["text"]
    edges = {line.split("[")[0].strip(): line for line in to_dot(a).splitlines() if "->" in line}
    assert "dotted" in edges["audience -> brand"] and "dashed" not in edges["audience -> brand"]
    # Answered no, the audience is known not done, and the dots above are disconnected on it.
    a = assess(model, {**facts, "audience.platform_research": False})
    assert a.done_open == frozenset() and a.element("brand").disconnected
    # A question no done-level rule of the dot can still use leaves its done known: Purpose
    # without its owner answered is defined and done all the same.
    a = assess(model, {f: v for f, v in org.facts.items() if f != "purpose.owner_named"})
    assert "purpose" not in a.done_open and a.element("purpose").done


def test_a_step_whose_reason_restates_its_status_says_it_once():
    # The levels pack's reasons restate the status ("Careers site is in place."): the step
    # says "Careers site is in place; a stage above needs it embedded", not that and the reason.
    model = maturity.load_pack("levels")
    a = assess(model, {"careers_site.state": "in_place", "job_ads.state": "embedded",
                       "advocacy.state": "in_place"})
    steps = {s.result.element.id: s for phase in maturity.roadmap(a) for s in phase}
    assert steps["careers_site"].reasons == ("Careers site is in place; a stage above needs it embedded",
                                             "has no prerequisites")
    # Nothing was asked about Employer brand: advocacy's foundations are not answered, and it
    # is not called disconnected on them.
    assert steps["advocacy"].reasons == (
        "Employee advocacy is in place but whether its foundations are done is not known "
        "(Employer brand not answered)",
        "waits for Employer brand")
