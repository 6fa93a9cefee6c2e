"""Statistics over batch results: the share at each stage with a 95% confidence interval, by
segment, with small groups suppressed; the most common next dot; each element's status
distribution; the "just do it" share (the article's 47%: organisations with a disconnected
dot); and a client's
place among its peers (`benchmark`). Built once as plain data; text, JSON and pictures render
it. Each pack in a results file is counted apart: two packs never meet in one statistic.

A stage or a status stored as a floor (questions not answered could raise it: Assessment's
stage_open and status_open) is counted at the level the answers show, and said to be one, as
the single organisation's outputs say it: how many at each stage or status "could be higher",
and a floor at the lowest status as "Not known", not as that status."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .explain import NOT_ANSWERED, NOT_KNOWN, shown_status, status_known
from .yamlio import display_path

Z95 = 1.959963984540054
FORMAT = 1
SEGMENTS = ("sector", "size")
NOT_GIVEN = "(not given)"
_SIZE_BANDS = ((1, 49), (50, 249), (250, 999), (1000, 4999), (5000, None))


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (as fractions); (0, 1) for n = 0."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def segment_of(org: dict, by: str) -> str:
    """The segment an organisation falls in: its sector as written, or its size; a size that
    starts with a head count ("1,200 staff") is put in a band ("1,000-4,999")."""
    value = (org.get(by) or "").strip()
    if not value:
        return NOT_GIVEN
    if by == "size":
        m = re.match(r"^\s*(\d[\d,]*)", value)
        if m:
            count = int(m.group(1).replace(",", ""))
            for lo, hi in _SIZE_BANDS:
                if count >= lo and (hi is None or count <= hi):
                    return f"{lo:,}-{hi:,}" if hi else f"{lo:,} or more"
            return "0"
    return value


def _share(count: int, n: int) -> dict:
    lo, hi = wilson(count, n)
    return {"count": count, "share": round(count / n, 4) if n else 0.0,
            "ci95": [round(lo, 4), round(hi, 4)]}


def group_stats(orgs: list[dict], pack) -> dict:
    """Everything counted over one group of organisations of one pack. An organisation whose
    stage or a status is a floor is counted at the level its answers show, and among those
    that "could be higher" there; at the lowest status, as "not_known" instead."""
    n = len(orgs)
    stages = Counter(o["stage"] for o in orgs)
    higher = Counter(o["stage"] for o in orgs if o.get("stage_known") is False)
    lowest = pack.statuses[0]["id"] if pack.statuses else None

    def at(e: str, s: str) -> list[dict]:  # at status s as the answers show it; the lowest if known
        return [o for o in orgs if o["statuses"].get(e) == s and not (s == lowest and e in o.get("floors", ()))]

    nexts = Counter(o["next_dot"] for o in orgs)
    element_order = [e["id"] for e in pack.elements]
    next_list = [{"id": e["id"], "label": e["label"], **_share(nexts[e["id"]], n)}
                 for e in pack.elements if nexts[e["id"]]]
    if nexts[None]:
        next_list.append({"id": None, "label": "none: every dot connected", **_share(nexts[None], n)})
    next_list.sort(key=lambda x: (-x["count"], element_order.index(x["id"]) if x["id"] else len(element_order)))
    return {
        "n": n,
        "stages": [{"id": s["id"], "label": s["label"], **_share(stages[s["id"]], n),
                    "could_be_higher": higher[s["id"]]} for s in pack.stages],
        # The article's "just do it" figure, from the domain's own signature of it: work started
        # on a dot whose foundations are missing (a disconnected dot), whatever the pack's stages.
        "disconnected": _share(sum(1 for o in orgs if o["disconnected"]), n),
        "next_dot": next_list,
        "most_common_next": next_list[0] if next_list else None,
        # A dot an organisation was not asked about is at none of the statuses: it is counted
        # apart (read_results leaves it out of "statuses"), as is one at the lowest status that
        # questions not answered could raise (not known: no answer shows work on it yet).
        "elements": [{"id": e["id"], "label": e["label"],
                      "statuses": [{"id": s["id"], "label": s["label"], **_share(len(found), n),
                                    "could_be_higher": sum(1 for o in found if e["id"] in o.get("floors", ()))}
                                   for s in pack.statuses for found in [at(e["id"], s["id"])]],
                      "not_known": _share(sum(1 for o in orgs if o["statuses"].get(e["id"]) == lowest
                                              and e["id"] in o.get("floors", ())), n),
                      "not_answered": _share(sum(1 for o in orgs if e["id"] in o["not_answered"]), n)}
                     for e in pack.elements],
    }


def portfolio_data(results_path: Path | str, by: str | None = None, min_group: int = 10,
                   pack: str | None = None, rules: str | None = None) -> dict:
    """The statistics of a results file (SQLite, CSV or JSONL): per pack, the whole portfolio
    and (with `by`) each segment; groups of fewer than `min_group` organisations are named but
    not counted. `rules` names the pack of CSV or JSONL results made with a pack not built in."""
    from .results import read_results
    path = Path(results_path)
    models = []
    if rules is not None:
        from .pack import load_pack
        models.append(load_pack(rules))
    packs = _select(read_results(path, models, _keep(pack)), pack, path)
    out = {"format": FORMAT, "results": display_path(path), "by": by, "min_group": min_group,
           "packs": []}
    for p in packs:
        groups: list[tuple[str, list[dict]]] = [("all", p.organisations)]
        if by:
            seg: dict[str, list[dict]] = {}
            for o in p.organisations:
                seg.setdefault(segment_of(o, by), []).append(o)
            groups += sorted(seg.items(), key=lambda kv: (kv[0] == NOT_GIVEN, kv[0].casefold(), kv[0]))
        shown, suppressed = [], []
        for name, orgs in groups:
            if len(orgs) < min_group:
                suppressed.append(name)
            else:
                shown.append({"segment": name, **group_stats(orgs, p)})
        out["packs"].append({
            "pack": {"id": p.pack_id, "version": p.pack_version, "label": p.label, "hash": p.pack_hash},
            "assessed": len(p.organisations), "errors": p.errors,
            # stored by a dots that did not record whether a stage or status could be higher
            "not_recorded": sum(1 for o in p.organisations if o.get("stage_known") is None),
            "stage_labels": [s["label"] for s in p.stages],
            "status_labels": [s["label"] for s in p.statuses],
            "done_status_labels": [s["label"] for s in p.statuses if s.get("done")],
            "groups": shown, "suppressed": suppressed,
        })
    return out


def _keep(wanted: str | None):
    """Which packs `--pack ID[@VERSION]` asks for, as read_results' `keep`."""
    if wanted is None:
        return None
    pid, _, version = wanted.partition("@")
    return lambda i, v, _h: i == pid and (not version or v == version)


def _select(packs: list, wanted: str | None, path: Path) -> list:
    if wanted is None:
        return packs
    keep = _keep(wanted)
    chosen = [p for p in packs if keep(p.pack_id, p.pack_version, p.pack_hash)]
    if not chosen:
        there = ", ".join(sorted({f"{p.pack_id}@{p.pack_version}" for p in packs})) or "none"
        raise DataError([Problem(display_path(path), 0, 0, f"no results of pack '{wanted}'",
                                 f"packs in these results: {there}")])
    return chosen


# Text ------------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _ci(item: dict) -> str:
    lo, hi = item["ci95"]
    return f"{lo * 100:.1f}-{hi * 100:.1f}%"


HIGHER = "could be higher"


def portfolio_text(data: dict) -> str:
    lines = [f"Portfolio: {data['results']}"]
    if not data["packs"]:
        lines.append("No results yet.")
    for p in data["packs"]:
        pk = p["pack"]
        lines += ["", f"Pack {pk['id']}" + (f" {pk['version']}" if pk["version"] else "")
                  + f" ({pk['label']}): {p['assessed']:,} organisation{'s' if p['assessed'] != 1 else ''} "
                  f"assessed" + (f", {p['errors']:,} with errors (not counted)" if p["errors"] else "")]
        if p.get("not_recorded"):
            lines += _wrap_note(f"{p['not_recorded']:,} of them {'was' if p['not_recorded'] == 1 else 'were'} "
                                "stored by an earlier dots, which did not record whether a stage or a "
                                "status could be higher: they are counted as stored.", "")
        for g in p["groups"]:
            lines += [""] + _group_lines(g, data["by"])
        if p["suppressed"]:
            names = ", ".join("all organisations" if s == "all" else s for s in p["suppressed"])
            lines += ["", f"Not shown, fewer than {data['min_group']} organisations: {names}"]
    return "\n".join(lines) + "\n"


def _wrap_note(text: str, indent: str) -> list[str]:
    import textwrap
    return textwrap.wrap(text, 88, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)


def _group_lines(g: dict, by: str | None) -> list[str]:
    title = "All organisations" if g["segment"] == "all" else f"{by.capitalize()}: {g['segment']}"
    lines = [f"{title} (n = {g['n']:,})"]
    width = max(len(s["label"]) for s in g["stages"])
    floors = any(s.get("could_be_higher") for s in g["stages"])  # a column only when needed
    lines.append(f"  {'Stage':<{width}}  {'share':>6}  {'95% CI':>12}  {'n':>6}" + (f"  {HIGHER}" if floors else ""))
    for s in g["stages"]:
        lines.append(f"  {s['label']:<{width}}  {_pct(s['share']):>6}  {_ci(s):>12}  {s['count']:>6,}"
                     + (f"  {s['could_be_higher']:>{len(HIGHER)},}" if floors else ""))
    if floors:
        lines += _wrap_note(f"'{HIGHER}': of those at the stage, how many questions not answered yet "
                            "could put at a higher stage.", "  ")
    f = g["disconnected"]
    lines.append(f"  With a disconnected dot (the \"just do it\" signature, at any stage): {_pct(f['share'])} "
                 f"(95% CI {_ci(f)}), "
                 f"{f['count']:,} of {g['n']:,}")
    m = g["most_common_next"]
    if m:
        lines.append(f"  Most common next dot: {m['label']}, for {_pct(m['share'])} "
                     f"({m['count']:,} of {g['n']:,})")
    labels = [s["label"] for s in g["elements"][0]["statuses"]] if g["elements"] else []
    # Columns only when needed: a dot not known (at the lowest status, which questions not
    # answered could raise), and one not answered.
    unknown = any(e.get("not_known", {}).get("count") for e in g["elements"])
    unasked = any(e["not_answered"]["count"] for e in g["elements"])
    labels += ([NOT_KNOWN] if unknown else []) + ([NOT_ANSWERED] if unasked else [])
    higher = any(s.get("could_be_higher") for e in g["elements"] for s in e["statuses"])  # a line under
    ewidth = max([len("Element")] + ([len(f"  {HIGHER}")] if higher else []) + [len(e["label"]) for e in g["elements"]])
    cols = [max(len(label), 6) for label in labels]
    lines.append("  " + f"{'Element':<{ewidth}}" + "".join(f"  {label:>{w}}" for label, w in zip(labels, cols)))
    for e in g["elements"]:
        shares = e["statuses"] + ([e["not_known"]] if unknown else []) + ([e["not_answered"]] if unasked else [])
        lines.append("  " + f"{e['label']:<{ewidth}}" + "".join(
            f"  {_pct(s['share']):>{w}}" for s, w in zip(shares, cols)))
        if any(s.get("could_be_higher") for s in e["statuses"]):
            n = g["n"] or 1  # the share of all the group at each status that could be higher
            lines.append("  " + f"{'  ' + HIGHER:<{ewidth}}" + "".join(
                f"  {_pct(s['could_be_higher'] / n) if s.get('could_be_higher') else '':>{w}}"
                for s, w in zip(e["statuses"], cols)).rstrip())
    notes = ([f"'{HIGHER}': part of the share above it, of organisations that questions not "
              "answered yet could show at a higher status."] if higher else []) \
        + ([f"'{NOT_KNOWN}': no answer shows work on it yet, and questions not answered yet could."]
           if unknown else [])
    if notes:
        lines += _wrap_note(" ".join(notes), "  ")
    return lines


# Benchmark -------------------------------------------------------------------------------

def benchmark(results_path: Path | str, assessment, by: str = "sector", min_group: int = 10) -> dict:
    """Where an assessed organisation stands among its peers in a results file: those
    assessed with the same pack, in its segment (`by`, when it has one with at least
    `min_group` peers) or else all of them; itself left out. Shares are of peers strictly
    behind it ("ahead of"), level with it, and ahead of it, for the stage and each element."""
    from .records import pack_hash
    from .results import read_results
    path = Path(results_path)
    model, org = assessment.model, assessment.organisation
    mine = pack_hash(model)
    packs = read_results(path, [model], lambda _i, _v, h: h == mine)
    same = [p for p in packs if p.pack_hash == mine]
    if not same:
        there = ", ".join(sorted({f"{p.pack_id} {p.pack_version}".strip() for p in packs})) or "none"
        raise DataError([Problem(display_path(path), 0, 0, f"no organisations in these results were "
                                 f"assessed with this pack ({model.id} {model.version})".rstrip(),
                                 f"packs in these results: {there}; a benchmark compares like with "
                                 "like only")])
    p = same[0]
    peers = [o for o in p.organisations if o["org_id"] != org.id]
    value = str(org.meta.get(by, "") or "").strip() if by else ""
    segment = None
    if value:
        mine_seg = segment_of({by: value}, by)
        in_segment = [o for o in peers if segment_of(o, by) == mine_seg]
        if len(in_segment) >= min_group:
            peers, segment = in_segment, {"by": by, "value": mine_seg}
    out: dict[str, Any] = {
        "results": display_path(path), "pack": {"id": p.pack_id, "version": p.pack_version},
        "peers": len(peers), "segment": segment,
        "min_group": min_group, "suppressed": len(peers) < min_group,
    }
    if out["suppressed"]:  # the figures are there, empty, so that readers need not test for them
        out.update({"stage": None, "stage_ahead_of_pct": None, "stage_level_with_pct": None,
                    "stage_behind_pct": None, "stage_could_be_higher_pct": None, "elements": []})
        return out
    stage_rank = {s["id"]: n for n, s in enumerate(p.stages)}
    status_rank = {s["id"]: n for n, s in enumerate(p.statuses)}
    # Levels compare as far as the answers show: the client's own floors are said as its
    # outputs say them, and how many peers' stages and statuses could be higher is given.
    out.update({"stage": {"id": assessment.stage.id, "label": assessment.stage.label,
                          "known": not assessment.stage_open},
                **_standing([stage_rank[o["stage"]] for o in peers], assessment.stage.rank, "stage_"),
                "stage_could_be_higher_pct": _pct_of(sum(o.get("stage_known") is False for o in peers),
                                                     len(peers))})
    out["elements"] = []
    for e in assessment.elements:
        compared = [o for o in peers if o["statuses"].get(e.element.id) in status_rank]
        ranks = [status_rank[o["statuses"][e.element.id]] for o in compared]
        higher = _pct_of(sum(e.element.id in o.get("floors", ()) for o in compared), len(compared))
        if e.element.id in assessment.unassessed:  # no level of its own to compare
            out["elements"].append({"id": e.element.id, "label": e.element.label, "status": e.status.id,
                                    "status_label": NOT_ANSWERED, "status_known": False, "peers": len(ranks),
                                    "ahead_of_pct": None, "level_with_pct": None, "behind_pct": None,
                                    "could_be_higher_pct": higher})
            continue
        out["elements"].append({"id": e.element.id, "label": e.element.label, "status": e.status.id,
                                "status_label": shown_status(assessment, e),
                                "status_known": status_known(assessment, e), "peers": len(ranks),
                                **_standing(ranks, e.status.rank, ""), "could_be_higher_pct": higher})
    return out


def _pct_of(count: int, n: int) -> float:
    return round(100 * count / n, 1) if n else 0.0


def _standing(ranks: list[int], mine: int, prefix: str) -> dict:
    n = len(ranks) or 1
    behind = sum(1 for r in ranks if r < mine)
    level = sum(1 for r in ranks if r == mine)
    return {f"{prefix}ahead_of_pct": round(100 * behind / n, 1),
            f"{prefix}level_with_pct": round(100 * level / n, 1),
            f"{prefix}behind_pct": round(100 * (len(ranks) - behind - level) / n, 1)}


def _peers_phrase(b: dict) -> str:
    who = f"{b['peers']:,} organisation{'s' if b['peers'] != 1 else ''}"
    if b["segment"]:
        who += f" in {b['segment']['by']} {b['segment']['value']}"
    return who


def benchmark_text(b: dict) -> str:
    pack = f"{b['pack']['id']} {b['pack']['version']}".strip()
    if b["suppressed"]:
        return (f"Benchmark: only {b['peers']:,} other organisation{'s' if b['peers'] != 1 else ''} "
                f"in {b['results']} {'was' if b['peers'] == 1 else 'were'} assessed with pack {pack}; "
                f"fewer than {b['min_group']}, so none is shown\n")
    lines = [f"Benchmark: among {_peers_phrase(b)} assessed with pack {pack} ({b['results']})",
             f"  Stage {stage_words(b['stage'])}: ahead of {b['stage_ahead_of_pct']:g}% of them, level "
             f"with {b['stage_level_with_pct']:g}%, behind {b['stage_behind_pct']:g}%"
             + _higher(b.get("stage_could_be_higher_pct"))]
    width = max(len(e["label"]) for e in b["elements"])
    swidth = max(len(e["status_label"]) for e in b["elements"])
    for e in b["elements"]:
        lines.append(f"  {e['label']:<{width}}  {e['status_label']:<{swidth}}  " + (
            "not compared" if e["ahead_of_pct"] is None else
            f"ahead of {e['ahead_of_pct']:g}%, level with {e['level_with_pct']:g}%, behind "
            f"{e['behind_pct']:g}%" + _higher(e.get("could_be_higher_pct"))))
    if _compared_as_shown(b):
        lines.append(f"  Compared as far as the answers show: '{HIGHER}' counts the peers whose level "
                     "questions they left open could raise.")
    return "\n".join(lines) + "\n"


def stage_words(stage: dict) -> str:
    """A benchmarked client's stage: its label, and "or higher" where it is a floor."""
    return stage["label"] + (" or higher" if stage.get("known") is False else "")


def _higher(pct: float | None) -> str:
    return f"; {pct:g}% of them {HIGHER}" if pct else ""


def _compared_as_shown(b: dict) -> bool:
    """Whether a benchmark compares a level that is a floor, the client's or a peer's."""
    return bool(b.get("stage_could_be_higher_pct") or (b.get("stage") or {}).get("known") is False
                or any(e.get("could_be_higher_pct") or (e.get("status_known") is False and e["ahead_of_pct"] is not None)
                       for e in b.get("elements", [])))
