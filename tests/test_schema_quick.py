"""The quick schema check (maturity.schema.conforms) must never pass a document that jsonschema
rejects, and should pass the valid ones. Thousands of random mutations of real documents are
checked against jsonschema's verdict."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import jsonschema
import pytest

from maturity import schema, yamlio

ROOT = Path(__file__).resolve().parent.parent

PACK = """
pack: {id: tiny, label: Tiny model, version: "1", description: A pack}
statuses:
  - {id: missing, label: Missing}
  - {id: defined, label: Defined, done: true, color: "#00ff00"}
elements:
  - {id: purpose, label: Purpose, description: Why}
  - {id: audience, label: Audience}
edges:
  - {from: purpose, to: audience, because: first things first}
stages:
  - {id: just_do_it, label: Just do it}
  - {id: engaging, label: Engaging}
facts:
  - {id: purpose.goals_written, element: purpose, type: boolean, question: Goals?}
  - {id: audience.personas, element: audience, type: integer, min: 0, max: 10}
  - {id: audience.channels, element: audience, type: choices, values: [linkedin, tiktok]}
rules:
  - id: purpose.defined
    because: goals written
    when: {fact: purpose.goals_written, equals: true}
    then: {status: {purpose: defined}}
  - id: audience.defined
    because: enough personas
    when:
      all:
        - {fact: audience.personas, gte: 3}
        - not: {fact: audience.channels, contains: tiktok}
        - any: [{count: audience.channels, one_of: [1, 2]}, {fact: audience.personas, present: true}]
    then:
      status: {audience: defined}
      findings: [{id: aud-1, severity: high, element: audience, message: Look}]
      advice: [{id: aud-2, element: audience, action: Do it}]
  - id: stage.engaging
    because: all done
    when: {all: [{done: audience, equals: true}, {stage: current, lt: engaging}, {status: purpose, gte: defined}]}
    then: {stage: engaging}
    enabled: true
tests:
  - id: t1
    description: a case
    facts: {purpose.goals_written: true}
    expect: {stage: just_do_it, statuses: {purpose: defined}, next: audience, disconnected: [],
             findings: [aud-1], advice: []}
remove:
  rules: [x.y]
  edges: [{from: a, to: b}]
"""

ORGANISATION = """
organisation: {id: acme, name: Acme, sector: retail, assessed_on: "2026-01-01"}
facts:
  purpose.goals_written: true
  audience.personas: 3
  audience.share: 0.5
  audience.channels: [linkedin]
  platforms.measure: reach
  other.unknown: null
"""

_REPLACEMENTS = [None, True, False, 0, 1, 1.0, 2.5, -1, "", "x", "Bad Id", "current", "#12345g",
                 "a" * 100, [], ["x"], [1], {}, {"x": 1}, {"fact": "a.b"}, {"all": []},
                 {"not": {"fact": "a.b", "equals": True}}, "high", "choice", "engaging"]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from _paths(v, path + (n,))


def _mutate(doc, rng: random.Random):
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(doc))[1:]
        if not paths:
            break
        path = rng.choice(paths)
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        last = path[-1]
        action = rng.random()
        if action < 0.25:
            del parent[last]
        elif action < 0.35 and isinstance(parent, dict):
            parent[rng.choice(["extra", "id", "when", "equals", "fact", "then", "all"])] = \
                copy.deepcopy(rng.choice(_REPLACEMENTS))
        else:
            parent[last] = copy.deepcopy(rng.choice(_REPLACEMENTS))
    return doc


def _documents():
    docs = [("pack", yamlio.load("pack.yaml", PACK).data, 600),
            ("organisation", yamlio.load("org.yaml", ORGANISATION).data, 800)]
    for path in sorted((ROOT / "rules" / "default").glob("*.yaml")):
        docs.append(("pack", yamlio.load(path).data, 40))
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        docs.append(("organisation", yamlio.load(path).data, 100))
    return docs


@pytest.mark.parametrize("kind,doc,mutants", _documents())
def test_quick_check_agrees_with_jsonschema(kind, doc, mutants):
    full = jsonschema.validators.validator_for(json.loads(schema.schema_text(kind)))(
        json.loads(schema.schema_text(kind)))
    assert full.is_valid(doc)
    assert schema.conforms(doc, kind)
    rng = random.Random(1234)
    passed = 0
    for _ in range(mutants):
        mutant = _mutate(doc, rng)
        valid = full.is_valid(mutant)
        quick = schema.conforms(mutant, kind)
        assert not (quick and not valid), f"quick check passed an invalid document: {mutant}"
        passed += quick
        if valid:
            assert quick, f"quick check gave up on a valid document: {mutant}"
    assert passed > 0


# The shapes the quick checker takes in one function each (a mapping's keywords, a text's, a
# oneOf of required keys), on small schemas, with and without 'type', against jsonschema.
_SHAPES = [
    {"type": "object", "additionalProperties": False, "required": ["a"], "minProperties": 1,
     "maxProperties": 2, "properties": {"a": {"type": "string", "pattern": "^[a-z]+$"},
                                        "b": {"type": "integer"}}},
    {"properties": {"a": {"maxLength": 2}}, "required": ["a"]},
    {"type": "object", "propertyNames": {"pattern": "^x"}, "additionalProperties": {"type": "number"},
     "properties": {"y": {"type": "string"}}},
    {"minProperties": 2},
    {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 4, "minLength": 2},
    {"enum": ["a", "b"], "maxLength": 1},
    {"const": "x", "pattern": "x"},
    {"pattern": "^a", "minLength": 1},
    {"type": "object", "maxProperties": 2, "oneOf": [{"required": ["p"]}, {"required": ["q"]},
                                                      {"required": ["r", "s"]}]},
    {"oneOf": [{"required": ["p"]}]},
    {"oneOf": [{"required": ["p"]}, {"required": ["q"]}]},
    {"type": ["boolean", "string"], "minLength": 2},
]
_VALUES = [None, True, False, 0, 1, 2.5, "", "a", "ab", "abcde", "Ab", "x", "xa", [], ["a"],
           {}, {"a": "ab"}, {"a": "AB"}, {"a": "ab", "b": 1}, {"a": "ab", "b": 1.5}, {"b": 1},
           {"a": "ab", "c": 1}, {"xa": 1}, {"xa": "t"}, {"y": "t"}, {"y": 1}, {"p": 1},
           {"p": 1, "q": 1}, {"r": 1}, {"r": 1, "s": 2}, {"q": 1, "r": 1, "s": 2}, {"z": 1}]


@pytest.mark.parametrize("shape", _SHAPES)
def test_quick_check_of_each_shape_agrees_with_jsonschema(shape):
    full = jsonschema.Draft202012Validator(shape)
    check = schema._Checks(shape).build(shape)
    for value in _VALUES:
        for _ in range(2):  # the second time, a text's verdict is the one it kept
            try:
                quick = check(value)
            except schema._Unsure:
                quick = False
            assert quick == full.is_valid(value), (shape, value)
