"""Texts that Graphviz cannot draw (a NUL cuts a label or breaks the DOT syntax; a quoted string
stops at 16,384 characters) are refused when the file is read, with their place and a hint;
and any failure of Graphviz itself is one line that says it was Graphviz and why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ORG_ACME, TINY_PACK, write_org, write_pack

import maturity
from maturity import yamlio
from maturity.errors import DataError, OutputError
from maturity.graphviz_program import MAX_QUOTED, draw

LONG_HINT = "shorten it; a long explanation belongs in a document the text can name"
CONTROL_HINT = ("remove it; texts may hold tabs and line breaks, but no other control "
                "characters")


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pack_problems(**changes) -> list[tuple[int, int, str, str]]:
    pack = write_pack(Path.cwd(), **changes)
    with pytest.raises(DataError) as info:
        maturity.load_pack(pack)
    return [(p.line, p.column, p.message, p.hint) for p in info.value.problems()]


def where(path: tuple) -> tuple[int, int]:
    """Line and column of the value at `path` in the pack written last (loaded without texts
    being judged: positions only)."""
    text = Path("tiny/pack.yaml").read_text("utf-8")
    node = yaml.compose(text)
    for step in path:
        node = dict((k.value, v) for k, v in node.value)[step] if isinstance(step, str) \
            else node.value[step]
    return node.start_mark.line + 1, node.start_mark.column + 1


# Control characters ----------------------------------------------------------------------

def with_element(**fields) -> dict:
    elements = [dict(e) for e in TINY_PACK["elements"]]
    elements[0].update(fields)
    return {"elements": elements}


@pytest.mark.parametrize("field", ["label", "description"])
@pytest.mark.parametrize("char", ["\0", "\x1b", "\x7f", "\x9b", "\r"])
def test_control_characters_in_pack_texts_are_refused(field, char):
    # A NUL passed `rules check`; `render` then failed with a Graphviz syntax error naming no
    # file, or cut the label at the NUL.
    problems = pack_problems(**with_element(**{field: f"Pur{char}pose"}))
    line, column = where(("elements", 0, field))
    assert problems == [(line, column, f"control character U+{ord(char):04X} at character 4 of "
                         "the text", CONTROL_HINT)]


@pytest.mark.parametrize("section, path, value", [
    ("edges", ("edges", 0, "because"), [{"from": "purpose", "to": "audience", "because": "a\0b"},
                                        TINY_PACK["edges"][1]]),
    ("rules", ("rules", 0, "because"), [{**TINY_PACK["rules"][0], "because": "a\0b"}]
     + TINY_PACK["rules"][1:]),
    ("rules", ("rules", 7, "then", "findings", 0, "message"),
     TINY_PACK["rules"][:7] + [{**TINY_PACK["rules"][7], "then": {"findings": [
         {"id": "platforms-disc", "severity": "high", "element": "platforms", "message": "a\0b"}]}}]
     + TINY_PACK["rules"][8:]),
])
def test_control_characters_anywhere_in_a_pack_are_refused(section, path, value):
    problems = pack_problems(**{section: value})
    assert problems == [(*where(path), "control character U+0000 at character 2 of the text",
                         CONTROL_HINT)]


def test_tabs_and_line_breaks_are_text():
    model = maturity.load_pack(write_pack(Path.cwd(), **with_element(
        label="Pur\tpose", description="line one\nline two")))
    assert model.elements[0].label == "Pur\tpose"


def test_control_character_in_the_organisation_name_is_refused(workdir):
    model = maturity.load_pack(write_pack(workdir))
    write_org(Path("org.yaml"), ORG_ACME, name="Acme\0Ltd")
    with pytest.raises(DataError) as info:
        maturity.load_organisation("org.yaml", model)
    assert info.value.format() == ("error: org.yaml:2:9: control character U+0000 at character 5 "
                                   f"of the text\n  hint: {CONTROL_HINT}")


def test_control_character_in_a_key_is_one_problem(workdir):
    Path("k.yaml").write_text('"a\\0b": 1\n', "utf-8")
    with pytest.raises(DataError) as info:
        yamlio.load("k.yaml")
    assert [p.message for p in info.value.problems()] == [
        "control character U+0000 at character 2 of the text"]


def test_half_a_surrogate_pair_is_not_text(workdir):
    Path("s.yaml").write_text('x: "\\ud800"\n', "utf-8")
    with pytest.raises(DataError) as info:
        yamlio.load("s.yaml")
    assert info.value.problems()[0].message == "control character U+D800 at character 1 of the text"


def test_tables_are_checked_like_yaml():
    # Facts from a workbook or CSV file are not read by yamlio.load: their texts are checked
    # on the document they make.
    doc = yamlio.Document("t.csv", {"organisation": {"name": "A\0"}, "facts": {"x": ["ok", "b\x01"]}},
                          values={("organisation", "name"): (2, 3), ("facts", "x", 1): (5, 1)})
    assert [(p.line, p.column, p.message) for p in yamlio.text_problems(doc)] == [
        (2, 3, "control character U+0000 at character 2 of the text"),
        (5, 1, "control character U+0001 at character 2 of the text")]


# Over-long texts -------------------------------------------------------------------------

def test_a_20000_character_description_is_refused():
    # Graphviz stops at 16,384 characters in a quoted string: render kept writing to it and
    # ended in "internal error: BrokenPipeError".
    problems = pack_problems(**with_element(description="d" * 20_000))
    assert problems == [(*where(("elements", 0, "description")),
                         "a text of 20,000 characters; at most 4,000 are allowed", LONG_HINT)]


def test_a_100000_character_organisation_name_is_refused_by_render(workdir):
    write_org(Path("org.yaml"), ORG_ACME, name="N" * 100_000)
    pack = write_pack(workdir)
    result = subprocess.run([sys.executable, "-m", "maturity", "render", "org.yaml", "--rules",
                             str(pack), "-o", "org.svg"], capture_output=True, text=True,
                            timeout=120)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: org.yaml:2:9: a text of 100,000 characters; at most 4,000 "
                             f"are allowed\n  hint: {LONG_HINT}\n")
    assert not Path("org.svg").exists()


def test_the_longest_texts_allowed_are_drawn(workdir):
    # The title joins the organisation's name and the stage's label; escaping can double each
    # character (a backslash, a quote). At the limits it still fits in one Graphviz string.
    stages = [dict(s) for s in TINY_PACK["stages"]]
    stages[0]["label"] = '"' * yamlio.MAX_TEXT
    pack = write_pack(workdir, stages=stages, **with_element(description="\\" * yamlio.MAX_TEXT,
                                                             label="x" * yamlio.MAX_TEXT))
    write_org(Path("org.yaml"), ORG_ACME, name="\\" * yamlio.MAX_TEXT)
    model = maturity.load_pack(pack)
    a = maturity.assess(model, maturity.load_organisation("org.yaml", model))
    svg = maturity.render(a, "org.svg").read_text("utf-8")
    assert svg.startswith("<?xml") and "\\" * 100 in svg


# Graphviz's failures ---------------------------------------------------------------------

def fake_dot(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put a `dot` running `script` first on PATH."""
    bin_ = folder / "fake-bin"
    bin_.mkdir(exist_ok=True)
    (bin_ / "dot").write_text("#!/bin/sh\n" + script + "\n", "utf-8")
    (bin_ / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")


def test_graphviz_that_stops_reading_is_one_line(workdir, monkeypatch):
    # A `dot` that gives up before reading a big source: dots went on writing into the closed
    # pipe ("internal error: BrokenPipeError"; and with a closed-pipe exit, a silent 141).
    fake_dot(workdir, "exec 0<&-\necho 'Warning: first' >&2\necho 'Error: <stdin>: too big' >&2\n"
                      "exit 1", monkeypatch)
    source = "digraph {\n" + "// padding\n" * 200_000 + "}\n"
    with pytest.raises(OutputError) as info:
        draw(source, "svg")
    assert info.value.format() == ("error: Graphviz failed: too big\n"
                                   "  hint: write .dot to see what was given to Graphviz")


def test_graphviz_killed_is_one_line(workdir, monkeypatch):
    fake_dot(workdir, "kill -9 $$", monkeypatch)
    with pytest.raises(OutputError) as info:
        draw("digraph {}\n", "svg")
    assert info.value.message == "Graphviz failed: 'dot' was stopped by signal 9"


def test_graphviz_messages_are_not_copied_to_stderr(workdir, monkeypatch, capfd):
    fake_dot(workdir, "echo 'Error: <stdin>: syntax error in line 3' >&2\nexit 1", monkeypatch)
    with pytest.raises(OutputError):
        draw("digraph {}\n", "svg")
    assert capfd.readouterr().err == ""


def test_too_long_a_dot_string_is_refused_before_graphviz(workdir, monkeypatch):
    fake_dot(workdir, "echo never run >&2\nexit 1", monkeypatch)
    with pytest.raises(OutputError) as info:
        draw('digraph { a [label="' + "x" * (MAX_QUOTED + 1) + '"] }\n', "svg")
    assert info.value.message == ("Graphviz cannot draw this picture: one of its texts is "
                                  "16,382 characters long as DOT, and Graphviz reads at most "
                                  "16,381")


def test_graphviz_draws_a_string_at_its_limit(workdir):
    svg = draw('digraph { a [tooltip="' + "x" * MAX_QUOTED + '"] }\n', "svg")
    assert b"x" * 1000 in svg
