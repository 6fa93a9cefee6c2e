"""Bad input to the commands: every case ends with one exact message per problem on stderr
(file:line:column and a hint where there is one), exit code 1 for bad data and 2 for bad usage,
no traceback, and nothing written: no output file appears and the input files are unchanged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

import maturity

from bundled import invoke

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "just-do-it.yaml").read_text("utf-8")
# The packs shipped inside the package: the folders of rules/ with a pack.yaml.
BUILTIN_PACKS = sorted(p.parent.name for p in (ROOT / "rules").glob("*/pack.yaml"))


# Helpers ---------------------------------------------------------------------------------

@pytest.fixture
def workdir(example_workdir: Path) -> Path:
    """The working folder, holding a valid facts file `ok.yaml`."""
    return example_workdir


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under `folder` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}



def assert_fails(result: Result, code: int, stderr: str) -> None:
    """Exit `code` through the CLI's own error handling, with exactly `stderr` and no stdout."""
    # A crash inside CliRunner also exits 1; only a SystemExit means the CLI handled it.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code
    assert result.stderr == stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def run_and_check(folder: Path, args: list[str], code: int, stderr: str) -> None:
    """Run, check the failure, and check that nothing in `folder` was written or changed."""
    before = snapshot(folder)
    assert_fails(invoke(args), code, stderr)
    assert snapshot(folder) == before


def facts_file(folder: Path, name: str, old: str, new: str) -> tuple[str, int, int]:
    """A copy of ok.yaml with `old` (once) replaced by `new`; the file's name and the line and
    column where `new` starts."""
    return edit(folder / "ok.yaml", old, new, new, target=folder / name)


def edit(path: Path, old: str, new: str, token: str, target: Path | None = None) -> tuple[str, int, int]:
    """Replace the one `old` in `path` by `new`; the file's name and the 1-based line and
    column of `token` (a part of `new`) in the result."""
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    edited = text.replace(old, new)
    at = text.index(old) + new.index(token)
    line = edited.count("\n", 0, at) + 1
    column = at - (edited.rfind("\n", 0, at) + 1) + 1
    (target or path).write_text(edited, "utf-8")
    return (target or path).name, line, column


# Facts files -----------------------------------------------------------------------------

def test_missing_facts_file(workdir):
    run_and_check(workdir, ["assess", "missing.yaml", "-o", "out.txt"], 1,
                  "error: missing.yaml: no such file\n  hint: check the path\n")


def test_facts_file_is_a_folder(workdir):
    (workdir / "folder.yaml").mkdir()
    run_and_check(workdir, ["assess", "folder.yaml"], 1,
                  "error: folder.yaml: is a folder, not a file\n")


@pytest.mark.parametrize("content", ["", "\n  \n", "# only a comment\n"])
def test_empty_facts_file(workdir, content):
    (workdir / "empty.yaml").write_text(content, "utf-8")
    run_and_check(workdir, ["assess", "empty.yaml", "-o", "out.txt"], 1,
                  "error: empty.yaml: file is empty\n")


def test_facts_file_not_utf8(workdir):
    # A Latin-1 'é' on line 4: the column is that of the bad byte.
    (workdir / "latin.yaml").write_bytes(
        b"organisation:\n  name: Caf\xc3\xa9 Ltd\nfacts:\n  audience.personas: caf\xe9\n")
    run_and_check(workdir, ["assess", "latin.yaml", "-o", "out.txt"], 1,
                  "error: latin.yaml:4:25: not UTF-8 text\n  hint: save the file as UTF-8\n")


def test_not_utf8_column_counts_characters_not_bytes(workdir):
    # 'é' in UTF-8 is two bytes but one column, as an editor shows it: the bad byte is the
    # 14th character of line 2.
    (workdir / "mixed.yaml").write_bytes(b"organisation:\n  name: Caf\xc3\xa9 \xff\n")
    run_and_check(workdir, ["assess", "mixed.yaml"], 1,
                  "error: mixed.yaml:2:14: not UTF-8 text\n  hint: save the file as UTF-8\n")


def test_yaml_syntax_error_has_line_and_column(workdir):
    (workdir / "syntax.yaml").write_text(
        "organisation:\n  name: X\nfacts:\n  purpose.desired_actions: [apply\n  brand.evp_approved: true\n",
        "utf-8")
    # The parser stops at the ':' after 'brand.evp_approved' (line 5, column 21).
    run_and_check(workdir, ["assess", "syntax.yaml", "-o", "out.txt"], 1,
                  "error: syntax.yaml:5:21: YAML syntax error: expected ',' or ']', but got ':'\n")


@pytest.mark.parametrize("command", ["assess", "next", "roadmap", "render"])
def test_python_tag_is_refused_and_nothing_runs(workdir, tmp_path, command):
    witness = tmp_path / "executed"
    (workdir / "evil.yaml").write_text(
        "organisation:\n  name: X\nfacts:\n"
        f"  purpose.goals_written: !!python/object/apply:os.system ['touch {witness}']\n",
        "utf-8")
    output = "out.svg" if command == "render" else "out.txt"
    run_and_check(workdir, [command, "evil.yaml", "-o", output], 1,
                  "error: evil.yaml:4:26: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
                  "is not allowed\n"
                  "  hint: only plain values, lists and mappings are read; remove the tag\n")
    assert not witness.exists()


def test_unknown_fact_suggests_the_close_one(workdir):
    name, line, column = facts_file(workdir, "typo.yaml", "  purpose.goals_written: false",
                                    "  purpose.goals_writen: false")
    run_and_check(workdir, ["assess", name, "-o", "out.txt"], 1,
                  f"error: typo.yaml:{line}:{column + 2}: unknown fact 'purpose.goals_writen'\n"
                  "  hint: did you mean 'purpose.goals_written'?\n")


def test_unknown_fact_without_close_match_points_to_dots_facts(workdir):
    name, line, column = facts_file(workdir, "odd.yaml", "  purpose.goals_written: false",
                                    "  budget: 10")
    run_and_check(workdir, ["assess", name], 1,
                  f"error: odd.yaml:{line}:{column + 2}: unknown fact 'budget'\n"
                  "  hint: the facts of pack 'default' are listed by 'dots facts'\n")


def test_a_facts_file_for_another_pack_is_one_error_naming_that_pack(workdir):
    # Without 'pack:', the default pack reads a talent-community file: one line for the facts it
    # does not know, not one a fact; a fact it knows is still checked on its own line.
    text = (ROOT / "examples" / "talent-community-brightwell.yaml").read_text("utf-8")
    text = text.replace("pack: talent_community\n", "").replace("facts:\n", "facts:\n  audience.personas: six\n", 1)
    (workdir / "tc.yaml").write_text(text, "utf-8")
    lines = text.splitlines()
    at = lines.index("facts:") + 1
    facts = [line.split(":")[0].strip() for line in lines[at:] if re.match(r"  [a-z]", line)]
    default = maturity.load_pack(None).fact_by_id
    unknown = [f for f in facts if f not in default]
    assert len(facts) - len(unknown) == 2  # audience.personas, and employer.size_band: both packs have it
    run_and_check(workdir, ["assess", "tc.yaml"], 1,
                  f"error: tc.yaml:{at}:1: {len(unknown)} of the {len(facts)} facts given are not facts "
                  f"of pack 'default' ({', '.join(unknown[:3])}, ...): the file is written for another pack\n"
                  "  hint: they are facts of the built-in pack 'talent_community': give --rules "
                  "talent_community, or add 'pack: talent_community' to the file\n"
                  f"error: tc.yaml:{at + 1}:22: 'audience.personas' is a number, got 'six'\n"
                  "  hint: write a number without quotes\n")


def test_two_unknown_facts_are_each_their_own_line(workdir):
    # a few typos are not another pack: each keeps its line and its "did you mean"
    text = EXAMPLE.replace("  purpose.goals_written: false", "  purpose.goals_writen: false").replace(
        "  audience.personas: 0", "  audience.persona: 0")
    (workdir / "two.yaml").write_text(text, "utf-8")
    result = invoke(["assess", "two.yaml"])
    assert result.exit_code == 1
    assert [line.split(": ", 2)[2] for line in result.stderr.splitlines() if line.startswith("error")] == [
        "unknown fact 'purpose.goals_writen'", "unknown fact 'audience.persona'"]


def test_word_where_a_number_is_wanted(workdir):
    name, line, column = facts_file(workdir, "six.yaml", "  audience.personas: 0",
                                    "  audience.personas: six")
    run_and_check(workdir, ["assess", name, "-o", "out.txt"], 1,
                  f"error: six.yaml:{line}:{column + 21}: 'audience.personas' is a number, got 'six'\n"
                  "  hint: write a number without quotes\n")


def test_text_where_yes_no_is_wanted(workdir):
    name, line, column = facts_file(workdir, "yn.yaml", "  brand.evp_approved: false",
                                    '  brand.evp_approved: "maybe"')
    run_and_check(workdir, ["assess", name], 1,
                  f"error: yn.yaml:{line}:{column + 22}: 'brand.evp_approved' is yes/no, got 'maybe'\n"
                  "  hint: answer true or false; or leave it empty when unknown, or write dont-know "
                  "when it was asked and nobody knew\n")


def test_unknown_where_yes_no_is_wanted_says_leave_it_empty(workdir):
    name, line, column = facts_file(workdir, "unk.yaml", "  brand.evp_approved: false",
                                    "  brand.evp_approved: unknown")
    run_and_check(workdir, ["assess", name], 1,
                  f"error: unk.yaml:{line}:{column + 22}: 'brand.evp_approved' is answered "
                  "'unknown', which is no answer\n  hint: leave it empty when unknown, or write "
                  "dont-know when it was asked and nobody knew\n")


def test_the_untouched_template_is_refused_with_no_assessment(workdir):
    assert invoke(["facts", "--template", "-o", "t.yaml"]).exit_code == 0
    lines = (workdir / "t.yaml").read_text("utf-8").splitlines()
    name, date, consultant = (lines.index(t) + 1 for t in (
        "  name: Client name", '  assessed_on: "YYYY-MM-DD"', "  consultant: Your name"))
    for args in (["assess", "t.yaml"], ["report", "t.yaml", "-o", "r.html"], ["next", "t.yaml"]):
        run_and_check(workdir, args, 1,
                      f"error: t.yaml:{name}:9: the organisation's name is still the template's "
                      "placeholder 'Client name'\n  hint: fill it in\n"
                      f"error: t.yaml:{date}:16: the organisation's date assessed (assessed_on) is "
                      "still the template's placeholder 'YYYY-MM-DD'\n"
                      '  hint: fill it in with the date of the assessment, such as "2026-11-26"\n'
                      f"error: t.yaml:{consultant}:15: the organisation's consultant is still the "
                      "template's placeholder 'Your name'\n  hint: fill it in\n")


def test_an_impossible_date_is_refused(workdir):
    name, line, column = facts_file(workdir, "d.yaml", '  assessed_on: "2026-11-01"',
                                    '  assessed_on: "2026-13-45"')
    run_and_check(workdir, ["assess", name], 1,
                  f"error: d.yaml:{line}:{column + 15}: the date assessed '2026-13-45' is not a date\n"
                  '  hint: write a real date as YYYY-MM-DD, such as "2026-11-26"\n')


def test_choice_outside_allowed_values(workdir):
    name, line, column = facts_file(workdir, "choice.yaml", "  engagement.measurement: reach",
                                    "  engagement.measurement: hire")
    run_and_check(workdir, ["assess", name, "-o", "out.txt"], 1,
                  f"error: choice.yaml:{line}:{column + 26}: 'hire' is not an allowed answer to "
                  "'engagement.measurement'\n  hint: did you mean 'hires'?\n")


def test_choices_item_outside_allowed_values_lists_them(workdir):
    name, line, column = facts_file(workdir, "choices.yaml", "  platforms.owned_channels: [careers_site]",
                                    "  platforms.owned_channels: [careers_site, fax]")
    run_and_check(workdir, ["assess", name], 1,
                  f"error: choices.yaml:{line}:{column + 28}: 'fax' is not an allowed answer to "
                  "'platforms.owned_channels'\n  hint: allowed: careers_site, talent_community, "
                  "email, mobile_site, sms, mobile_app\n")


@pytest.mark.parametrize("value, message", [
    ("-1", "'audience.personas' is -1, below its minimum 0"),
    ("101", "'audience.personas' is 101, above its maximum 100"),
])
def test_number_outside_min_max(workdir, value, message):
    name, line, column = facts_file(workdir, "range.yaml", "  audience.personas: 0",
                                    f"  audience.personas: {value}")
    run_and_check(workdir, ["assess", name, "-o", "out.txt"], 1,
                  f"error: range.yaml:{line}:{column + 21}: {message}\n")


@pytest.mark.parametrize("fact, old, value, message", [
    # .nan would pass every min/max check and reach the rule engine.
    ("brand.advocates_pct", "2", ".nan", "'brand.advocates_pct' is a number, got nan\n"
                                          "  hint: write a finite number"),
    ("brand.advocates_pct", "2", "-.inf", "'brand.advocates_pct' is a number, got -inf\n"
                                           "  hint: write a finite number"),
    ("content.posts_per_week", "6", ".inf", "'content.posts_per_week' is a number, got inf\n"
                                             "  hint: write a finite number"),
    # Too big for a float: once an OverflowError traceback.
    ("audience.personas", "0", "9" * 400, f"'audience.personas': the number {'9' * 400} is too large "
                                          "for the rule engine to compare exactly\n  hint: numbers "
                                          "from -9,007,199,254,740,992 to 9,007,199,254,740,992 are "
                                          "compared exactly; use a smaller unit"),
    ("audience.personas", "0", "2.5", "'audience.personas' is a whole number, got 2.5"),
])
def test_numbers_that_are_not_usable_answers(workdir, fact, old, value, message):
    name, line, column = facts_file(workdir, "n.yaml", f"  {fact}: {old}\n", f"  {fact}: {value}\n")
    run_and_check(workdir, ["assess", name, "-o", "out.txt"], 1,
                  f"error: n.yaml:{line}:{column + len(fact) + 4}: {message}\n")


def test_every_problem_in_a_facts_file_in_one_run(workdir):
    text = (EXAMPLE.replace("  purpose.goals_written: false", "  purpose.goals_writen: false")
            .replace("  audience.personas: 0", "  audience.personas: 101")
            .replace("  engagement.measurement: reach", "  engagement.measurement: hire"))
    (workdir / "many.yaml").write_text(text, "utf-8")
    lines = text.splitlines()
    at = {key: next(n for n, l in enumerate(lines, 1) if l.startswith(f"  {key}:"))
          for key in ("purpose.goals_writen", "audience.personas", "engagement.measurement")}
    run_and_check(workdir, ["assess", "many.yaml", "-o", "out.txt"], 1,
                  f"error: many.yaml:{at['purpose.goals_writen']}:3: unknown fact 'purpose.goals_writen'\n"
                  "  hint: did you mean 'purpose.goals_written'?\n"
                  f"error: many.yaml:{at['audience.personas']}:22: 'audience.personas' is 101, "
                  "above its maximum 100\n"
                  f"error: many.yaml:{at['engagement.measurement']}:27: 'hire' is not an allowed "
                  "answer to 'engagement.measurement'\n  hint: did you mean 'hires'?\n")


# Rule packs ------------------------------------------------------------------------------

@pytest.fixture
def pack(workdir) -> Path:
    """A copy of the default pack in the working folder, to break."""
    folder = workdir / "pack"
    shutil.copytree(ROOT / "rules" / "default", folder)
    return folder


def check_pack(workdir: Path, stderr: str) -> None:
    run_and_check(workdir, ["assess", "ok.yaml", "--rules", "pack", "-o", "out.txt"], 1, stderr)


def test_pack_rule_names_unknown_fact(workdir, pack):
    old = "        - {fact: purpose.tied_to_hiring_plan, equals: true}\n        - {count: purpose.desired_actions, gte: 1}\n        - {fact: purpose.success_metrics, gte: 1}"
    _, line, column = edit(pack / "rules.yaml", old, old.replace("hiring_plan", "hiring_plna", 1),
                           "purpose.tied_to_hiring_plna")
    check_pack(workdir, f"error: pack/rules.yaml:{line}:{column}: unknown fact "
                        "'purpose.tied_to_hiring_plna'\n"
                        "  hint: did you mean 'purpose.tied_to_hiring_plan'?\n")


def test_pack_rule_names_unknown_element(workdir, pack):
    _, line, column = edit(pack / "rules.yaml", "then: {status: {purpose: defined}}",
                           "then: {status: {purpos: defined}}", "purpos")
    check_pack(workdir, f"error: pack/rules.yaml:{line}:{column}: unknown element 'purpos'\n"
                        "  hint: did you mean 'purpose'?\n")


def test_pack_rule_names_unknown_status(workdir, pack):
    _, line, column = edit(pack / "rules.yaml", "then: {status: {purpose: defined}}",
                           "then: {status: {purpose: defind}}", "defind")
    check_pack(workdir, f"error: pack/rules.yaml:{line}:{column}: unknown status 'defind'\n"
                        "  hint: did you mean 'defined'?\n")


def test_pack_rule_names_unknown_stage(workdir, pack):
    _, line, column = edit(pack / "rules.yaml", "then: {stage: strategised}",
                           "then: {stage: strategized}", "strategized")
    check_pack(workdir, f"error: pack/rules.yaml:{line}:{column}: unknown stage 'strategized'\n"
                        "  hint: did you mean 'strategised'?\n")


def test_pack_with_a_dependency_cycle_names_it(workdir, pack):
    edge = '  - {from: platforms, to: engagement, because: "Engagement happens on chosen, connected channels."}\n'
    _, line, column = edit(pack / "pack.yaml", edge,
                           edge + '  - {from: engagement, to: platforms, because: "A loop."}\n', edge)
    # The cycle is reported at the '{' of the edge that closed it, the line after `edge`.
    check_pack(workdir, f"error: pack/pack.yaml:{line + 1}:{column + 4}: dependency cycle: "
                        "engagement -> platforms -> engagement\n"
                        "  hint: the elements must form an order; remove or turn round one edge\n")


def line_of(path: Path, line: str) -> int:
    """The 1-based number of the one line of `path` that is exactly `line`."""
    lines = path.read_text("utf-8").splitlines()
    assert lines.count(line) == 1
    return lines.index(line) + 1


def test_pack_with_duplicate_rule_ids(workdir, pack):
    rules = pack / "rules.yaml"
    original = line_of(rules, "  - id: content.defined")
    # Rename the rule just above it: the renamed one comes first in the file.
    _, renamed, _ = edit(rules, "  - id: content.started", "  - id: content.defined", "id")
    assert renamed < original
    check_pack(workdir, f"error: pack/rules.yaml:{original}:5: duplicate rule id 'content.defined'\n"
                        f"  hint: first defined at pack/rules.yaml:{renamed}\n")


def test_pack_with_duplicate_element_ids(workdir, pack):
    first = line_of(pack / "pack.yaml", "  - id: purpose")
    _, line, column = edit(pack / "pack.yaml", "  - id: audience\n", "  - id: purpose\n", "id")
    check_pack(workdir, f"error: pack/pack.yaml:{line}:{column}: duplicate element id 'purpose'\n"
                        f"  hint: first defined at pack/pack.yaml:{first}\n")


def test_pack_with_several_problems_reports_all_in_one_run(workdir, pack):
    rules = pack / "rules.yaml"
    old = "        - {fact: purpose.tied_to_hiring_plan, equals: true}\n        - {count: purpose.desired_actions, gte: 1}\n        - {fact: purpose.success_metrics, gte: 1}"
    _, fact_line, fact_col = edit(rules, old, old.replace("hiring_plan", "hiring_plna", 1),
                                  "purpose.tied_to_hiring_plna")
    _, status_line, status_col = edit(rules, "then: {status: {purpose: defined}}",
                                      "then: {status: {purpose: defind}}", "defind")
    _, stage_line, stage_col = edit(rules, "then: {stage: strategised}",
                                    "then: {stage: strategized}", "strategized")
    edge = '  - {from: platforms, to: engagement, because: "Engagement happens on chosen, connected channels."}\n'
    _, cycle_line, cycle_col = edit(pack / "pack.yaml", edge,
                                    edge + '  - {from: engagement, to: platforms}\n', edge)
    check_pack(workdir,
               f"error: pack/pack.yaml:{cycle_line + 1}:{cycle_col + 4}: dependency cycle: "
               "engagement -> platforms -> engagement\n"
               "  hint: the elements must form an order; remove or turn round one edge\n"
               f"error: pack/rules.yaml:{fact_line}:{fact_col}: unknown fact 'purpose.tied_to_hiring_plna'\n"
               "  hint: did you mean 'purpose.tied_to_hiring_plan'?\n"
               f"error: pack/rules.yaml:{status_line}:{status_col}: unknown status 'defind'\n"
               "  hint: did you mean 'defined'?\n"
               f"error: pack/rules.yaml:{stage_line}:{stage_col}: unknown stage 'strategized'\n"
               "  hint: did you mean 'strategised'?\n")


def test_rules_option_names_a_missing_pack(workdir):
    run_and_check(workdir, ["assess", "ok.yaml", "--rules", "nopack", "-o", "out.txt"], 1,
                  "error: nopack: no such rule pack\n"
                  "  hint: give a pack folder or file, or a built-in pack: "
                  f"{', '.join(BUILTIN_PACKS)}\n")
    assert "default" in BUILTIN_PACKS


def test_rules_option_with_a_typo_suggests_the_builtin(workdir):
    run_and_check(workdir, ["assess", "ok.yaml", "--rules", "defalt"], 1,
                  "error: defalt: no such rule pack\n  hint: did you mean 'default'?\n")


# Outputs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command, output", [
    ("assess", "nodir/out.txt"), ("next", "nodir/out.json"), ("roadmap", "nodir/out.txt"),
    ("render", "nodir/out.svg"), ("render", "nodir/out.dot"),
])
def test_output_in_a_folder_that_does_not_exist(workdir, command, output):
    run_and_check(workdir, [command, "ok.yaml", "-o", output], 1,
                  f"error: {output}: the folder for the output does not exist\n"
                  "  hint: create it first\n")
    assert not (workdir / "nodir").exists()


def test_output_that_is_a_folder(workdir):
    (workdir / "pic.svg").mkdir()
    run_and_check(workdir, ["render", "ok.yaml", "-o", "pic.svg"], 1,
                  "error: pic.svg: the output is a folder\n  hint: give a file name\n")


@pytest.mark.parametrize("output, what", [("x.gif", "unknown output format '.gif'"),
                                          ("picture", "the output has no suffix")])
def test_render_unknown_output_suffix(workdir, output, what):
    run_and_check(workdir, ["render", "ok.yaml", "-o", output], 1,
                  f"error: {output}: {what}\n  hint: use one of: .svg, .png, .pdf, .dot\n")


def test_bad_data_is_reported_before_the_output_is_touched(workdir):
    # A failed run must not replace an earlier good result.
    (workdir / "report.txt").write_text("last quarter's report\n", "utf-8")
    run_and_check(workdir, ["assess", "missing.yaml", "-o", "report.txt"], 1,
                  "error: missing.yaml: no such file\n  hint: check the path\n")
    assert (workdir / "report.txt").read_text("utf-8") == "last quarter's report\n"


def _path_without_graphviz() -> str:
    """PATH without any folder holding Graphviz's `dot` (several may: /bin is often /usr/bin),
    with this interpreter's folder first."""
    here = os.path.dirname(sys.executable)
    assert shutil.which("dot", path=here) is None
    folders = [here] + [p for p in os.environ.get("PATH", "").split(os.pathsep)
                        if p and shutil.which("dot", path=p) is None]
    path = os.pathsep.join(dict.fromkeys(folders))
    assert shutil.which("dot", path=path) is None, "dot is still on the reduced PATH"
    return path


def run_without_graphviz(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": _path_without_graphviz()}
    return subprocess.run([sys.executable, "-m", "maturity", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_svg_without_graphviz_says_how_to_install_it_and_writes_nothing(workdir):
    before = snapshot(workdir)
    done = run_without_graphviz(["render", "ok.yaml", "-o", "pic.svg"], workdir)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == ("error: the Graphviz program 'dot' is not installed\n"
                           "  hint: install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz), "
                           "or write .dot and render it elsewhere\n")
    assert snapshot(workdir) == before


def test_dot_output_needs_no_graphviz(workdir):
    done = run_without_graphviz(["render", "ok.yaml", "-o", "pic.dot"], workdir)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("wrote pic.dot\n", "")
    assert (workdir / "pic.dot").read_text("utf-8").startswith("digraph dots {\n")


# Usage errors (exit 2) -------------------------------------------------------------------

def test_unknown_format_is_a_usage_error(workdir):
    run_and_check(workdir, ["assess", "ok.yaml", "--format", "xml", "-o", "out.txt"], 2,
                  "Usage: dots assess [OPTIONS] FACTS\n"
                  "Try 'dots assess --help' for help.\n\n"
                  "Error: Invalid value for '--format': 'xml' is not one of 'text', 'json'.\n")


@pytest.mark.parametrize("command", ["assess", "next", "roadmap", "render"])
def test_missing_facts_argument_is_a_usage_error(workdir, command):
    run_and_check(workdir, [command], 2,
                  f"Usage: dots {command} [OPTIONS] FACTS\n"
                  f"Try 'dots {command} --help' for help.\n\n"
                  "Error: Missing argument 'FACTS'.\n")


def test_unknown_command_is_a_usage_error(workdir):
    run_and_check(workdir, ["asess", "ok.yaml"], 2,
                  "Usage: dots [OPTIONS] COMMAND [ARGS]...\n"
                  "Try 'dots --help' for help.\n\n"
                  "Error: No such command 'asess'. Did you mean 'assess'?\n")


@pytest.mark.parametrize("args, code, last", [
    # the last of the two was taken without a word
    (["whatif", "ok.yaml", "--set", "purpose.goals_written=true", "--set", "purpose.goals_written=false"],
     2, "Error: --set gives 'purpose.goals_written' more than once; give each fact once\n"),
    # an empty variable in a script ran the default pack
    (["assess", "ok.yaml", "--rules", ""], 2,
     "Error: Invalid value for '--rules': give a pack folder or file, or a built-in pack name\n"),
    (["facts", "--rules", " "], 2,
     "Error: Invalid value for '--rules': give a pack folder or file, or a built-in pack name\n"),
    # ignored for an SVG
    (["render", "ok.yaml", "--dpi", "300", "-o", "out.svg"], 2,
     "Error: --dpi is the resolution of a .png; the output is not one\n"),
    # "0-Q1": there is no year 0
    (["roadmap", "ok.yaml", "--start", "0000-01"], 1,
     "error: --start: '0000-01' is not a month\n  hint: write the year and month, such as 2027-01\n"),
    # YAML in a file named .xls
    (["facts", "--template", "-o", "x.xls"], 1,
     "error: x.xls: unknown template format '.xls'\n  hint: use .yaml (a facts file), .xlsx (a workbook) or .csv\n"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_options_that_cannot_be_meant_as_given_are_refused(workdir, args, code, last):
    before = snapshot(workdir)
    result = invoke(args)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code
    assert result.stderr.endswith(last), result.stderr
    assert snapshot(workdir) == before
