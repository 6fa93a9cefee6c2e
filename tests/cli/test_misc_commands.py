"""`dots --version`, `--help` everywhere, `python -m maturity`, `dots demo` and `dots facts`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import click
import pytest
import yaml
from click.testing import Result

import maturity
from bundled import EXAMPLES, ROOT, rules_args, invoke
from maturity.cli.main import cli

BUNDLED = EXAMPLES  # what `dots demo` offers: every example, whatever its pack




def ok(result: Result) -> Result:
    assert result.exception is None, repr(result.exception)
    assert result.exit_code == 0, result.stderr
    return result


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand, found from the CLI itself so none can be forgotten."""
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append(prefix + (name,))
        if isinstance(command, click.Group):
            paths += command_paths(command, prefix + (name,))
    return paths


# --version and --help --------------------------------------------------------------------

def test_version_is_the_installed_distributions():
    result = ok(invoke(["--version"]))
    assert result.stdout == f"dots, version {version('connect-the-dots')}\n"
    assert result.stderr == ""
    assert maturity.__version__ == version("connect-the-dots")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_level_help_lists_every_command(flag):
    result = ok(invoke([flag]))
    assert result.stdout.startswith("Usage: dots [OPTIONS] COMMAND [ARGS]...\n")
    assert result.stderr == ""
    listed = set(re.findall(r"^  (\S+)", result.stdout.split("Commands:", 1)[1], flags=re.M))
    assert listed == set(cli.commands)


def test_commands_are_found():
    names = {p[0] for p in command_paths()}
    assert {"assess", "next", "roadmap", "render", "demo", "facts"} <= names


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_help_of_every_command(path):
    result = ok(invoke([*path, "--help"]))
    assert result.stdout.startswith(f"Usage: dots {' '.join(path)} ")
    assert result.stderr == ""
    # The summary line is the command's own help, not an empty one.
    command = cli
    for name in path:
        command = command.commands[name]
    assert command.help and command.help.split()[0] in result.stdout


def test_python_dash_m_maturity(workdir):
    # With COLUMNS=80 click wraps help to 78 characters.
    done = subprocess.run([sys.executable, "-m", "maturity", "--help"], cwd=workdir,
                          env={**os.environ, "COLUMNS": "80"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    with click.Context(cli, info_name="dots", terminal_width=78) as ctx:
        assert done.stdout == cli.get_help(ctx) + "\n"
    done = subprocess.run([sys.executable, "-m", "maturity", "--version"], cwd=workdir,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, f"dots, version {version('connect-the-dots')}\n")


def test_python_dash_m_maturity_reports_errors_like_dots(workdir):
    done = subprocess.run([sys.executable, "-m", "maturity", "assess", "missing.yaml"],
                          cwd=workdir, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "error: missing.yaml: no such file\n  hint: check the path\n"


# demo ------------------------------------------------------------------------------------

def _split_demo(stdout: str) -> tuple[str, Path]:
    """The demo's assessment text and the picture's path from its last line."""
    text, sep, last = stdout.rpartition("\nPicture: ")
    assert sep, f"no 'Picture:' line in {stdout!r}"
    assert last.endswith("\n") and "\n" not in last[:-1]
    return text, Path(last[:-1])


@pytest.mark.parametrize("example", EXAMPLES)
def test_demo_prints_the_assessment_and_draws_the_picture(workdir, tmp_path, golden, example):
    out = tmp_path / "pictures"
    result = ok(invoke(["demo", "--example", example, "--out-dir", str(out), *rules_args(example)]))
    assert result.stderr == ""
    text, picture = _split_demo(result.stdout)
    golden(f"{example}.assess.txt", text)  # the same text as `dots assess`
    assert picture == out / f"{example}.svg"
    svg = picture.read_text("utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert sorted(p.name for p in out.iterdir()) == [f"{example}.svg"]


def test_demo_defaults_to_just_do_it_in_out(workdir, golden):
    result = ok(invoke(["demo"]))
    text, picture = _split_demo(result.stdout)
    golden("just-do-it.assess.txt", text)
    assert picture == Path("out") / "just-do-it.svg"
    assert (workdir / "out" / "just-do-it.svg").read_bytes().startswith(b"<?xml")


def test_demo_unknown_example_lists_the_bundled_ones(workdir):
    result = invoke(["demo", "--example", "nope", "--out-dir", "pictures"])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: no bundled example 'nope'\n"
                             f"  hint: choose one of: {', '.join(BUNDLED)}\n")
    assert list(workdir.iterdir()) == []  # no picture folder made


def test_demo_without_graphviz_falls_back_to_dot(workdir, golden):
    here = os.path.dirname(sys.executable)
    path = os.pathsep.join(dict.fromkeys(
        [here] + [p for p in os.environ.get("PATH", "").split(os.pathsep)
                  if p and shutil.which("dot", path=p) is None]))
    assert shutil.which("dot", path=path) is None
    done = subprocess.run([sys.executable, "-m", "maturity", "demo", "--out-dir", "pics"],
                          cwd=workdir, env={**os.environ, "PATH": path},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("note: the Graphviz program 'dot' is not installed; wrote DOT text "
                           "instead (install Graphviz (Debian/Ubuntu: sudo apt-get install "
                           "graphviz), or write .dot and render it elsewhere)\n")
    text, picture = _split_demo(done.stdout)
    golden("just-do-it.assess.txt", text)
    assert picture == Path("pics") / "just-do-it.dot"
    golden("just-do-it.dot", (workdir / picture).read_bytes())
    assert sorted(p.name for p in (workdir / "pics").iterdir()) == ["just-do-it.dot"]


# facts -----------------------------------------------------------------------------------

def test_facts_lists_every_fact_of_the_default_pack(golden):
    result = ok(invoke(["facts"]))
    assert result.stderr == ""
    model = maturity.load_pack()
    assert len(model.facts) >= 30
    listed = re.findall(r"^  (\S+)  +(?:boolean|integer|number|choice|choices)\b",
                        result.stdout, flags=re.M)
    assert listed == [f.id for _, facts in model.question_groups() for f in facts]
    assert listed[0] == "employer.size_band"  # about the organisation as a whole, first
    for fact in model.facts:
        assert fact.question in result.stdout
    golden("default.facts.txt", result.stdout)


def test_facts_template_to_stdout_is_the_default(workdir):
    result = ok(invoke(["facts", "--template"]))
    assert result.stderr == ""
    first = result.stdout.splitlines()[0]
    # The schema beside the file, never a path into this machine's installation.
    assert first == "# yaml-language-server: $schema=organisation.schema.json"
    assert "\npack: default\n" in result.stdout
    assert list(workdir.iterdir()) == []


def test_facts_template_file_is_refused_until_its_header_is_filled_in(workdir):
    result = ok(invoke(["facts", "--template", "-o", "f.yaml"]))
    assert (result.stdout, result.stderr) == ("", "wrote f.yaml\nwrote organisation.schema.json\n")
    assert (workdir / "organisation.schema.json").read_text("utf-8") == maturity.schema_text("organisation")
    template = (workdir / "f.yaml").read_text("utf-8")
    assert template == ok(invoke(["facts", "--template"])).stdout
    for fact in maturity.load_pack().facts:
        assert f"\n  {fact.id}:\n" in template  # every fact, unanswered
    # The untouched template: one error per placeholder, and no assessment.
    lines = template.splitlines()
    at = {key: lines.index(text) + 1 for key, text in
          [("name", "  name: Client name"), ("date", '  assessed_on: "YYYY-MM-DD"'),
           ("consultant", "  consultant: Your name")]}
    result = invoke(["assess", "f.yaml", "--format", "json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"error: f.yaml:{at['name']}:9: the organisation's name is still the template's "
        "placeholder 'Client name'\n  hint: fill it in\n"
        f"error: f.yaml:{at['date']}:16: the organisation's date assessed (assessed_on) is still "
        "the template's placeholder 'YYYY-MM-DD'\n"
        '  hint: fill it in with the date of the assessment, such as "2026-11-26"\n'
        f"error: f.yaml:{at['consultant']}:15: the organisation's consultant is still the "
        "template's placeholder 'Your name'\n  hint: fill it in\n")
    filled = (template.replace("Client name", "Acme Ltd").replace("YYYY-MM-DD", "2026-11-26")
              .replace("Your name", "Sam Jones"))
    (workdir / "f.yaml").write_text(filled, "utf-8")
    result = ok(invoke(["assess", "f.yaml", "--format", "json"]))
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["organisation"] == {"id": "client", "name": "Acme Ltd",
                                      "assessed_on": "2026-11-26", "consultant": "Sam Jones"}
    assert report["stage"]["id"] == "not_started"
    assert {e["status"] for e in report["elements"]} == {"missing"}


def test_filled_in_template_assesses_like_the_example(workdir):
    ok(invoke(["facts", "--template", "-o", "client.yaml"]))
    answers = yaml.safe_load((ROOT / "examples" / "enterprise.yaml").read_text("utf-8"))["facts"]
    text = (workdir / "client.yaml").read_text("utf-8").replace("Client name", "Client Ltd") \
        .replace("YYYY-MM-DD", "2026-11-26").replace("Your name", "Sam Jones")
    for fact_id, value in answers.items():
        rendered = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
        text = text.replace(f"\n  {fact_id}:\n", f"\n  {fact_id}: {rendered}\n")
    (workdir / "client.yaml").write_text(text, "utf-8")
    mine = json.loads(ok(invoke(["assess", "client.yaml", "--format", "json"])).stdout)
    theirs = json.loads(ok(invoke(["assess", str(ROOT / "examples" / "enterprise.yaml"),
                                   "--format", "json"])).stdout)
    del mine["organisation"], theirs["organisation"]
    assert mine == theirs


@pytest.mark.parametrize("args", [["facts", "--template", "-o", "f.yaml"], ["facts", "-o", "f.yaml"]])
def test_facts_never_replaces_a_file(workdir, args):
    (workdir / "f.yaml").write_bytes(b"facts:\n  purpose.goals_written: true\n")
    result = invoke(args)
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: f.yaml: the file exists already\n"
                             "  hint: choose a new name; dots never replaces a facts file\n")
    assert (workdir / "f.yaml").read_bytes() == b"facts:\n  purpose.goals_written: true\n"
    assert sorted(p.name for p in workdir.iterdir()) == ["f.yaml"]
