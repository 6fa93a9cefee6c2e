"""The JSON Schemas shipped with the tool, and validation of YAML documents against them.

The schemas in ``maturity.rules/schema/`` are the one source of truth for file shape: editors
use them through the ``# yaml-language-server: $schema=`` line, and the loader uses them here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from .errors import Problem, did_you_mean
from .yamlio import Document

SCHEMAS = {"pack": "pack.schema.json", "organisation": "organisation.schema.json"}

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "text", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "nothing"}


def schema_text(kind: str) -> str:
    """The text of a shipped schema, exactly as it is in the package."""
    return (resources.files("maturity.rules") / "schema" / SCHEMAS[kind]).read_text("utf-8")


@lru_cache(maxsize=None)
def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_text(kind))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def validate(doc: Document, kind: str) -> list[Problem]:
    """Every schema violation in `doc`, one problem each, located in the file."""
    errors = sorted(_validator(kind).iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    return [_to_problem(doc, _deepest(e)) for e in errors]


def _deepest(error: ValidationError) -> ValidationError:
    """For 'oneOf'/'anyOf' failures, the alternative that came closest explains the problem best."""
    while error.context:
        # Prefer a branch that got past the shape checks on the keys this value actually has.
        candidates = [e for e in error.context if e.validator not in ("oneOf", "anyOf") or e.context]
        best = best_match(candidates or error.context)
        if best is None or best is error:
            break
        error = best
    return error


def _to_problem(doc: Document, error: ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    schema, instance = error.schema, error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        if extra:
            key = extra[0]
            return doc.problem(path + (key,), f"unknown key '{key}'",
                               did_you_mean(key, allowed) or f"allowed here: {', '.join(sorted(allowed))}",
                               key=True)
    if error.validator == "required":
        return doc.problem(path, error.message.replace("is a required property", "is missing").strip(),
                           "add it")
    if error.validator == "type":
        want = error.validator_value
        wants = [want] if isinstance(want, str) else list(want)
        return doc.problem(path, f"expected {' or '.join(_TYPE_NAMES.get(w, w) for w in wants)}, "
                                 f"got {_describe(instance)}")
    if error.validator == "enum":
        return doc.problem(path, f"{_short(instance)} is not allowed here",
                           did_you_mean(str(instance), map(str, error.validator_value))
                           or f"use one of: {', '.join(map(str, error.validator_value))}")
    if error.validator == "const":
        return doc.problem(path, f"{_short(instance)} is not allowed here",
                           f"use {_short(error.validator_value)}")
    if error.validator == "pattern":
        return doc.problem(path, f"{_short(instance)} is not a valid id",
                           "use lower-case letters, digits and '_' (and '.' between parts of a fact id), "
                           "starting with a letter")
    if error.validator in ("minProperties", "maxProperties") and path and isinstance(instance, dict):
        return doc.problem(path, f"expected one subject and one operator, got {len(instance)} key(s)"
                           if error.validator == "maxProperties" or len(instance) == 1
                           else error.message)
    if error.validator == "oneOf" and isinstance(instance, dict):
        return doc.problem(path, f"cannot tell what this is: keys {', '.join(map(str, instance))}",
                           "a condition is all:, any:, not:, or one subject (fact, count, status, "
                           "done, disconnected, stage) with one operator")
    return doc.problem(path, error.message)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES["object" if isinstance(value, dict) else "array"]
    return _short(value)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."
