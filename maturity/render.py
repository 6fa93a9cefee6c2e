"""The picture: the dependency graph drawn with Graphviz, left to right, each dot coloured by
status, the next dot emphasised, disconnected dots marked, with a legend and a title.

Only this module imports graphviz, and only when a picture is drawn (assessing does not need
it, and importing it costs start-up time). DOT text is built deterministically; other formats
are made by the Graphviz program `dot`, and every output is written whole or not at all.
"""

from __future__ import annotations

import html
from pathlib import Path

from .assess import Assessment
from .errors import OutputError
from .files import check_output_path, write_atomic  # noqa: F401  (also for render's callers)
from .recommend import next_dot

FORMATS = ("svg", "png", "pdf", "dot")
_FALLBACK_COLORS = ("#f4cccc", "#fce5cd", "#d9ead3", "#93c47d", "#6aa84f", "#38761d")
_NEXT = "#1155cc"
_DISCONNECTED = "#cc0000"
_INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz), "
                 "or write .dot and render it elsewhere")


def status_color(assessment: Assessment, rank: int) -> str:
    status = assessment.model.statuses[rank]
    return status.color or _FALLBACK_COLORS[min(rank, len(_FALLBACK_COLORS) - 1)]


def to_dot(assessment: Assessment) -> str:
    """The picture as DOT text."""
    a, model = assessment, assessment.model
    nxt = next_dot(a)
    next_id = nxt.result.element.id if nxt else None
    import graphviz
    # Text from packs and facts files is literal: a backslash in it is not a DOT escape (\N,
    # \l, or one before the line break), and a tooltip like '<...>' is not an HTML label.
    text = graphviz.escape
    title = text(f"{a.organisation.name}: {a.stage.label} (stage {a.stage.rank + 1} of {len(model.stages)})")
    g = graphviz.Digraph("dots", graph_attr={
        "rankdir": "LR", "label": title, "labelloc": "t", "fontname": "Helvetica",
        "fontsize": "18", "nodesep": "0.4", "ranksep": "0.7", "newrank": "true"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                   "fontsize": "12", "penwidth": "1", "color": "#555555"},
        edge_attr={"color": "#777777", "arrowsize": "0.8"})
    for e in a.elements:
        notes = [e.status.label]
        attrs = {"fillcolor": status_color(a, e.status.rank)}
        if e.disconnected:
            notes.append("disconnected")
            attrs.update(color=_DISCONNECTED, penwidth="2.5", style="rounded,filled,dashed")
        if e.element.id == next_id:
            notes.append("NEXT")
            attrs.update(color=_NEXT, penwidth="4")
        label = text(f"{e.element.label}\n({', '.join(notes)})")
        g.node(e.element.id, label=label, tooltip=text(e.element.description or e.element.label), **attrs)
    done = {e.element.id for e in a.elements if e.done}
    for edge in sorted(model.edges, key=lambda x: (model.element_by_id[x.source].index,
                                                     model.element_by_id[x.target].index)):
        attrs = {}
        if edge.source in done:
            attrs["color"] = "#38761d"
        elif a.element(edge.target).disconnected:
            attrs.update(color=_DISCONNECTED, style="dashed")
        g.edge(edge.source, edge.target, **attrs)
    g.node("legend", label=_legend(a), shape="plain", style="", color="", fillcolor="",
           fontsize="10")
    for sink in model.in_model_order(n for n in model.graph if model.graph.out_degree(n) == 0):
        g.edge(sink, "legend", style="invis")  # keeps the legend to the right of the graph
    return g.source


def _legend(a: Assessment) -> str:
    rows = ['<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>']
    for s in a.model.statuses:
        text = html.escape(s.label + (" (done)" if s.done else ""))
        rows.append(f'<TR><TD BGCOLOR="{status_color(a, s.rank)}" WIDTH="24"></TD>'
                    f'<TD ALIGN="LEFT">{text}</TD></TR>')
    rows.append(f'<TR><TD BORDER="3" COLOR="{_NEXT}"></TD><TD ALIGN="LEFT">next dot</TD></TR>')
    rows.append(f'<TR><TD BORDER="2" COLOR="{_DISCONNECTED}"></TD>'
                '<TD ALIGN="LEFT">disconnected: started before its foundations</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="4">'
            + "".join(rows) + "</TABLE>>")


def output_format(path: Path | str) -> str:
    """The format an output path asks for, by its suffix."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise OutputError(f"unknown output format '.{suffix}'" if suffix else "the output has no suffix",
                          f"use one of: {', '.join('.' + f for f in FORMATS)}", str(path))
    return suffix


def render_bytes(assessment: Assessment, fmt: str) -> bytes:
    """The picture in `fmt` (svg, png, pdf or dot)."""
    source = to_dot(assessment)
    if fmt == "dot":
        return source.encode("utf-8")
    from .graphviz_program import draw  # dot's failures, each as one line
    return draw(source, fmt)


def render(assessment: Assessment, path: Path | str) -> Path:
    """Write the picture to `path`, its format chosen by suffix; whole or not at all."""
    path = Path(path)
    fmt = output_format(path)
    check_output_path(path)
    write_atomic(path, render_bytes(assessment, fmt))
    return path
