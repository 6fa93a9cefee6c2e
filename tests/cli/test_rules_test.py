"""`dots rules test [PACK]`: a line per case, differences on failure, coverage, the count line,
exit codes; and every command on the second built-in model and its example."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import maturity
from bundled import invoke
from maturity.cli.pack_commands import rules_group
from conftest import write_pack, write_text

ROOT = Path(__file__).resolve().parents[2]
TC_EXAMPLE = "talent-community-brightwell"

CASES = """\
tests:
  - id: empty
    facts: {purpose.goals_written: false}
    expect: {stage: just_do_it, next: purpose, disconnected: [], advice: [write-purpose]}
  - id: all-done
    facts: {purpose.goals_written: true, audience.personas: 4, platforms.measure: hires}
    expect: {stage: engaging, next: null}
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path



def tiny_with(folder: Path, cases: str) -> str:
    pack = write_pack(folder)
    write_text(pack / "tests.yaml", cases)
    return "tiny"


def test_passing_cases(workdir):
    result = invoke(["rules", "test", tiny_with(workdir, CASES)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        "PASS empty\n"
        "PASS all-done\n"
        "stages no test case reaches: strategised\n"
        "rules no test case fires: platforms.started, find.disc\n"
        "2 passed, 0 failed\n")


def test_a_failing_case_shows_the_difference_and_exits_1(workdir):
    cases = CASES.replace("stage: engaging, next: null", "stage: strategised, next: audience")
    result = invoke(["rules", "test", tiny_with(workdir, cases)])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout == (
        "PASS empty\n"
        "FAIL all-done\n"
        "  stage: expected strategised, got engaging\n"
        "  next: expected audience, got none (all connected)\n"
        "stages no test case reaches: strategised\n"
        "rules no test case fires: platforms.started, find.disc\n"
        "1 passed, 1 failed\n")


def test_json_format(workdir):
    cases = CASES.replace("stage: engaging", "stage: strategised")
    result = invoke(["rules", "test", tiny_with(workdir, cases), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert list(data) == ["format", "pack", "cases", "unreached_stages", "unfired_rules",
                          "impossible_rules", "passed", "failed"]
    assert data["cases"][1] == {"id": "all-done", "passed": False, "stage": "engaging",
                                "differences": [{"field": "stage", "expected": "strategised",
                                                 "got": "engaging"}]}
    assert (data["passed"], data["failed"]) == (1, 1)
    assert data["unfired_rules"] == ["platforms.started", "find.disc"]


def test_bad_facts_in_a_case_give_a_located_error_and_no_traceback(workdir):
    cases = CASES.replace("facts: {purpose.goals_written: false}", "facts: {purpose.goals_writen: true}")
    result = invoke(["rules", "test", tiny_with(workdir, cases)])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: tiny/tests.yaml:3:13: unknown fact 'purpose.goals_writen'\n"
                             "  hint: did you mean 'purpose.goals_written'?\n")
    assert "Traceback" not in result.output


def test_an_unknown_expected_id_is_located(workdir):
    cases = CASES.replace("next: purpose", "next: purpos")
    result = invoke(["rules", "test", tiny_with(workdir, cases)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: tiny/tests.yaml:4:39: unknown element 'purpos'\n"
                             "  hint: did you mean 'purpose'?\n")


def test_a_pack_that_does_not_load_exits_1(workdir):
    result = invoke(["rules", "test", "nopack"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: nopack: no such rule pack\n")


def test_a_pack_without_cases(workdir):
    write_pack(workdir)
    result = invoke(["rules", "test", "tiny"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "pack 'tiny' has no test cases"
    assert result.stdout.splitlines()[-1] == "0 passed, 0 failed"


def test_default_pack_is_the_default(workdir):
    model = maturity.load_pack(None)
    result = invoke(["rules", "test"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:len(model.tests)] == [f"PASS {c.id}" for c in model.tests]
    assert lines[-1] == f"{len(model.tests)} passed, 0 failed"
    assert "every stage reached in some test case" in lines
    assert "every rule fired in some test case" in lines
    assert result.stdout == invoke(["rules", "test", "default"]).stdout


def test_talent_community_pack_passes(workdir):
    result = invoke(["rules", "test", "talent_community"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "PASS nothing-answered\n"
        "PASS silent-list\n"
        "PASS promised-but-silent\n"
        "PASS newsletter\n"
        "PASS nurtured\n"
        "PASS pipeline\n"
        "PASS small-employer-two-hires\n"
        "PASS enterprise-two-hires\n"
        "PASS size-unanswered-two-hires\n"
        "PASS written-proposition-without-segments\n"
        "PASS searched-without-hires\n"
        "PASS location-recorded\n"
        "PASS skills-recorded-most-tagged\n"
        "PASS nothing-recorded\n"
        "every stage reached in some test case\n"
        "every rule fired in some test case\n"
        "14 passed, 0 failed\n")


def test_rules_check_accepts_every_builtin_pack(workdir):
    if "check" not in rules_group.commands:
        pytest.skip("dots rules check is not there yet")
    for pack in maturity.builtin_packs():
        result = invoke(["rules", "check", pack])
        assert result.exit_code == 0, result.output
        assert "error:" not in result.output


# Every command on the second model's example ----------------------------------------------

@pytest.fixture
def tc_example(workdir: Path) -> str:
    shutil.copy(ROOT / "examples" / f"{TC_EXAMPLE}.yaml", workdir / f"{TC_EXAMPLE}.yaml")
    return f"{TC_EXAMPLE}.yaml"


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("json", "json")])
@pytest.mark.parametrize("command", ["assess", "next", "roadmap"])
def test_reports_on_the_talent_community_example(tc_example, golden, command, fmt, suffix):
    result = invoke([command, tc_example, "--rules", "talent_community", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(f"{TC_EXAMPLE}.{command}.{suffix}", result.stdout)


def test_the_talent_community_example_says_what_its_comment_promises(tc_example):
    data = json.loads(invoke(["assess", tc_example, "--rules", "talent_community",
                              "--format", "json"]).stdout)
    assert data["pack"]["id"] == "talent_community"
    assert (data["stage"]["id"], data["stage"]["rank"], data["stage"]["of"]) == ("newsletter", 2, 4)
    assert data["next"]["id"] == "segmentation"
    assert data["disconnected"] == ["nurture", "conversion"]


def test_render_the_talent_community_example(tc_example, golden, workdir):
    result = invoke(["render", tc_example, "--rules", "talent_community", "-o", "tc.dot"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote tc.dot\n"
    golden(f"{TC_EXAMPLE}.dot", (workdir / "tc.dot").read_bytes())
    result = invoke(["render", tc_example, "--rules", "talent_community", "-o", "tc.svg"])
    assert result.exit_code == 0, result.output
    assert "<svg" in (workdir / "tc.svg").read_text("utf-8")


def test_demo_and_facts_on_the_talent_community_pack(workdir):
    result = invoke(["demo", "--example", TC_EXAMPLE, "--rules", "talent_community",
                     "--out-dir", "pictures"])
    assert result.exit_code == 0, result.output
    assert "Stage: Newsletter (2 of 4)" in result.stdout
    result = invoke(["facts", "--rules", "talent_community"])
    assert result.exit_code == 0, result.output
    assert "capture.consent_recorded" in result.stdout


def test_the_talent_community_example_names_its_pack(tc_example):
    # `pack: talent_community` in the file: no --rules needed, and the result is the same.
    result = invoke(["assess", tc_example, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == invoke(["assess", tc_example, "--rules", "talent_community",
                                    "--format", "json"]).stdout
    assert json.loads(result.stdout)["pack"]["id"] == "talent_community"
    result = invoke(["demo", "--example", TC_EXAMPLE, "--out-dir", "pictures"])
    assert result.exit_code == 0, result.output
    assert "Stage: Newsletter (2 of 4)" in result.stdout


def test_rules_that_contradict_the_files_pack_are_an_error_naming_both(tc_example):
    result = invoke(["assess", tc_example, "--rules", "default"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tc_example}:5:7: --rules default is not the pack this file names "
        "(pack: talent_community)\n"
        f"  hint: leave out --rules to use 'talent_community', or change 'pack:' in {tc_example}\n")
