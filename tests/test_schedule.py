"""A roadmap a client can schedule (issue 11, part 6): quick wins in a "Now" phase, each phase's
effort and the stage reached when it is done (worked out by the engine), and quarters from a
start month."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import maturity
from maturity.cli.main import cli
from maturity.schedule import plan

ROOT = Path(__file__).resolve().parent.parent
MODEL = maturity.load_pack()


def example(name: str) -> maturity.Assessment:
    facts = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text("utf-8"))["facts"]
    return maturity.assess(MODEL, maturity.Organisation("Client", facts, id="client"))


def test_hygiene_quick_wins_come_first_and_are_not_repeated_later():
    a = example("just-do-it")
    phases = plan(a)
    assert phases[0].number == 0 and phases[0].label == "Now"
    wins = {x.advice.id for x in phases[0].quick_wins}
    assert {"stop-and-strategise", "track-source", "mobile-apply", "response-target"} <= wins
    assert all(x.kind == "action" and x.advice.timeframe == "now" for x in phases[0].quick_wins)
    later = {x.advice.id for p in phases[1:] for s in p.steps for x in s.actions}
    assert not wins & later


def test_each_phase_has_an_effort_and_a_projected_stage_that_never_falls():
    a = example("just-do-it")
    phases = plan(a)
    ranks = [p.projected.rank for p in phases]
    assert ranks == sorted(ranks) and ranks[0] == a.stage.rank
    # Every dot done and connected, and engagement optimised, as the top stage needs and its
    # step says ("a stage above needs it optimised"): the whole roadmap reaches the top stage.
    assert phases[-1].projected.id == "engaging"
    # Purpose and audience done after the first two phases: at least focused.
    second = next(p for p in phases if p.number == 2)
    assert second.projected.rank >= MODEL.stage_by_id["focused"].rank
    assert all(p.effort in ("small", "medium", "large") for p in phases)


def test_start_month_turns_phases_into_quarters():
    phases = plan(example("broadcasting"), "2027-01")
    assert (phases[0].starts, phases[0].ends) == ("2027-Q1", "2027-Q1")
    dated = [(p.starts, p.ends) for p in phases if p.number]
    assert dated[0][0] == "2027-Q1"
    for (_, end), (begin, _) in zip(dated, dated[1:]):
        year, q = end.split("-Q")
        assert begin == (f"{year}-Q{int(q) + 1}" if q != "4" else f"{int(year) + 1}-Q1")


def test_roadmap_json_and_text_with_start():
    data = maturity.roadmap_data(example("just-do-it"), "2027-01")
    first = data["phases"][0]
    assert (first["phase"], first["label"], first["quick_wins"]) == (0, "Now", True)
    for phase in data["phases"]:
        assert {"effort", "projected_stage", "starts", "ends"} <= set(phase)
        assert list(phase["projected_stage"]) == ["id", "label", "rank"]
    text = maturity.roadmap_text(example("just-do-it"), start="2027-01")
    assert "Now: to start at once (medium effort, 2027-Q1)" in text  # quick wins if small
    assert "2027-Q1" in text and "when it is done, the stage is" in text


@pytest.mark.parametrize("bad", ["2027-13", "next year", "2027-1"])
def test_a_bad_start_month_is_one_clear_error(bad, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["roadmap", str(ROOT / "examples" / "just-do-it.yaml"), "--start", bad])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: --start: '{bad}' is not a month")
    assert "Traceback" not in result.output


def test_a_dot_whose_actions_all_moved_to_now_points_there_and_says_nothing_false():
    from maturity.report import roadmap_text
    a = example("just-do-it")
    phases = plan(a)
    now = {x.advice.element for x in phases[0].quick_wins}
    emptied = [s.result.element.id for p in phases[1:] for s in p.steps if not s.actions]
    assert emptied and set(emptied) <= now  # purpose: all its advice is a quick win
    text = roadmap_text(a)
    assert text.count('do: start with its quick wins under "Now" above') == len(emptied)
    assert "no advice rule fired" not in text


def test_a_dot_done_already_that_a_stage_above_needs_higher_is_taken_there():
    # The connected example with engagement connected too: every dot is done, and Engaging
    # needs Engagement optimised. The roadmap's phase aims at that level, so finishing it
    # reaches Engaging (it said Connected, where the organisation already is), the roadmap
    # counts the dot as one to take further, and the report's summary does not call the next
    # dot one "to connect".
    from maturity.report import roadmap_text
    from maturity.reportdata import report_data
    model, org = maturity.load_facts(ROOT / "examples" / "connected.yaml")
    facts = {**org.facts, "engagement.response_target": True, "engagement.response_time_hours": 12,
             "engagement.offline_actions": ["apply", "refer", "attend_event", "join_talent_community"],
             "engagement.measurement": "hires"}
    a = maturity.assess(model, maturity.Organisation("Larchmont", facts))
    assert all(e.done for e in a.elements) and a.stage.id == "connected"
    phases = [p for p in plan(a) if p.steps]
    assert [[s.result.element.id for s in p.steps] for p in phases] == [["engagement"]]
    assert phases[-1].projected.id == "engaging"
    assert "Roadmap: 1 dot to take further in 1 phase" in roadmap_text(a)
    summary = report_data(a)["summary"]["text"]
    assert summary.endswith("The next step is to take Engagement, connected already, to optimised, "
                            "which a stage above needs.")
