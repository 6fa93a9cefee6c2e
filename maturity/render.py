"""The picture: the dependency graph drawn with Graphviz, left to right, each dot coloured by
status, the next dot emphasised, disconnected dots marked, with a legend and a title.

Only this module imports graphviz, and only when a picture is drawn (assessing does not need
it, and importing it costs start-up time). DOT text is built deterministically; other formats
are made by the Graphviz program `dot`, and every output is written whole or not at all.
"""

from __future__ import annotations

import html
import textwrap
from pathlib import Path

from .assess import Assessment
from .errors import OutputError
from .explain import NOT_ANSWERED, shown_status, unassessed
from .files import check_output_path, write_atomic
from .recommend import connection_order, next_dot
from .views import GroupProgress, group_progress, select

FORMATS = ("svg", "png", "pdf", "dot")
_FALLBACK_COLORS = ("#f4cccc", "#fce5cd", "#d9ead3", "#93c47d", "#6aa84f", "#38761d")
_NEXT = "#1155cc"
_DISCONNECTED = "#cc0000"
_INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz), "
                 "or write .dot and render it elsewhere")


def status_color(assessment: Assessment, rank: int) -> str:
    status = assessment.model.statuses[rank]
    return status.color or _FALLBACK_COLORS[min(rank, len(_FALLBACK_COLORS) - 1)]


LAYOUTS = ("wide", "page", "slide")
# Graphviz settings per layout: the direction of the graph and the largest size (inches) it
# is scaled down to. A4 less the report's margins is about 7.0 x 10.2 in; a 16:9 slide 13.3 x 7.5.
_LAYOUT = {
    "wide": {"rankdir": "LR"},
    "page": {"rankdir": "TB", "size": "7,10"},
    "slide": {"rankdir": "LR", "size": "13.3,7.5", "ratio": "fill"},
}
_DONE_EDGE = "#38761d"
_EDGE = "#777777"
_CHANGED = "#b45f06"
_NOT_ANSWERED = "#ffffff"  # a dot whose status rests on no answer: white, dotted


def check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise OutputError(f"unknown layout '{layout}'", f"use one of: {', '.join(LAYOUTS)}")
    return layout


def to_dot(assessment: Assessment, only: str | None = None, *, layout: str = "wide",
           ladder: bool = False, dpi: int | None = None, changed: dict[str, str] | None = None,
           since: str = "") -> str:
    """The picture as DOT text: every element, or those `only` selects (views.select), each
    group drawn as a box around its elements. Dots are numbered in the order to connect them
    (the done ones, then the roadmap); `ladder` adds the stage ladder with "you are here";
    `changed` marks the dots that moved since an earlier assessment (element id -> what it
    was), dated `since`."""
    a, model = assessment, assessment.model
    check_layout(layout)
    shown = select(a, only)
    nxt = next_dot(a)
    next_id = nxt.result.element.id if nxt else None
    changed = changed or {}
    number = {e: n for n, e in enumerate(connection_order(a), 1)}
    import graphviz
    # Text from packs and facts files is literal: a backslash in it is not a DOT escape (\N,
    # \l, or one before the line break), and a tooltip like '<...>' is not an HTML label.
    text = graphviz.escape
    graph_attr = {"label": text(_title(a)), "labelloc": "t", "fontname": "Helvetica",
                  "fontsize": "18", "nodesep": "0.4", "ranksep": "0.7", "newrank": "true",
                  **_LAYOUT[layout]}
    if dpi:
        graph_attr["dpi"] = str(dpi)
    g = graphviz.Digraph("dots", graph_attr=graph_attr,
                         node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                    "fontsize": "12", "penwidth": "1", "color": "#555555"},
                         edge_attr={"color": _EDGE, "arrowsize": "0.8"})
    used = _Used()
    for e in a.elements:
        if shown is not None and e.element.id not in shown:
            continue
        if unassessed(a, e):  # the answers do not show it missing: they say nothing of it
            notes = [NOT_ANSWERED.lower()]
            attrs = {"fillcolor": _NOT_ANSWERED, "style": "rounded,filled,dotted", "penwidth": "2"}
            used.not_answered = True
        else:
            notes = [shown_status(a, e)]  # "Started or more" where open questions could raise it
            attrs = {"fillcolor": status_color(a, e.status.rank)}
            used.statuses.add(e.status.rank)
        if e.disconnected:
            notes.append("disconnected")
            attrs.update(color=_DISCONNECTED, penwidth="2.5", style="rounded,filled,dashed")
            used.disconnected = True
        if e.element.id == next_id:
            notes.append("NEXT")
            attrs.update(color=_NEXT, penwidth="4")
            used.next = True
        if e.element.id in changed:  # text, so that it adds to the next/disconnected borders
            notes.append(changed[e.element.id])
            attrs.update(fontcolor=_CHANGED)
            used.changed = True
        name = f"{number[e.element.id]}. {e.element.label}"
        if layout != "wide":  # narrower dots for pages and slides
            name = "\n".join(textwrap.wrap(name, 24, break_on_hyphens=False)) or name
        label = text(f"{name}\n({', '.join(notes)})")
        g.node(e.element.id, label=label, tooltip=text(e.element.description or e.element.label), **attrs)
    done = {e.element.id for e in a.elements if e.done}
    for edge in sorted(model.edges, key=lambda x: (model.element_by_id[x.source].index,
                                                     model.element_by_id[x.target].index)):
        if shown is not None and not {edge.source, edge.target} <= shown:
            continue
        attrs = {}
        if edge.source in done:
            attrs["color"] = _DONE_EDGE
            used.edges.add("done")
        elif edge.source in a.done_unknown:  # not answered, or at a done level on one that is not
            attrs["style"] = "dotted"
            used.edges.add("unknown")
        elif a.element(edge.target).disconnected:  # from a foundation known not done
            attrs.update(color=_DISCONNECTED, style="dashed")
            used.edges.add("disconnected")
        else:
            used.edges.add("open")
        g.edge(edge.source, edge.target, **attrs)
    g.node("legend", label=_legend(a, used, since), shape="plain", style="", color="",
           fillcolor="", fontsize="10")
    extras = ["legend"]
    if ladder:
        g.node("ladder", label=_ladder(a), shape="plain", style="", color="", fillcolor="",
               fontsize="10")
        extras.insert(0, "ladder")
    drawn = model.graph if shown is None else model.graph.subgraph(shown)
    sinks = model.in_model_order(n for n in drawn if drawn.out_degree(n) == 0)
    if layout == "slide":
        # Under the graph, so that the picture keeps near 16:9: the ladder below the first
        # column of dots, the legend below the last.
        sources = model.in_model_order(n for n in drawn if drawn.in_degree(n) == 0)
        g.body.append(f"\t{{rank=same; {sinks[-1]}; legend}}\n")
        g.edge(sinks[-1], "legend", style="invis")
        if ladder:
            g.body.append(f"\t{{rank=same; {sources[0]}; ladder}}\n")
            g.edge(sources[0], "ladder", style="invis")
    else:
        for extra in extras:  # after the graph: to its right (wide) or below it (page)
            for sink in sinks:
                g.edge(sink, extra, style="invis")
        if len(extras) > 1:
            g.body.append("\t{rank=same; " + "; ".join(extras) + "}\n")
    _add_clusters(g, model, shown)
    return g.source



def _add_clusters(g, model, shown: set[str] | None) -> None:
    """A box around each group's elements (a sub-group's box inside its group's); a node named
    inside a cluster is drawn in it, wherever it was first defined."""
    import graphviz
    for group in (x for x in model.groups if x.within is None):
        inner = [x for x in model.groups if x.within == group.id]
        own = [e.id for e in model.elements if e.group == group.id and (shown is None or e.id in shown)]
        subs = [(x, [e for e in model.members[x.id] if shown is None or e in shown]) for x in inner]
        if not own and not any(ids for _, ids in subs):
            continue
        with g.subgraph(name=f"cluster_{group.id}") as c:
            c.attr(label=graphviz.escape(group.label), **_CLUSTER)
            for element_id in own:
                c.node(element_id)
            for sub, ids in subs:
                if ids:
                    with c.subgraph(name=f"cluster_{sub.id}") as d:
                        d.attr(label=graphviz.escape(sub.label), **_CLUSTER)
                        for element_id in ids:
                            d.node(element_id)


_CLUSTER = {"style": "rounded,dashed", "color": "#999999", "fontname": "Helvetica",
            "fontsize": "14", "labeljust": "l"}


def summary_to_dot(assessment: Assessment, layout: str = "slide") -> str:
    """One node per group, coloured by the share of its elements done, with the dependencies
    between groups: the picture of a large model that fits a slide (left to right; `layout`
    "page": top to bottom, to fit an A4 page, as the report draws it)."""
    a, model = assessment, assessment.model
    if not model.groups:
        raise OutputError("the summary view needs groups, and this pack has none",
                          "give elements a 'group' (see docs/yaml-format.md), or draw the whole model")
    import graphviz
    text = graphviz.escape
    title = text(f"{a.organisation.name}: {a.stage.label} ({_stage_of(a)})")
    page = layout == "page"
    g = graphviz.Digraph("summary", graph_attr={
        "rankdir": "TB" if page else "LR", "label": title, "labelloc": "t", "fontname": "Helvetica",
        "fontsize": "18", "nodesep": "0.3", "ranksep": "0.6", "size": "7,10" if page else "13.3,7.5",
        "ratio": "compress"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "12",
                   "color": "#555555"},
        edge_attr={"color": "#777777", "arrowsize": "0.8"})
    progress = [p for p in group_progress(a, own=True) if p.total]
    for parent in [x for x in model.groups if x.within is None]:
        ours = [p for p in progress if p.group.id == parent.id or p.group.within == parent.id]
        if len(ours) == 1:
            _summary_node(g, ours[0])
        elif ours:  # a dimension drawn as its sub-dimensions, boxed together
            with g.subgraph(name=f"cluster_{parent.id}") as c:
                c.attr(label=text(parent.label), **_CLUSTER)
                for p in ours:
                    _summary_node(c, p)
    rows = "".join(f'<TD BGCOLOR="{_progress_color(n / 5)}">{n * 20}%</TD>' for n in range(6))
    g.node("legend", shape="plain", style="", fontsize="10", label=(
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="4"><TR><TD COLSPAN="6">'
        f'<B>Share of each group done</B></TD></TR><TR>{rows}</TR></TABLE>>'))
    links: dict[tuple[str, str], int] = {}
    for edge in model.edges:
        source = model.element_by_id[edge.source].group
        target = model.element_by_id[edge.target].group
        if source and target and source != target:
            links[(source, target)] = links.get((source, target), 0) + 1
    order = {p.group.id: n for n, p in enumerate(progress)}
    for (source, target), count in sorted(links.items(), key=lambda kv: (order[kv[0][0]], order[kv[0][1]])):
        g.edge(source, target, penwidth=f"{min(1 + count / 4, 4):g}",
               tooltip=f"{count} dependenc{'y' if count == 1 else 'ies'}")
    for p in progress:  # the legend to the right of the groups no other group builds on
        if not any(source == p.group.id for source, _ in links):
            g.edge(p.group.id, "legend", style="invis")
    return g.source


def _summary_node(g, p: GroupProgress) -> None:
    import graphviz
    label = graphviz.escape(f"{p.group.label}\n{p.done} of {p.total} done\nlowest: {p.lowest.label}")
    g.node(p.group.id, label=label, fillcolor=_progress_color(p.share))


def _progress_color(share: float) -> str:
    """From light red (nothing done) through yellow to green (all done)."""
    stops = ["#f4cccc", "#fce5cd", "#fff2cc", "#d9ead3", "#93c47d", "#6aa84f"]
    return stops[min(int(share * (len(stops) - 1) + 1e-9), len(stops) - 1)]


def _stage_of(a: Assessment) -> str:
    """"stage 2 of 7", and "or higher" where questions not answered could raise it."""
    return f"stage {a.stage.rank + 1} of {len(a.model.stages)}" + (" or higher" if a.stage_open else "")


def _title(a: Assessment) -> str:
    title = f"{a.organisation.name}: {a.stage.label} ({_stage_of(a)})"
    date = a.organisation.meta.get("assessed_on")
    return title + (f", assessed {date}" if date else "")


class _Used:
    """Which node and edge styles the picture uses, so that the legend shows those only."""

    def __init__(self) -> None:
        self.statuses: set[int] = set()
        self.next = self.disconnected = self.changed = self.not_answered = False
        self.edges: set[str] = set()


_EDGE_ROWS = (  # the four edge styles, as drawn: colour, line, meaning
    ("done", _DONE_EDGE, "\u2500\u2500\u2500\u25b6", "builds on a done dot"),
    ("open", _EDGE, "\u2500\u2500\u2500\u25b6", "builds on a dot not yet done"),
    ("unknown", _EDGE, "\u2508\u2508\u2508\u25b6", "builds on a dot not known to be done"),
    ("disconnected", _DISCONNECTED, "\u254c\u254c\u254c\u25b6", "leads to a disconnected dot"),
)


def _legend(a: Assessment, used: _Used, since: str = "") -> str:
    rows = ['<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>']
    for s in a.model.statuses:
        if s.rank in used.statuses:
            text = html.escape(s.label + (" (a done level)" if s.done else ""))
            rows.append(f'<TR><TD BGCOLOR="{status_color(a, s.rank)}" STYLE="rounded" WIDTH="24"></TD>'
                        f'<TD BORDER="0" ALIGN="LEFT">{text}</TD></TR>')
    if used.not_answered:
        rows.append(f'<TR><TD BGCOLOR="{_NOT_ANSWERED}" BORDER="2" STYLE="rounded,dotted" WIDTH="24"></TD>'
                    '<TD BORDER="0" ALIGN="LEFT">not answered: no answer about it yet</TD></TR>')
    if used.next:
        rows.append(f'<TR><TD BORDER="3" COLOR="{_NEXT}" STYLE="rounded"></TD><TD BORDER="0" ALIGN="LEFT">next dot</TD></TR>')
    if used.disconnected:
        rows.append(f'<TR><TD BORDER="2" COLOR="{_DISCONNECTED}" STYLE="rounded,dashed"></TD>'
                    '<TD BORDER="0" ALIGN="LEFT">disconnected: started before its foundations</TD></TR>')
    if used.changed:
        when = f" since {html.escape(since)}" if since else ""
        rows.append(f'<TR><TD BORDER="0"><FONT COLOR="{_CHANGED}">was ...</FONT></TD>'
                    f'<TD BORDER="0" ALIGN="LEFT">changed{when}: what it was</TD></TR>')
    for key, color, line, meaning in _EDGE_ROWS:
        if key in used.edges:
            rows.append(f'<TR><TD BORDER="0"><FONT COLOR="{color}">{line}</FONT></TD>'
                        f'<TD BORDER="0" ALIGN="LEFT">{meaning}</TD></TR>')
    rows.append('<TR><TD COLSPAN="2" BORDER="0" ALIGN="LEFT">numbers: the order to connect the dots</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="4">'
            + "".join(rows) + "</TABLE>>")


def _ladder(a: Assessment) -> str:
    rows = ['<TR><TD COLSPAN="2"><B>Stages</B></TD></TR>']
    for s in reversed(a.model.stages):
        label = html.escape(f"{s.rank + 1}. {s.label}")
        if s.id == a.stage.id:
            rows.append(f'<TR><TD BORDER="3" COLOR="{_NEXT}" ALIGN="LEFT"><B>{label}</B></TD>'
                        f'<TD BORDER="0" ALIGN="LEFT"><FONT COLOR="{_NEXT}">\u25c0 you are here</FONT></TD></TR>')
        else:
            rows.append(f'<TR><TD ALIGN="LEFT">{label}</TD><TD BORDER="0"></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="4">'
            + "".join(rows) + "</TABLE>>")


def output_format(path: Path | str) -> str:
    """The format an output path asks for, by its suffix."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise OutputError(f"unknown output format '.{suffix}'" if suffix else "the output has no suffix",
                          f"use one of: {', '.join('.' + f for f in FORMATS)}", str(path))
    return suffix


def render_bytes(assessment: Assessment, fmt: str, only: str | None = None,
                 summary: bool = False, *, layout: str = "wide", ladder: bool = False,
                 dpi: int | None = None, changed: dict[str, str] | None = None,
                 since: str = "") -> bytes:
    """The picture in `fmt` (svg, png, pdf or dot): the model, the part `only` selects, or
    (`summary`) one node per group; `dpi` applies to PNG only."""
    source = summary_to_dot(assessment, layout) if summary else to_dot(
        assessment, only, layout=layout, ladder=ladder, dpi=dpi if fmt == "png" else None,
        changed=changed, since=since)
    if fmt == "dot":
        return source.encode("utf-8")
    from .graphviz_program import draw  # dot's failures, each as one line
    return draw(source, fmt)


def render(assessment: Assessment, path: Path | str, only: str | None = None,
           summary: bool = False, *, layout: str = "wide", ladder: bool = False,
           dpi: int | None = None, changed: dict[str, str] | None = None,
           since: str = "") -> Path:
    """Write the picture to `path`, its format chosen by suffix; whole or not at all."""
    path = Path(path)
    fmt = output_format(path)
    check_output_path(path)
    write_atomic(path, render_bytes(assessment, fmt, only, summary, layout=layout, ladder=ladder,
                                    dpi=dpi, changed=changed, since=since))
    return path
