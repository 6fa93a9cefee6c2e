"""maturity.render: the picture as DOT (title, a node per element coloured by status, the next
dot and disconnected dots marked, a legend), other formats through the Graphviz program `dot`,
and outputs written whole or not at all, with exact messages when they cannot be."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import maturity
from conftest import ORG_ACME, ORG_BETA, write_pack

render = importlib.import_module("maturity.render")  # maturity.render is also a function


@pytest.fixture
def acme(tiny_model) -> maturity.Assessment:
    """Purpose missing (next), audience missing, platforms started (disconnected)."""
    return maturity.assess(tiny_model, maturity.Organisation("Acme", ORG_ACME))


@pytest.fixture
def no_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH on which there is no Graphviz program."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# DOT ------------------------------------------------------------------------------------

def test_dot_has_title_nodes_edges_and_legend(acme):
    lines = maturity.to_dot(acme).splitlines()
    assert lines[0] == "digraph dots {"
    assert lines[1] == ('\tgraph [fontname=Helvetica fontsize=18 label="Acme: Just do it (stage 1 of 3)" '
                        'labelloc=t newrank=true nodesep=0.4 rankdir=LR ranksep=0.7]')
    assert lines[4:10] == [
        '\tpurpose [label="Purpose', '(Missing, NEXT)" color="#1155cc" fillcolor="#f4cccc" penwidth=4 tooltip=Purpose]',
        '\taudience [label="Audience', '(Missing)" fillcolor="#f4cccc" tooltip=Audience]',
        '\tplatforms [label="Platforms', '(Started, disconnected)" color="#cc0000" fillcolor="#fce5cd" '
        'penwidth=2.5 style="rounded,filled,dashed" tooltip=Platforms]',
    ]
    assert lines[10:12] == ["\tpurpose -> audience", '\taudience -> platforms [color="#cc0000" style=dashed]']
    legend = lines[12]
    assert legend.startswith("\tlegend [label=<<TABLE")
    for row in ('<TD BGCOLOR="#f4cccc" WIDTH="24"></TD><TD ALIGN="LEFT">Missing</TD>',
                '<TD BGCOLOR="#fce5cd" WIDTH="24"></TD><TD ALIGN="LEFT">Started</TD>',
                '<TD BGCOLOR="#d9ead3" WIDTH="24"></TD><TD ALIGN="LEFT">Defined (done)</TD>',
                '<TD BORDER="3" COLOR="#1155cc"></TD><TD ALIGN="LEFT">next dot</TD>',
                '<TD BORDER="2" COLOR="#cc0000"></TD><TD ALIGN="LEFT">disconnected: started before its foundations</TD>'):
        assert row in legend
    assert lines[13:] == ["\tplatforms -> legend [style=invis]", "}"]


def test_dot_when_everything_is_done(tiny_model):
    a = maturity.assess(tiny_model, maturity.Organisation("Beta", ORG_BETA))
    dot = maturity.to_dot(a)
    assert 'label="Beta: Engaging (stage 3 of 3)"' in dot
    assert "NEXT" not in dot and "disconnected)" not in dot
    assert '\tpurpose -> audience [color="#38761d"]' in dot  # edges out of done elements are green
    assert dot.count('fillcolor="#d9ead3"') == 3


def test_status_colours_come_from_the_pack(tmp_path: Path):
    statuses = [{"id": "missing", "label": "Missing", "color": "#111111"},
                {"id": "started", "label": "Started", "color": "#222222"},
                {"id": "defined", "label": "Defined", "done": True, "color": "#333333"}]
    model = maturity.load_pack(write_pack(tmp_path, statuses=statuses))
    dot = maturity.to_dot(maturity.assess(model, maturity.Organisation("Acme", ORG_ACME)))
    assert 'tooltip=Purpose]' in dot and 'fillcolor="#111111"' in dot and 'fillcolor="#222222"' in dot
    assert '<TD BGCOLOR="#333333" WIDTH="24"></TD><TD ALIGN="LEFT">Defined (done)</TD>' in dot
    assert "#f4cccc" not in dot


def test_text_from_files_is_literal_in_dot(tmp_path: Path):
    # A backslash in a label is not a DOT escape (\N would print the node name, and one at the
    # end would swallow the line break); a description like '<...>' is not an HTML label.
    elements = [{"id": "purpose", "label": "Sales\\North", "description": "<why>"},
                {"id": "audience", "label": "Audience \\"}, {"id": "platforms", "label": "Platforms"}]
    model = maturity.load_pack(write_pack(tmp_path, elements=elements))
    dot = maturity.to_dot(maturity.assess(model, maturity.Organisation('Acme "AC" \\', ORG_ACME)))
    assert 'label="Acme \\"AC\\" \\\\: Just do it (stage 1 of 3)"' in dot
    assert '\tpurpose [label="Sales\\\\North\n(Missing, NEXT)"' in dot
    assert 'tooltip="<why>"' in dot
    assert '\taudience [label="Audience \\\\\n(Missing)"' in dot


def test_same_assessment_same_dot(tiny_model):
    org = maturity.Organisation("Acme", ORG_ACME)
    assert maturity.to_dot(maturity.assess(tiny_model, org)) == maturity.to_dot(maturity.assess(tiny_model, org))


# Writing files --------------------------------------------------------------------------

def test_dot_file_is_written_as_to_dot(acme, tmp_path: Path):
    out = maturity.render(acme, tmp_path / "acme.dot")
    assert out == tmp_path / "acme.dot"
    assert out.read_text("utf-8") == maturity.to_dot(acme)
    assert sorted(files_in(tmp_path)) == ["acme.dot"]


# Graphviz is installed by `make test` (scripts/ensure-system): these are not skipped without it.
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-")])
def test_svg_png_and_pdf_are_made_by_graphviz(acme, tmp_path: Path, suffix: str, magic: bytes):
    out = maturity.render(acme, tmp_path / f"acme{suffix}")
    data = out.read_bytes()
    assert magic in data[:400]
    if suffix == ".svg":
        assert "Acme: Just do it (stage 1 of 3)" in data.decode("utf-8")
    assert sorted(files_in(tmp_path)) == [f"acme{suffix}"]  # no temporary file left behind


@pytest.mark.parametrize("name, message", [
    ("acme.jpg", "unknown output format '.jpg'"),
    ("acme.SVGZ", "unknown output format '.svgz'"),
    ("acme", "the output has no suffix"),
])
def test_unknown_suffix(acme, tmp_path: Path, name: str, message: str):
    path = tmp_path / name
    with pytest.raises(maturity.OutputError) as info:
        maturity.render(acme, path)
    assert info.value.format() == f"error: {path}: {message}\n  hint: use one of: .svg, .png, .pdf, .dot"
    assert files_in(tmp_path) == {}


def test_suffix_is_case_insensitive(acme, tmp_path: Path):
    assert maturity.output_format(tmp_path / "A.DOT") == "dot"
    assert maturity.render(acme, tmp_path / "A.DOT").read_text("utf-8") == maturity.to_dot(acme)


def test_missing_output_folder(acme, tmp_path: Path):
    path = tmp_path / "no" / "such" / "acme.dot"
    with pytest.raises(maturity.OutputError) as info:
        maturity.render(acme, path)
    assert info.value.format() == f"error: {path}: the folder for the output does not exist\n  hint: create it first"
    assert not (tmp_path / "no").exists()


def test_output_that_is_a_folder(acme, tmp_path: Path):
    (tmp_path / "pic.svg").mkdir()
    with pytest.raises(maturity.OutputError) as info:
        maturity.render(acme, tmp_path / "pic.svg")
    assert info.value.format() == f"error: {tmp_path / 'pic.svg'}: the output is a folder\n  hint: give a file name"


def test_without_graphviz_dot_still_works_and_svg_fails_with_a_hint(acme, tmp_path: Path, no_graphviz):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.svg").write_bytes(b"old picture")
    assert maturity.render(acme, out / "acme.dot").read_text("utf-8") == maturity.to_dot(acme)
    for name in ("acme.svg", "old.svg", "acme.png"):
        with pytest.raises(maturity.OutputError) as info:
            maturity.render(acme, out / name)
        assert info.value.format() == (
            "error: the Graphviz program 'dot' is not installed\n"
            "  hint: install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz), "
            "or write .dot and render it elsewhere")
    # nothing written, and the picture that was there is untouched
    assert files_in(out) == {"acme.dot": maturity.to_dot(acme).encode("utf-8"), "old.svg": b"old picture"}


def test_a_failing_write_leaves_the_old_file_and_no_temporary_file(acme, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "acme.dot").write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("maturity.files.os.replace", broken_replace)
    with pytest.raises(maturity.OutputError) as info:
        maturity.render(acme, tmp_path / "acme.dot")
    assert info.value.message == "cannot write: No space left on device"
    assert files_in(tmp_path) == {"acme.dot": b"old"}


def test_graphviz_failure_is_an_output_error(acme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # A broken `dot` on PATH: its message is passed on, and nothing is written.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 1\n")
    (fake / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    with pytest.raises(maturity.OutputError) as info:
        maturity.render(acme, tmp_path / "acme.svg")
    assert info.value.format() == ("error: Graphviz failed: something broke\n"
                                   "  hint: write .dot to see what was given to Graphviz")
    assert not (tmp_path / "acme.svg").exists()
