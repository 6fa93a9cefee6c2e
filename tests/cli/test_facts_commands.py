"""`dots examples` (list, print and copy out the bundled examples) and the templates' `pack:`
and schema lines, so that a new user needs only the installed package."""

from __future__ import annotations

import json
from pathlib import Path

import maturity
from bundled import EXAMPLES, invoke


def test_examples_lists_every_bundled_example_with_its_pack(workdir):
    result = invoke(["examples"])
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.stdout.splitlines()[:len(EXAMPLES)]]
    assert names == EXAMPLES
    assert "talent-community-brightwell  pack talent_community: A hospital group" in result.stdout
    assert "just-do-it                   pack default: A retailer on five platforms" in result.stdout
    assert list(workdir.iterdir()) == []


def test_an_example_copied_out_assesses_without_rules(workdir):
    result = invoke(["examples", "talent-community-brightwell", "-o", "tc.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "wrote tc.yaml\nwrote organisation.schema.json\n"
    text = (workdir / "tc.yaml").read_text("utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=organisation.schema.json"
    assert (workdir / "organisation.schema.json").read_text("utf-8") == maturity.schema_text("organisation")
    data = json.loads(invoke(["assess", "tc.yaml", "--format", "json"]).stdout)
    assert (data["pack"]["id"], data["stage"]["id"]) == ("talent_community", "newsletter")
    # A second copy beside it leaves the schema as it is, and never replaces a facts file.
    assert invoke(["examples", "mid-size", "-o", "m.yaml"]).stderr == "wrote m.yaml\n"
    again = invoke(["examples", "mid-size", "-o", "m.yaml"])
    assert (again.exit_code, again.stderr) == (1, "error: m.yaml: the file exists already\n"
                                                  "  hint: choose a new name; dots never replaces a facts file\n")


def test_an_example_prints_without_output(workdir):
    result = invoke(["examples", "mid-size"])
    assert result.exit_code == 0
    assert "name: Fenwick Engineering" in result.stdout
    assert list(workdir.iterdir()) == []


def test_an_unknown_example_says_which_there_are(workdir):
    result = invoke(["examples", "mid_size"])
    assert (result.exit_code, result.stderr) == (1, "error: no bundled example 'mid_size'\n"
                                                    "  hint: did you mean 'mid-size'?\n")
    result = invoke(["demo", "--example", "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no bundled example 'nope'\n  hint: choose one of: broadcasting, ")


def test_the_template_names_its_pack(workdir):
    result = invoke(["facts", "--template", "--rules", "talent_community", "-o", "c/client.yaml"])
    assert result.exit_code == 1  # no folder c: nothing is written
    Path("c").mkdir()
    Path("packs/mine").mkdir(parents=True)
    Path("packs/mine/pack.yaml").write_text("pack: {id: mine, label: Mine, extends: talent_community}\n")
    for rules, line in [("talent_community", "pack: talent_community"),
                        ("packs/mine", "pack: ../packs/mine")]:
        out = f"c/{rules.replace('/', '_')}.yaml"
        result = invoke(["facts", "--template", "--rules", rules, "-o", out])
        assert result.exit_code == 0, result.output
        assert f"\n{line}\n" in Path(out).read_text("utf-8")
        # Filled in a little, it is assessed with its pack, no --rules needed.
        Path(out).write_text(Path(out).read_text("utf-8").replace(
            "  capture.consent_recorded:\n", "  capture.consent_recorded: true\n")
            .replace("Client name", "Acme Ltd").replace("YYYY-MM-DD", "2026-11-26")
            .replace("Your name", "Sam Jones"))
        data = json.loads(invoke(["assess", out, "--format", "json"]).stdout)
        assert data["pack"]["id"] == rules.split("/")[-1]
