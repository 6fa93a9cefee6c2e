"""The docs say what the code does: the CLI reference is generated from --help and must be
current, and the YAML reference names every key of the shipped schemas."""

import json
import re
from pathlib import Path

import maturity.model
from maturity.cli import docs
from maturity.schema import schema_text

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_current():
    written = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert written == docs.markdown(), \
        "docs/cli.md is out of date: run python -m maturity.cli.docs > docs/cli.md"


def test_cli_reference_names_every_command():
    written = (ROOT / "docs" / "cli.md").read_text("utf-8")
    headings = set(re.findall(r"^## (dots.*)$", written, flags=re.M))
    assert headings == {"dots"} | set(docs.command_names())


def _keys(schema: dict) -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                found.add(key)
                walk(value)
            for key, value in node.items():
                if key != "properties":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return found


def test_yaml_reference_names_every_schema_key():
    text = (ROOT / "docs" / "yaml-format.md").read_text("utf-8")
    for kind in ("pack", "organisation"):
        keys = _keys(json.loads(schema_text(kind)))
        missing = sorted(k for k in keys if f"`{k}`" not in text)
        assert not missing, f"docs/yaml-format.md does not mention {kind} keys: {missing}"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text("utf-8")


def _doc_commands(name: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text("utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("dots "):
                commands.append(line)
    return commands


def test_tutorial_commands_run(tmp_path):
    """Every command of the tutorial, run as a new user runs it: the installed `dots` (the one
    beside this interpreter), in an empty folder outside the repository, nothing copied in."""
    import os
    import shlex
    import subprocess
    import sys

    dots = Path(sys.executable).parent / "dots"
    folder = tmp_path / "work"
    folder.mkdir()
    assert ROOT not in folder.resolve().parents
    commands = _doc_commands("tutorial.md")
    assert len(commands) >= 12
    # What the consultant types in the interview: the client's name and their own, the size
    # band, two answers, then the end of input.
    typed = {"dots interview client.yaml": "Acme\nSam Jones\nmedium\nyes\nno +\nSigned off in March\ngoals.pdf\n"}
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    for command in commands:
        result = subprocess.run([str(dots), *shlex.split(command)[1:]], cwd=folder, env=env,
                                input=typed.get(command, ""), capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert (folder / "mid-size.svg").read_text("utf-8").count("<svg") == 1
    assert (folder / "mid-size.png").read_bytes()[:4] == b"\x89PNG"
    assert (folder / "organisation.schema.json").is_file()
    client = (folder / "client.yaml").read_text("utf-8")
    assert "  purpose.goals_written: true\n" in client
    assert "  name: Acme\n" in client
    assert "    note: Signed off in March\n    evidence: [goals.pdf]\n" in client
    assert (folder / "client.xlsx").read_bytes()[:2] == b"PK"


def test_engine_md_table_of_rounds_matches_the_loader():
    """Each subject the table lists for a round puts a rule in that round (Rule.stratum)."""
    import re
    from maturity.model import Rule, Test as Check
    text = (ROOT / "docs" / "engine.md").read_text("utf-8")
    rows = re.findall(r"^\| (\d) \| [^|]+ \| ([^|]+) \|", text, re.M)
    assert [r for r, _ in rows] == ["0", "1", "2"]
    seen = set()
    for number, subjects in rows:
        for subject in re.findall(r"`(\w+)", subjects):
            if subject in maturity.model.SUBJECTS and subject not in seen:
                seen.add(subject)
                rule = Rule("r", "", Check(subject, "x", "equals", True))
                assert rule.stratum == int(number), subject
    assert seen == set(maturity.model.SUBJECTS)
