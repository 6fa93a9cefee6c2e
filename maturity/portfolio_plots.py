"""Pictures of portfolio statistics (matplotlib, imported only here, and this module only by
`dots portfolio --picture`): the stage distribution of each group as stacked bars, and a
heatmap of element status by group. Drawn from `portfolio.portfolio_data`, nothing recounted."""

from __future__ import annotations

from pathlib import Path

from .errors import OutputError
from .files import write_atomic
from .yamlio import display_path

PICTURE_FORMATS = (".png", ".svg", ".pdf")


def picture_bytes(pack: dict, by: str | None, min_group: int, fmt: str) -> bytes:
    """One pack's statistics (an entry of portfolio_data's "packs") as a picture."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "connect-the-dots"  # same ids in every run
    groups = pack["groups"]
    if not groups:
        raise OutputError(f"no group has {min_group} or more organisations; there is nothing to draw",
                          "lower --min-group to draw smaller groups")
    names = ["All" if g["segment"] == "all" else g["segment"] for g in groups]
    rows = len(groups)
    height = 2.2 + 0.45 * rows
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, height * 1.0 + 1.2),
                                      gridspec_kw={"width_ratios": [1.1, 1]})
    # Stage distribution: one bar per group, stages stacked in order, labelled with n.
    stages = groups[0]["stages"]
    cmap = plt.get_cmap("RdYlGn")
    colours = [cmap(0.1 + 0.8 * i / max(1, len(stages) - 1)) for i in range(len(stages))]
    y = list(range(rows))[::-1]
    lefts = [0.0] * rows
    floors = any(s.get("could_be_higher") for g in groups for s in g["stages"])
    for i, stage in enumerate(stages):
        widths = [g["stages"][i]["share"] * 100 for g in groups]
        left.barh(y, widths, left=lefts, color=colours[i], edgecolor="white", label=stage["label"])
        # Those at the stage that questions not answered could put higher: hatched, on the
        # right of the stage's part of the bar.
        higher = [g["stages"][i].get("could_be_higher", 0) / g["n"] * 100 if g["n"] else 0 for g in groups]
        if any(higher):
            left.barh(y, higher, left=[x0 + w - h for x0, w, h in zip(lefts, widths, higher)],
                      color="none", edgecolor="#444444", hatch="///", linewidth=0)
        for yy, x0, w in zip(y, lefts, widths):
            if w >= 6:
                left.text(x0 + w / 2, yy, f"{w:.0f}%", ha="center", va="center", fontsize=8)
        lefts = [a + b for a, b in zip(lefts, widths)]
    left.set_yticks(y, [f"{name} (n={g['n']:,})" for name, g in zip(names, groups)])
    left.set_xlim(0, 100)
    left.set_xlabel("share of organisations at each stage, as far as the answers show (%)"
                    if floors else "share of organisations at each stage (%)")
    left.set_title("Stage distribution")
    handles, _ = left.get_legend_handles_labels()
    if floors:
        from matplotlib.patches import Patch
        handles.append(Patch(facecolor="none", edgecolor="#444444", hatch="///", label="could be higher"))
    left.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18 if rows > 2 else -0.3),
                ncol=min(len(handles), 5), fontsize=8, frameon=False)
    # Heatmap: share of each group with each element at a done status.
    elements = groups[0]["elements"]
    done_labels = pack.get("done_status_labels", [])
    # statuses questions not answered could raise (a floor, or not known at the lowest)
    open_ = any(s.get("could_be_higher") for g in groups for e in g["elements"] for s in e["statuses"]) \
        or any(e.get("not_known", {}).get("count") for g in groups for e in g["elements"])
    matrix = [[sum(s["share"] for s in e["statuses"] if s["label"] in done_labels) * 100
               for e in g["elements"]] for g in groups]
    image = right.imshow(matrix, cmap="Greens", vmin=0, vmax=100, aspect="auto")
    right.set_xticks(range(len(elements)), [_short(e["label"]) for e in elements], rotation=30,
                     ha="right", fontsize=8)
    right.set_yticks(range(rows), names)
    for r, row in enumerate(matrix):
        for c, value in enumerate(row):
            right.text(c, r, f"{value:.0f}%", ha="center", va="center", fontsize=8,
                       color="white" if value > 60 else "black")
    right.set_title("Elements done (" + " or ".join(done_labels) + "), share by "
                    + (by or "group") + (", as far as the answers show" if open_ else ""))
    fig.colorbar(image, ax=right, fraction=0.04, label="%")
    pk = pack["pack"]
    fig.suptitle(f"{pk['label']} (pack {pk['id']} {pk['version']}): {pack['assessed']:,} organisations"
                 + (f"; groups under {min_group} not shown" if pack["suppressed"] else ""), fontsize=11)
    fig.tight_layout()
    out = io.BytesIO()
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    fig.savefig(out, format=fmt, dpi=110, metadata=metadata)
    plt.close(fig)
    return out.getvalue()


def _short(label: str) -> str:
    """An element's label under the heatmap, whole: wrapped on two or more lines rather than
    cut ("Employment Brand &" / "Workforce Marketing")."""
    import textwrap
    return "\n".join(textwrap.wrap(label, 20, break_on_hyphens=False)) or label


def write_picture(pack: dict, by: str | None, min_group: int, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in PICTURE_FORMATS:
        raise OutputError(f"unknown picture format '{path.suffix}'",
                          f"use one of: {', '.join(PICTURE_FORMATS)}", display_path(path))
    write_atomic(path, picture_bytes(pack, by, min_group, suffix[1:]))
