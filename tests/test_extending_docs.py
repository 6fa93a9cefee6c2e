"""docs/extending.md shows real YAML: every ```yaml block in it is loaded here.

- a block after `<!-- pack-snippet -->` is a file of a pack that extends `default` (or, when it
  has a `pack:` section, a whole pack): it must load with no error, and no warning may point
  into it;
- the block before `<!-- check-output -->` is `acme/rules.yaml`, and the ```text block after
  the marker is what `dots rules check acme` prints about it;
- the one other block is the editor's schema line, as `dots init` writes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import maturity
from maturity.cli.main import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "extending.md"
BLOCK = re.compile(r"(?:<!-- (?P<marker>[a-z-]+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```\n", re.S)
PACK = "pack: {id: snippet, label: Snippet, extends: default}\n"
SCHEMA_LINE = "# yaml-language-server: $schema=pack.schema.json\n"


def blocks() -> list[tuple[str | None, str, str]]:
    return [(m["marker"], m["lang"], m["body"]) for m in BLOCK.finditer(DOC.read_text("utf-8"))]


SNIPPETS = [body for marker, lang, body in blocks() if marker == "pack-snippet"]


def test_every_yaml_block_is_tested():
    found = blocks()
    for n, (marker, lang, body) in enumerate(found):
        if lang != "yaml":
            continue
        before_check = n + 1 < len(found) and found[n + 1][0] == "check-output"
        assert marker == "pack-snippet" or before_check or body == SCHEMA_LINE, body
    assert len(SNIPPETS) >= 8


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet{n}" for n in range(len(SNIPPETS))])
def test_snippet_loads_without_problems(here: Path, snippet: str):
    folder = here / "snippet"
    folder.mkdir()
    if re.search(r"^pack:", snippet, re.M):
        (folder / "pack.yaml").write_text(snippet, "utf-8")
        mine = "snippet/pack.yaml"
    else:
        (folder / "pack.yaml").write_text(PACK, "utf-8")
        (folder / "snippet.yaml").write_text(snippet, "utf-8")
        mine = "snippet/snippet.yaml"
    problems = maturity.check_pack("snippet")
    assert not [p.format() for p in problems if p.severity == "error"]
    assert not [p.format() for p in problems if p.file == mine]


def test_the_check_output_shown_is_what_dots_prints(here: Path):
    found = blocks()
    n = next(i for i, (marker, _, _) in enumerate(found) if marker == "check-output")
    rules, shown = found[n - 1][2], found[n][2]
    (here / "acme").mkdir()
    (here / "acme" / "pack.yaml").write_text(PACK.replace("snippet", "acme"), "utf-8")
    (here / "acme" / "rules.yaml").write_text(rules, "utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", "acme"], prog_name="dots")
    assert result.exit_code == 0
    assert shown in result.stdout


def test_the_schema_line_is_what_init_writes(here: Path):
    maturity.init_pack(here / "acme")
    for name in ("pack.yaml", "rules.yaml"):
        assert (here / "acme" / name).read_text("utf-8").startswith(SCHEMA_LINE)
    assert (here / "acme" / "pack.schema.json").is_file()


def test_the_commands_shown_run(here: Path):
    import shlex
    import shutil
    shutil.copytree(DOC.parent.parent / "examples", here / "examples")
    commands = [line.split("#", 1)[0].strip()
                for marker, lang, body in blocks() if lang == "sh" for line in body.splitlines()]
    commands = [c for c in commands if c.startswith("dots ")]
    assert commands[0] == "dots init acme" and len(commands) >= 5
    for command in commands:
        result = CliRunner().invoke(cli, shlex.split(command)[1:], prog_name="dots")
        assert result.exit_code == 0, f"{command}\n{result.output}"
    assert (here / "acme" / "pack.schema.json").read_text("utf-8") == maturity.schema_text("pack")
