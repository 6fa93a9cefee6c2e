"""`dots rules check`, `dots schema` and `dots init`: exact output, exit codes (0 fine, 1 bad
data, 2 bad usage), no traceback, and nothing written where nothing should be."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import Result

import maturity
from conftest import write_org, write_pack, write_text
from bundled import invoke
from maturity.scaffold import pack_id_for

ROOT = Path(__file__).resolve().parents[2]
# The examples of the default model (an example for another pack says --rules in its header).
# The examples for the default pack (the others name theirs in `pack:`).
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if "\npack: " not in p.read_text("utf-8"))




def exits(result: Result, code: int) -> Result:
    """The command ended with `code` through the CLI itself, not a crash."""
    if code == 0:
        assert result.exception is None, repr(result.exception)
    else:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


# dots rules check --------------------------------------------------------------------------

def test_check_a_clean_pack(workdir: Path):
    write_pack(workdir)
    result = exits(invoke(["rules", "check", "tiny"]), 0)
    assert result.stdout == "pack tiny: 0 errors, 0 warnings\n"
    assert result.stderr == ""


UNUSED = "facts:\n  - {id: extra.unused, type: boolean}\n"
UNUSED_OUT = ("warning: tiny/rules_extra.yaml:2:5: fact 'extra.unused' is used by no rule\n"
              "  hint: test it in a rule's 'when', or remove it\n")


def test_warnings_alone_exit_0_and_with_strict_1(workdir: Path):
    write_text(write_pack(workdir) / "rules_extra.yaml", UNUSED)
    before = snapshot(workdir)
    result = exits(invoke(["rules", "check", "tiny"]), 0)
    assert result.stdout == UNUSED_OUT + "pack tiny: 0 errors, 1 warning\n"
    result = exits(invoke(["rules", "check", "--strict", "tiny"]), 1)
    assert result.stdout == UNUSED_OUT + "pack tiny: 0 errors, 1 warning\n"
    assert result.stderr == ""
    assert snapshot(workdir) == before


def test_errors_exit_1_and_are_listed_before_warnings(workdir: Path):
    write_text(write_pack(workdir) / "rules_extra.yaml", UNUSED + (
        "tests:\n"
        "  - id: case.typo\n"
        "    facts: {purpose.goals_writen: true}\n"
        "    expect: {stage: strategised}\n"
        "edges:\n"
        "  - {from: purpose, to: platfroms}\n"))
    before = snapshot(workdir)
    result = exits(invoke(["rules", "check", "tiny"]), 1)
    assert result.stdout == (
        "error: tiny/rules_extra.yaml:8:21: edge names unknown element 'platfroms'\n"
        "  hint: did you mean 'platforms'?\n"
        "pack tiny: 1 error, 0 warnings\n")
    assert snapshot(workdir) == before
    # With the edge fixed the pack loads: the test case's error, then the warning.
    text = (workdir / "tiny" / "rules_extra.yaml").read_text("utf-8")
    (workdir / "tiny" / "rules_extra.yaml").write_text(text.replace("platfroms", "platforms"))
    result = exits(invoke(["rules", "check", "tiny"]), 1)
    assert result.stdout == (
        "error: tiny/rules_extra.yaml:5:13: unknown fact 'purpose.goals_writen'\n"
        "  hint: did you mean 'purpose.goals_written'?\n"
        + UNUSED_OUT + "pack tiny: 1 error, 1 warning\n")


def test_check_the_default_pack_by_default(workdir: Path):
    result = exits(invoke(["rules", "check"]), 0)
    assert not [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert re.fullmatch(r"pack default: 0 errors, \d+ warnings?", result.stdout.splitlines()[-1])
    for name in maturity.builtin_packs():
        assert exits(invoke(["rules", "check", name]), 0).stdout.splitlines()[-1].startswith(
            f"pack {name}: 0 errors, ")


def test_check_a_pack_that_does_not_exist(workdir: Path):
    result = exits(invoke(["rules", "check", "defualt"]), 1)
    assert result.stdout == ("error: defualt: no such rule pack\n"
                             "  hint: did you mean 'default'?\n"
                             "pack defualt: 1 error, 0 warnings\n")


def test_check_usage_errors_exit_2(workdir: Path):
    result = exits(invoke(["rules", "check", "--strikt"]), 2)
    assert "No such option '--strikt'. Did you mean '--strict'?" in result.stderr
    assert result.stdout == ""


# dots schema -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["pack", "organisation", "compare"])
def test_schema_prints_the_shipped_schema(workdir: Path, name: str):
    result = exits(invoke(["schema", name]), 0)
    shipped = (ROOT / "rules" / "schema" / f"{name}.schema.json").read_text("utf-8")
    assert result.stdout == shipped == maturity.schema_text(name)
    assert result.stderr == ""


def test_schema_written_to_a_file(workdir: Path):
    result = exits(invoke(["schema", "pack", "-o", "pack.schema.json"]), 0)
    assert result.stdout == ""
    assert result.stderr == "wrote pack.schema.json\n"
    assert (workdir / "pack.schema.json").read_text("utf-8") == maturity.schema_text("pack")
    # Written again (after an upgrade, say), it is replaced whole.
    (workdir / "pack.schema.json").write_text("old", "utf-8")
    exits(invoke(["schema", "pack", "-o", "pack.schema.json"]), 0)
    assert (workdir / "pack.schema.json").read_text("utf-8") == maturity.schema_text("pack")
    assert sorted(p.name for p in workdir.iterdir()) == ["pack.schema.json"]


def test_schema_list(workdir: Path):
    assert exits(invoke(["schema", "--list"]), 0).stdout == "assessment\ncompare\norganisation\npack\nsurvey\n"


def test_schema_into_a_missing_folder(workdir: Path):
    result = exits(invoke(["schema", "pack", "-o", "nowhere/pack.schema.json"]), 1)
    assert result.stderr == ("error: nowhere/pack.schema.json: the folder for the output does "
                             "not exist\n  hint: create it first\n")
    assert result.stdout == ""
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["schema"], "give a schema name (pack, organisation, survey, assessment or compare), or --list"),
    (["schema", "rules"], "'rules' is not one of 'assessment', 'compare', 'organisation', 'pack', 'survey'"),
])
def test_schema_usage_errors_exit_2(workdir: Path, args: list[str], message: str):
    result = exits(invoke(args), 2)
    assert message in result.stderr
    assert result.stdout == ""


# dots init ---------------------------------------------------------------------------------

INIT_OUT = ("wrote acme/pack.yaml\nwrote acme/rules.yaml\nwrote acme/pack.schema.json\n"
            "check it with: dots rules check acme\n")


def test_init_makes_a_pack_that_checks_tests_and_assesses(workdir: Path):
    result = exits(invoke(["init", "acme"]), 0)
    assert result.stdout == INIT_OUT
    assert result.stderr == ""
    assert sorted(p.name for p in (workdir / "acme").iterdir()) == \
        ["pack.schema.json", "pack.yaml", "rules.yaml"]
    assert list(workdir.iterdir()) == [workdir / "acme"]  # no temporary folder left
    manifest = yaml.safe_load((workdir / "acme" / "pack.yaml").read_text("utf-8"))["pack"]
    assert manifest == {"id": "acme", "label": "Acme", "version": "0.1", "extends": "default",
                        "description": "Acme's changes to the 'default' model."}

    check = exits(invoke(["rules", "check", "acme"]), 0)
    assert not [line for line in check.stdout.splitlines() if line.startswith("error:")]
    assert "acme/" not in check.stdout  # no warning about the scaffold's own files
    assert check.stdout.splitlines()[-1].startswith("pack acme: 0 errors, ")
    tests = exits(invoke(["rules", "test", "acme"]), 0)
    assert "PASS acme.few_referral_hires\n" in tests.stdout

    for example in EXAMPLES:
        assert "Stage:" in exits(invoke(["assess", str(example), "--rules", "acme"]), 0).stdout
    write_org(workdir / "org.yaml", {"acme.referral_hires_pct": 3})
    report = exits(invoke(["assess", "org.yaml", "--rules", "acme", "--format", "json"]), 0)
    assert "acme.few_referral_hires" in report.stdout
    assert "acme.ask_for_referrals" in report.stdout


@pytest.mark.parametrize("name", ["off", "yes", "null", "true", "no"])
def test_init_with_a_folder_name_yaml_reads_as_another_type(workdir: Path, name: str):
    # The id was written bare: `id: off` reads as false ("expected text, got false", in a
    # temporary file the user never sees).
    exits(invoke(["init", name]), 0)
    assert yaml.safe_load((workdir / name / "pack.yaml").read_text("utf-8"))["pack"]["id"] == name
    assert exits(invoke(["rules", "check", name]), 0).stdout.splitlines()[-1].startswith(f"pack {name}: 0 errors")


def test_init_files_are_documented_and_point_editors_at_the_schema(workdir: Path):
    exits(invoke(["init", "acme"]), 0)
    folder = workdir / "acme"
    assert (folder / "pack.schema.json").read_text("utf-8") == maturity.schema_text("pack")
    for name in ("pack.yaml", "rules.yaml"):
        lines = (folder / name).read_text("utf-8").splitlines()
        assert lines[0] == "# yaml-language-server: $schema=pack.schema.json"
        # Every field is explained: by a comment on its line or on the line before it.
        for n, line in enumerate(lines):
            if re.match(r"\s*(- )?[a-z_.]+:", line):
                assert "#" in line or lines[n - 1].lstrip().startswith("#"), f"{name}: {line}"
    data = yaml.safe_load((folder / "rules.yaml").read_text("utf-8"))
    assert [len(data[s]) for s in ("facts", "rules", "tests")] == [1, 1, 1]


def test_init_into_an_existing_empty_folder(workdir: Path):
    (workdir / "acme").mkdir()
    assert exits(invoke(["init", "acme"]), 0).stdout == INIT_OUT


@pytest.mark.parametrize("existing", ["folder", "file"])
def test_init_refuses_an_existing_folder_or_file(workdir: Path, existing: str):
    if existing == "folder":
        write_text(workdir / "acme" / "notes.txt", "mine\n")
    else:
        write_text(workdir / "acme", "mine\n")
    before = snapshot(workdir)
    result = exits(invoke(["init", "acme"]), 1)
    what = "the folder exists and is not empty" if existing == "folder" else "a file of that name exists"
    assert result.stderr == f"error: acme: {what}\n  hint: choose a new folder; dots init never replaces files\n"
    assert result.stdout == ""
    assert snapshot(workdir) == before


def test_init_extending_a_pack_folder(workdir: Path):
    write_pack(workdir)  # tiny/: the added items are about its last element, platforms
    (workdir / "packs").mkdir()
    exits(invoke(["init", "packs/acme", "--extends", "tiny"]), 0)
    manifest = yaml.safe_load((workdir / "packs" / "acme" / "pack.yaml").read_text("utf-8"))
    assert manifest["pack"]["extends"] == "../../tiny"
    rules = yaml.safe_load((workdir / "packs" / "acme" / "rules.yaml").read_text("utf-8"))
    assert rules["facts"][0]["element"] == "platforms"
    assert "#   purpose, audience, platforms\n" in \
        (workdir / "packs" / "acme" / "rules.yaml").read_text("utf-8")
    assert exits(invoke(["rules", "check", "packs/acme"]), 0).stdout == \
        "pack packs/acme: 0 errors, 0 warnings\n"
    assert "1 passed, 0 failed" in exits(invoke(["rules", "test", "packs/acme"]), 0).stdout


def test_init_with_a_base_that_does_not_load_writes_nothing(workdir: Path):
    before = snapshot(workdir)
    result = exits(invoke(["init", "acme", "--extends", "defualt"]), 1)
    assert result.stderr == "error: defualt: no such rule pack\n  hint: did you mean 'default'?\n"
    assert snapshot(workdir) == before


def test_init_leaves_nothing_half_made(workdir: Path, monkeypatch: pytest.MonkeyPatch):
    def fail(*args):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr("maturity.scaffold.os.replace", fail)
    result = exits(invoke(["init", "acme"]), 1)
    assert result.stderr == "error: acme: cannot write the pack: Permission denied\n" \
                            "  hint: nothing was written\n"
    assert list(workdir.iterdir()) == []


def test_init_into_an_empty_folder_takes_its_files_out_again_on_failure(
        workdir: Path, monkeypatch: pytest.MonkeyPatch):
    (workdir / "acme").mkdir()
    load = maturity.pack.load_pack

    def fail_on_the_new_pack(spec=None):
        if Path(str(spec)).resolve() == (workdir / "acme").resolve():
            raise maturity.DataError([maturity.Problem("acme/rules.yaml", 1, 1, "made up")])
        return load(spec)
    monkeypatch.setattr(maturity.pack, "load_pack", fail_on_the_new_pack)
    result = exits(invoke(["init", "acme"]), 1)
    assert result.stderr == "error: acme/rules.yaml:1:1: made up\n"
    assert snapshot(workdir) == {"acme": None}


def test_init_here(workdir: Path, monkeypatch: pytest.MonkeyPatch):
    (workdir / "my-pack").mkdir()
    monkeypatch.chdir(workdir / "my-pack")
    assert exits(invoke(["init", "."]), 0).stdout == (
        "wrote pack.yaml\nwrote rules.yaml\nwrote pack.schema.json\n"
        "check it with: dots rules check .\n")
    assert yaml.safe_load(Path("pack.yaml").read_text("utf-8"))["pack"]["id"] == "my_pack"
    assert exits(invoke(["rules", "check", "."]), 0).stdout.splitlines()[-1].startswith(
        "pack .: 0 errors, ")


def test_init_needs_the_parent_folder(workdir: Path):
    result = exits(invoke(["init", "packs/acme"]), 1)
    assert result.stderr == ("error: packs/acme: the folder for the new pack does not exist\n"
                             "  hint: create it first\n")
    assert list(workdir.iterdir()) == []


def test_init_usage_error_exits_2(workdir: Path):
    result = exits(invoke(["init"]), 2)
    assert "Missing argument 'FOLDER'" in result.stderr
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("name, ident", [
    ("acme", "acme"), ("Acme Recruiting-2", "acme_recruiting_2"), ("2024 pack", "pack"),
    ("___", "my_pack"), ("Zoë", "zo"),
])
def test_pack_ids_made_from_folder_names(name: str, ident: str):
    assert pack_id_for(name) == ident


def test_init_with_an_awkward_folder_name(workdir: Path):
    exits(invoke(["init", "Yes: no"]), 0)
    data = yaml.safe_load((workdir / "Yes: no" / "pack.yaml").read_text("utf-8"))["pack"]
    assert data["id"] == "yes_no" and data["label"] == "Yes: no"
    assert "FOLDER" in (workdir / "Yes: no" / "pack.yaml").read_text("utf-8")
    assert exits(invoke(["rules", "check", "Yes: no"]), 0)
