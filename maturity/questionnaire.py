"""A facts-file template: every question of a pack, grouped by element, ready to fill in."""

from __future__ import annotations

from importlib import resources

from .model import Fact, Model


def schema_uri() -> str:
    """Where the installed organisation schema is, for the editor's schema line."""
    path = resources.files("maturity.rules") / "schema" / "organisation.schema.json"
    return str(path)


def facts_template(model: Model) -> str:
    """A YAML facts file with every fact of `model` unanswered and its question as a comment."""
    lines = [f"# yaml-language-server: $schema={schema_uri()}",
             f"# Facts for pack '{model.id}' ({model.label}). Answer what you know; leave the rest",
             "# empty: an unanswered fact fails every rule test that needs it.",
             "organisation:",
             "  id: client",
             "  name: Client name",
             '  assessed_on: "YYYY-MM-DD"',
             "  consultant: Your name",
             "facts:"]
    groups: list[tuple[str, list[Fact]]] = [
        (e.label, [f for f in model.facts if f.element == e.id]) for e in model.elements]
    groups.append(("Other", [f for f in model.facts if f.element not in model.element_by_id]))
    for label, facts in groups:
        if not facts:
            continue
        lines += ["", f"  # --- {label} ---"]
        for fact in facts:
            if fact.question:
                lines.append(f"  # {fact.question}")
            if fact.help:
                lines.append(f"  #   {fact.help}")
            lines.append(f"  #   {_answer_hint(fact)}")
            lines.append(f"  {fact.id}:")
    return "\n".join(lines) + "\n"


def _answer_hint(fact: Fact) -> str:
    if fact.type == "boolean":
        return "answer: true or false"
    if fact.type in ("integer", "number"):
        bounds = []
        if fact.min is not None:
            bounds.append(f"at least {fact.min:g}")
        if fact.max is not None:
            bounds.append(f"at most {fact.max:g}")
        kind = "a whole number" if fact.type == "integer" else "a number"
        return f"answer: {kind}" + (f" ({', '.join(bounds)})" if bounds else "")
    values = ", ".join(fact.values)
    if fact.type == "choice":
        return f"answer: one of {values}"
    return f"answer: a list of any of {values}, e.g. [{fact.values[0]}]" if fact.values else "answer: a list"


def facts_table(model: Model) -> str:
    """The pack's facts as text: id, type and question, one a line, grouped by element."""
    width = max((len(f.id) for f in model.facts), default=0)
    lines = []
    for element in model.elements + [None]:
        facts = [f for f in model.facts if (f.element == element.id if element else
                                            f.element not in model.element_by_id)]
        if not facts:
            continue
        lines.append(element.label if element else "Other")
        for f in facts:
            kind = f.type + (f" [{', '.join(f.values)}]" if f.values else "")
            lines.append(f"  {f.id:<{width}}  {kind}")
            if f.question:
                lines.append(f"  {'':<{width}}  {f.question}")
    return "\n".join(lines) + "\n"


__all__ = ["facts_table", "facts_template", "schema_uri"]
