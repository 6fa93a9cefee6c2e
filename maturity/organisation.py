"""An organisation's facts file: loading and checking it against a model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema, yamlio
from .errors import DataError, Problem, did_you_mean
from .model import Fact, Model


@dataclass
class Organisation:
    """Who was assessed and the answers collected. Unanswered facts are simply absent."""

    name: str
    facts: dict[str, Any]
    id: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    source: str = ""


def load_organisation(path: Path | str, model: Model) -> Organisation:
    """Read and check a facts file; raises DataError listing every problem in it."""
    doc = yamlio.load(path)
    problems = schema.validate(doc, "organisation")
    if problems:
        raise DataError(problems)
    problems = check_facts(doc.data["facts"] or {}, model, doc, ("facts",))
    if problems:
        raise DataError(problems)
    meta = dict(doc.data["organisation"])
    name = meta.pop("name")
    ident = meta.pop("id", "") or Path(path).stem
    facts = {k: v for k, v in (doc.data["facts"] or {}).items() if v is not None}
    return Organisation(name=name, facts=facts, id=ident, meta=meta, source=doc.file)


def check_facts(values: dict, model: Model, doc: yamlio.Document, at: tuple) -> list[Problem]:
    """Problems with fact answers: unknown ids, wrong types, values not allowed."""
    problems = []
    for fact_id, value in values.items():
        fact = model.fact_by_id.get(fact_id)
        if fact is None:
            problems.append(doc.problem(at + (fact_id,), f"unknown fact '{fact_id}'",
                                        did_you_mean(fact_id, model.fact_by_id)
                                        or f"the facts of pack '{model.id}' are listed by "
                                           "'dots facts'", key=True))
            continue
        if value is None:
            continue
        message = value_problem(fact, value)
        if message:
            text, hint = message
            problems.append(doc.problem(at + (fact_id,), text, hint))
    return problems


def value_problem(fact: Fact, value: Any) -> tuple[str, str] | None:
    """What is wrong with `value` as an answer to `fact`, as (message, hint), or None."""
    kind = fact.type
    if kind == "boolean":
        if not isinstance(value, bool):
            return f"'{fact.id}' is yes/no, got {_yaml(value)}", "answer true or false"
        return None
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"'{fact.id}' is a number, got {_yaml(value)}", "write a number without quotes"
        # .nan passes any min/max check, .inf one without a max; the rule engine takes neither.
        if isinstance(value, float) and not math.isfinite(value):
            return f"'{fact.id}' is a number, got {value}", "write a finite number"
        if kind == "integer" and isinstance(value, float) and not value.is_integer():
            return f"'{fact.id}' is a whole number, got {_yaml(value)}", ""
        if fact.min is not None and value < fact.min:
            return f"'{fact.id}' is {value}, below its minimum {fact.min:g}", ""
        if fact.max is not None and value > fact.max:
            return f"'{fact.id}' is {value}, above its maximum {fact.max:g}", ""
        return None
    if kind == "choice":
        if not isinstance(value, str) or value not in fact.values:
            return (f"{_yaml(value)} is not an allowed answer to '{fact.id}'",
                    did_you_mean(str(value), fact.values) or f"allowed: {', '.join(fact.values)}")
        return None
    # choices
    if not isinstance(value, list):
        return f"'{fact.id}' takes a list of choices, got {_yaml(value)}", f"for example [{fact.values[0]}]"
    for item in value:
        if item not in fact.values:
            return (f"{_yaml(item)} is not an allowed answer to '{fact.id}'",
                    did_you_mean(str(item), fact.values) or f"allowed: {', '.join(fact.values)}")
    if len(set(value)) != len(value):
        return f"'{fact.id}' lists a choice twice", ""
    return None


def _yaml(value: Any) -> str:
    """A value as it would be written in YAML, for messages: true, null, 'text', [a, b]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(v if isinstance(v, str) else _yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)
