"""A facts-file template: every question of a pack, grouped by element, ready to fill in."""

from __future__ import annotations

from importlib import resources

from .model import Fact, Model
from .placeholders import PLACEHOLDERS
from .yamlio import quote


def _scalar(text: str) -> str:
    """A pack name or relative path as a YAML scalar: plain when it reads back as itself."""
    import re

    import yaml
    if re.fullmatch(r"[\w.][\w./-]*", text) and yaml.safe_load(text) == text:
        return text
    return quote(text)


SCHEMA_FILE = "organisation.schema.json"


def schema_uri() -> str:
    """Where the installed organisation schema is (inside the installed package: for reading,
    never for a file's schema line, which must work wherever the file goes)."""
    path = resources.files("maturity.rules") / "schema" / SCHEMA_FILE
    return str(path)


def facts_template(model: Model, pack: str | None = None) -> str:
    """A YAML facts file with every fact of `model` unanswered and its question as a comment.
    `pack` is what its `pack:` line says (default: the model's id). The schema line names
    organisation.schema.json beside the file, which `dots schema organisation` writes."""
    lines = [f"# yaml-language-server: $schema={SCHEMA_FILE}",
             f"# ({SCHEMA_FILE} beside this file lets editors check it as you type; write it with",
             f"#  'dots schema organisation -o {SCHEMA_FILE}'.)",
             f"# Facts for pack '{model.id}' ({model.label}). Answer what you know; leave the rest",
             "# empty. Besides an answer: dont-know (asked, not known), not-applicable, or",
             "#   fact.id: {answer: ..., note: what was said, evidence: [a link, a document]}",
             f"pack: {_scalar(pack or model.id)}",
             "organisation:",
             "  id: client",
             f"  name: {PLACEHOLDERS['name']}",
             f'  assessed_on: "{PLACEHOLDERS["assessed_on"]}"',
             f"  consultant: {PLACEHOLDERS['consultant']}",
             "facts:"]
    for label, facts in model.question_groups():
        lines += ["", f"  # --- {label} ---"]
        for fact in facts:
            if fact.question:
                lines.append(f"  # {fact.question}")
            if fact.help:
                lines.append(f"  #   {fact.help}")
            lines.append(f"  #   {_answer_hint(fact)}")
            if fact.labels:  # the file holds ids; what people read for them, in the same order
                lines.append(f"  #   shown as: {', '.join(fact.labels_of(fact.values))}")
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
    for label, facts in model.question_groups():
        lines.append(label)
        for f in facts:
            kind = f.type + (f" [{', '.join(f.values)}]" if f.values else "")
            lines.append(f"  {f.id:<{width}}  {kind}")
            if f.question:
                lines.append(f"  {'':<{width}}  {f.question}")
    return "\n".join(lines) + "\n"


__all__ = ["facts_table", "facts_template", "schema_uri"]
