"""What keeps a command's start and a pack's loading quick (docs/performance.md, "Cold start"),
each held here so that it is not lost unnoticed: the garbage collector is paused while a pack is
read, `dots` freezes what its imports made before the command works and collects after 100,000
new objects rather than 700, and a pack file that holds
only test cases is read when they are asked for (`dots rules test` and `dots rules check`)."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

import maturity
from click.testing import CliRunner
from conftest import TINY_PACK_TEXT, write_pack, write_text
from maturity import pack, yamlio
from maturity.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def collection_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was on when the model was built, for each pack read."""
    seen: list[bool] = []
    build = pack._build_model

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)
    monkeypatch.setattr(pack, "_build_model", spy)
    monkeypatch.setenv("DOTS_PACK_CACHE", "off")
    return seen


def test_no_collection_while_a_pack_is_read_and_on_again_after(collection_seen):
    assert gc.isenabled()
    maturity.load_pack("default")
    assert collection_seen == [False]
    assert gc.isenabled()


def test_collection_is_on_again_after_a_pack_with_errors(tmp_path, collection_seen):
    folder = write_pack(tmp_path / "p", rules=[{"id": "r", "when": {"fact": "nope", "equals": 1},
                                                 "then": {"stage": "nope"}}])
    with pytest.raises(maturity.DataError):
        maturity.load_pack(folder)
    assert collection_seen == [False]
    assert gc.isenabled()


def test_collection_turned_off_by_the_caller_stays_off(collection_seen):
    gc.disable()
    try:
        maturity.load_pack("default")
        assert not gc.isenabled()
    finally:
        gc.enable()


FROZEN = """
import gc, sys
import maturity
from maturity.cli.main import main
assess = maturity.assess
def spy(*args, **kwargs):
    print("frozen when assessing:", gc.get_freeze_count() > 0, file=sys.stderr)
    print("collection after new objects:", gc.get_threshold()[0], file=sys.stderr)
    return assess(*args, **kwargs)
maturity.assess = spy
sys.argv = ["dots"] + sys.argv[1:]
print("frozen before main:", gc.get_freeze_count() > 0, file=sys.stderr)
main()
"""


def test_dots_freezes_what_its_imports_made_and_collects_less_often(tmp_path):
    result = subprocess.run([sys.executable, "-c", FROZEN, "assess",
                             str(ROOT / "examples" / "mid-size.yaml")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["frozen before main: False",
                                           "frozen when assessing: True",
                                           "collection after new objects: 100000"]


# Test cases read when asked for ------------------------------------------------------------

CASES = """\
# test cases
tests:
  - id: empty
    facts: {purpose.goals_written: false}
    expect: {stage: just_do_it}
"""


@pytest.fixture
def files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every YAML file read, in order."""
    read: list[str] = []
    load = yamlio.load

    def spy(path, text=None, name=None):
        read.append(Path(name or path).name)
        return load(path, text, name)
    monkeypatch.setattr(yamlio, "load", spy)
    monkeypatch.setenv("DOTS_PACK_CACHE", "off")
    return read


def test_a_file_of_test_cases_only_is_read_when_they_are_asked_for(files_read):
    model = maturity.load_pack("default")
    assert "tests.yaml" not in files_read and "rules.yaml" in files_read
    assert [c.id for c in model.tests][:2] == ["nothing-answered", "just-do-it"]
    assert files_read[-1] == "tests.yaml"
    assert model.tests[0].loc.file.endswith("tests.yaml") and model.tests[0].loc.line == 8


def _pack_with_cases(folder: Path, cases: str) -> Path:
    write_text(folder / "pack.yaml", TINY_PACK_TEXT)
    write_text(folder / "tests.yaml", cases)
    return folder


BROKEN = CASES + "  - id: empty\n    facts: {nope: 1}\n    expect: {stage: nowhere\n"


SYNTAX = "p/tests.yaml:8:13: YAML syntax error: this bracket is never closed"


def test_broken_test_cases_stop_only_the_commands_that_use_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOTS_PACK_CACHE", "off")
    folder = _pack_with_cases(tmp_path / "p", BROKEN)
    model = maturity.load_pack(folder)  # as the assessment commands do: they do not read them
    with pytest.raises(maturity.DataError) as caught:
        list(model.tests)
    assert [p.format().splitlines()[0] for p in caught.value.problems()] == [f"error: {SYNTAX}"]
    runner = CliRunner()
    test = runner.invoke(cli, ["rules", "test", "p"])
    assert test.exit_code == 1 and test.output.startswith(f"error: {SYNTAX}")
    # The same from a pack read from its files and from the pack cache (it keeps such a pack,
    # which loads: its test cases are read from what it kept).
    checks = []
    for cache in ("off", "on", "on"):
        monkeypatch.setenv("DOTS_PACK_CACHE", cache)
        checks.append(runner.invoke(cli, ["rules", "check", "p"]))
    assert [c.exit_code for c in checks] == [1, 1, 1]
    assert checks[0].output.splitlines()[0] == f"error: {SYNTAX}"
    assert checks[0].output == checks[1].output == checks[2].output


def test_rules_check_reports_problems_in_test_cases_and_elsewhere_in_one_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOTS_PACK_CACHE", "off")
    folder = _pack_with_cases(tmp_path / "p", BROKEN)
    write_text(folder / "pack.yaml", TINY_PACK_TEXT + "rules: [\n")
    errors = [line for line in CliRunner().invoke(cli, ["rules", "check", "p"]).output.splitlines()
              if line.startswith("error: ")]
    assert len(errors) == 2 and errors[0].startswith("error: p/pack.yaml:")
    assert errors[1] == f"error: {SYNTAX}"


def test_rules_check_reports_a_duplicate_and_an_unknown_fact_in_test_cases(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOTS_PACK_CACHE", "off")
    _pack_with_cases(tmp_path / "p", CASES + "  - id: empty\n    facts: {}\n    expect: {stage: just_do_it}\n")
    lines = CliRunner().invoke(cli, ["rules", "check", "p"]).output.splitlines()
    assert lines[0] == "error: p/tests.yaml:6:5: duplicate test case id 'empty'"
    _pack_with_cases(tmp_path / "q", CASES.replace("purpose.goals_written", "purpose.goals_writen"))
    lines = CliRunner().invoke(cli, ["rules", "check", "q"]).output.splitlines()
    assert lines[0].startswith("error: q/tests.yaml:4:13: unknown fact 'purpose.goals_writen'")


@pytest.mark.parametrize("text, only", [
    (CASES, True), ("tests:\n- id: a\n  facts: {}\n", True), ("tests: []\n", True),
    ("tests:  # none yet\n", True), ("\n# nothing\n", False), ("rules: []\n", False),
    (CASES + "rules: []\n", False), ("rules: []\n" + CASES, False), ("{tests: []}\n", False),
    ("---\ntests: []\n", False), ("tests: []\ntests: []\n", False), ("tests_x: []\n", False),
    ("- tests: []\n", False), ("tests: [\n{id: a}]\n", False),
])
def test_what_counts_as_a_file_of_test_cases_only(text, only):
    assert pack.only_tests(text) is only
