"""Which part of a large model a picture shows (`dots render --only`), and each group's
progress for the summary view. Plain data only: render.py draws it."""

from __future__ import annotations

from dataclasses import dataclass

from .assess import Assessment
from .errors import OutputError, did_you_mean
from .model import Group, Status
from .recommend import next_dot, remaining
from .targets import stage_needs

VIEWS = ("frontier", "next")
# Up to this many elements a document shows the whole model; beyond, a page cannot show every
# dot legibly (document_view).
WHOLE_IN_DOCUMENTS = 40


def document_view(assessment: Assessment) -> str:
    """The picture a document (the client report) shows: the whole model ("whole") up to
    WHOLE_IN_DOCUMENTS elements; beyond, one box per group ("summary") when the pack has groups,
    else the dots that could come next ("frontier"), or the whole when none is left."""
    model = assessment.model
    if len(model.elements) <= WHOLE_IN_DOCUMENTS:
        return "whole"
    if model.groups:
        return "summary"
    return "frontier" if remaining(assessment) else "whole"


def select(assessment: Assessment, only: str | None) -> set[str] | None:
    """The elements to draw: all (None), or for `only`
    - "next": the next dot, its done prerequisites and what it unlocks (what builds on it);
    - "frontier": every dot that could come next (what is left, prerequisites done; those the
      next stage needs when there are such), with their done prerequisites and what they unlock;
    - a group id: the elements of that group and its sub-groups."""
    if only is None:
        return None
    model = assessment.model
    if only in model.members:
        return set(model.members[only])
    if only not in VIEWS:
        raise OutputError(f"--only '{only}' is neither 'frontier', 'next' nor a group of the pack",
                          did_you_mean(only, [*VIEWS, *model.members]) or
                          f"use frontier, next{''.join(', ' + g for g in model.members)}")
    if only == "next":
        step = next_dot(assessment)
        ready = [step.result.element.id] if step else []
    else:
        ready = [e for e in remaining(assessment) if not assessment.element(e).missing_prerequisites]
        wanted = stage_needs(assessment, only_next=True)
        ready = [e for e in ready if e in wanted] or ready  # aimed at the next stage, as next_dot
    shown = set(ready)
    for element_id in ready:
        shown |= {p for p in model.graph.predecessors(element_id) if assessment.element(p).done}
        shown |= set(model.graph.successors(element_id))
    return shown


@dataclass(frozen=True)
class GroupProgress:
    """How far an organisation is in one group: its elements, how many are done, the lowest
    status among them."""

    group: Group
    total: int
    done: int
    lowest: Status

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


def group_progress(assessment: Assessment, own: bool = False) -> list[GroupProgress]:
    """Progress of every group, in pack order: over all its elements, or (`own`) only those
    not in a sub-group (a group with none of its own then has a total of 0)."""
    model = assessment.model
    out = []
    for group in model.groups:
        ids = [e for e in model.members[group.id] if not own or model.element_by_id[e].group == group.id]
        members = [assessment.element(e) for e in ids]
        lowest = min((m.status for m in members), key=lambda s: s.rank, default=model.statuses[0])
        out.append(GroupProgress(group, len(members), sum(m.done for m in members), lowest))
    return out
