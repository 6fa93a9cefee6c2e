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
    # Numbered in the order to connect them: nothing is done, so the roadmap's order.
    assert lines[4:10] == [
        '\tpurpose [label="1. Purpose', '(Missing, NEXT)" color="#1155cc" fillcolor="#f4cccc" penwidth=4 tooltip=Purpose]',
        '\taudience [label="2. Audience', '(Missing)" fillcolor="#f4cccc" tooltip=Audience]',
        '\tplatforms [label="3. Platforms', '(Started or more, disconnected)" color="#cc0000" fillcolor="#fce5cd" '
        'penwidth=2.5 style="rounded,filled,dashed" tooltip=Platforms]',
    ]
    assert lines[10:12] == ["\tpurpose -> audience", '\taudience -> platforms [color="#cc0000" style=dashed]']
    legend = lines[12]
    assert legend.startswith("\tlegend [label=<<TABLE")
    rows = legend.split("<TR>")[2:]
    # Exactly the styles used: the two statuses drawn (not Defined), next dot, a dashed
    # swatch for disconnected, the two edge styles drawn, and what the numbers mean.
    assert rows == [
        '<TD BGCOLOR="#f4cccc" STYLE="rounded" WIDTH="24"></TD><TD BORDER="0" ALIGN="LEFT">Missing</TD></TR>',
        '<TD BGCOLOR="#fce5cd" STYLE="rounded" WIDTH="24"></TD><TD BORDER="0" ALIGN="LEFT">Started</TD></TR>',
        '<TD BORDER="3" COLOR="#1155cc" STYLE="rounded"></TD><TD BORDER="0" ALIGN="LEFT">next dot</TD></TR>',
        '<TD BORDER="2" COLOR="#cc0000" STYLE="rounded,dashed"></TD>'
        '<TD BORDER="0" ALIGN="LEFT">disconnected: started before its foundations</TD></TR>',
        '<TD BORDER="0"><FONT COLOR="#777777">\u2500\u2500\u2500\u25b6</FONT></TD>'
        '<TD BORDER="0" ALIGN="LEFT">builds on a dot not yet done</TD></TR>',
        '<TD BORDER="0"><FONT COLOR="#cc0000">\u254c\u254c\u254c\u25b6</FONT></TD>'
        '<TD BORDER="0" ALIGN="LEFT">leads to a disconnected dot</TD></TR>',
        '<TD COLSPAN="2" BORDER="0" ALIGN="LEFT">numbers: the order to connect the dots</TD></TR></TABLE>> '
        'color="" fillcolor="" fontsize=10 shape=plain style=""]',
    ]
    assert lines[13:] == ["\tplatforms -> legend [style=invis]", "}"]


def test_dot_when_everything_is_done(tiny_model):
    a = maturity.assess(tiny_model, maturity.Organisation("Beta", ORG_BETA))
    dot = maturity.to_dot(a)
    assert 'label="Beta: Engaging (stage 3 of 3)"' in dot
    assert "NEXT" not in dot and "disconnected)" not in dot
    assert '\tpurpose -> audience [color="#38761d"]' in dot  # edges out of done elements are green
    assert dot.count('fillcolor="#d9ead3"') == 3
    # Only what is drawn is explained: no next dot, no disconnected dot, no grey edge.
    assert "next dot" not in dot and "disconnected" not in dot and "not yet done" not in dot
    assert "Missing" not in dot and "builds on a done dot" in dot


def test_status_colours_come_from_the_pack(tmp_path: Path):
    statuses = [{"id": "missing", "label": "Missing", "color": "#111111"},
                {"id": "started", "label": "Started", "color": "#222222"},
                {"id": "defined", "label": "Defined", "done": True, "color": "#333333"}]
    model = maturity.load_pack(write_pack(tmp_path, statuses=statuses))
    dot = maturity.to_dot(maturity.assess(model, maturity.Organisation("Acme", ORG_ACME)))
    assert 'tooltip=Purpose]' in dot and 'fillcolor="#111111"' in dot and 'fillcolor="#222222"' in dot
    assert '<TD BGCOLOR="#111111" STYLE="rounded" WIDTH="24"></TD><TD BORDER="0" ALIGN="LEFT">Missing</TD>' in dot
    assert "#f4cccc" not in dot


def test_text_from_files_is_literal_in_dot(tmp_path: Path):
    # A backslash in a label is not a DOT escape (\N would print the node name, and one at the
    # end would swallow the line break); a description like '<...>' is not an HTML label.
    elements = [{"id": "purpose", "label": "Sales\\North", "description": "<why>"},
                {"id": "audience", "label": "Audience \\"}, {"id": "platforms", "label": "Platforms"}]
    model = maturity.load_pack(write_pack(tmp_path, elements=elements))
    dot = maturity.to_dot(maturity.assess(model, maturity.Organisation('Acme "AC" \\', ORG_ACME)))
    assert 'label="Acme \\"AC\\" \\\\: Just do it (stage 1 of 3)"' in dot
    assert '\tpurpose [label="1. Sales\\\\North\n(Missing, NEXT)"' in dot
    assert 'tooltip="<why>"' in dot
    assert '\taudience [label="2. Audience \\\\\n(Missing)"' in dot


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


# Layouts, date, ladder, changed dots ----------------------------------------------------------

def test_title_has_the_assessment_date(tiny_model):
    org = maturity.Organisation("Acme", ORG_ACME, meta={"assessed_on": "2026-11-01"})
    dot = maturity.to_dot(maturity.assess(tiny_model, org))
    assert 'label="Acme: Just do it (stage 1 of 3), assessed 2026-11-01"' in dot


def test_done_dots_are_numbered_first(tiny_model):
    facts = {"purpose.goals_written": True, "platforms.channels": ["linkedin"]}
    dot = maturity.to_dot(maturity.assess(tiny_model, maturity.Organisation("Acme", facts)))
    assert '\tpurpose [label="1. Purpose\n(Defined)"' in dot
    # No answer about Audience: white and dotted, "not answered" rather than Missing; so
    # Platforms, started on it, is not called disconnected (nobody said Audience is not done).
    assert '\taudience [label="2. Audience\n(not answered, NEXT)" color="#1155cc" fillcolor="#ffffff" ' \
        'penwidth=4 style="rounded,filled,dotted"' in dot
    assert '\tplatforms [label="3. Platforms\n(Started or more)"' in dot
    assert ('<TD BGCOLOR="#ffffff" BORDER="2" STYLE="rounded,dotted" WIDTH="24"></TD>'
            '<TD BORDER="0" ALIGN="LEFT">not answered: no answer about it yet</TD></TR>') in dot


def test_only_an_edge_from_a_foundation_known_not_done_is_drawn_as_leading_to_a_disconnected_dot():
    # Posting weekly on LinkedIn without pillars from an EVP, nothing else answered: Tools &
    # Platforms is disconnected because Content / Messaging (started, and known short of
    # defined) is not done. Defined Target Audience, which it also builds on, is not answered:
    # that is not why, so its edge is not drawn red, but dotted (it builds on a dot not known
    # to be done).
    model = maturity.load_pack(None)
    facts = {"content.posts_per_week": 5, "content.pillars_from_evp": False, "platforms.active": ["linkedin"]}
    a = maturity.assess(model, maturity.Organisation("Posty", facts))
    assert [e.element.id for e in a.disconnected] == ["platforms"]
    dot = maturity.to_dot(a)
    assert '\tcontent -> platforms [color="#cc0000" style=dashed]' in dot
    assert '\taudience -> platforms [style=dotted]\n' in dot


@pytest.mark.parametrize("layout, attrs", [
    ("wide", "rankdir=LR ranksep=0.7]"),
    ("page", "rankdir=TB ranksep=0.7 size=\"7,10\"]"),
    ("slide", "rankdir=LR ranksep=0.7 ratio=fill size=\"13.3,7.5\"]"),
])
def test_layouts(acme, layout, attrs):
    assert maturity.to_dot(acme, layout=layout).splitlines()[1].endswith(attrs)


def test_page_and_slide_wrap_long_labels(tmp_path: Path):
    elements = [{"id": "purpose", "label": "Employment Brand & Workforce Marketing"},
                {"id": "audience", "label": "Audience"}, {"id": "platforms", "label": "Platforms"}]
    model = maturity.load_pack(write_pack(tmp_path, elements=elements))
    a = maturity.assess(model, maturity.Organisation("Acme", ORG_ACME))
    assert 'label="1. Employment Brand &\nWorkforce Marketing\n(Missing, NEXT)"' in maturity.to_dot(a, layout="page")
    assert 'label="1. Employment Brand & Workforce Marketing\n(Missing, NEXT)"' in maturity.to_dot(a, layout="wide")


def test_unknown_layout(acme):
    with pytest.raises(maturity.OutputError) as info:
        maturity.to_dot(acme, layout="poster")
    assert info.value.format() == "error: unknown layout 'poster'\n  hint: use one of: wide, page, slide"


def test_ladder_says_you_are_here(acme):
    dot = maturity.to_dot(acme, layout="page", ladder=True)
    ladder = next(line for line in dot.splitlines() if line.startswith("\tladder ["))
    assert ladder.index("3. Engaging") < ladder.index("2. Strategised") < ladder.index("1. Just do it")
    assert '<B>1. Just do it</B></TD><TD BORDER="0" ALIGN="LEFT"><FONT COLOR="#1155cc">\u25c0 you are here</FONT>' in ladder
    assert ladder.count("you are here") == 1
    assert "\t{rank=same; ladder; legend}" in dot
    assert "ladder" not in maturity.to_dot(acme, layout="page")


def test_slide_puts_ladder_and_legend_under_the_graph(acme):
    dot = maturity.to_dot(acme, layout="slide", ladder=True)
    assert "\t{rank=same; platforms; legend}" in dot and "\t{rank=same; purpose; ladder}" in dot


def test_changed_dots_are_marked_and_explained(acme):
    dot = maturity.to_dot(acme, changed={"platforms": "was Missing"}, since="2026-08-01")
    assert ('(Started or more, disconnected, was Missing)" color="#cc0000" fillcolor="#fce5cd" fontcolor="#b45f06" '
            'penwidth=2.5 style="rounded,filled,dashed"') in dot
    assert ('<TD BORDER="0"><FONT COLOR="#b45f06">was ...</FONT></TD>'
            '<TD BORDER="0" ALIGN="LEFT">changed since 2026-08-01: what it was</TD>') in dot
    assert "changed since" not in maturity.to_dot(acme)


def test_dpi_is_for_png_only(acme, tmp_path: Path):
    assert "dpi=" not in maturity.to_dot(acme)
    small = maturity.render_bytes(acme, "png", dpi=48)
    large = maturity.render_bytes(acme, "png", dpi=192)
    width = lambda png: int.from_bytes(png[16:20], "big")
    assert 3.5 < width(large) / width(small) < 4.5
    assert maturity.render_bytes(acme, "svg") == maturity.render_bytes(acme, "svg", dpi=300)
