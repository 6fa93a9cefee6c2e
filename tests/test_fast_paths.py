"""The shortcuts taken for speed (docs/performance.md) give exactly what the plain way gives:
libyaml's parser and PyYAML's own, one JSON call and the per-value encoding, the trimmed facts
sent to the engine and the whole ones."""

from __future__ import annotations

import datetime
import json
import random
from pathlib import Path

import pytest
import yaml

import maturity
from maturity import engine, yamlio
from maturity.assess import compiled_for

ROOT = Path(__file__).resolve().parent.parent


def _tree(node):
    if node is None:
        return None
    where = (node.tag, node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return where + (node.value,)
    if isinstance(node, yaml.SequenceNode):
        return where + (tuple(_tree(n) for n in node.value),)
    return where + (tuple((_tree(k), _tree(v)) for k, v in node.value),)


def _both(text):
    out = []
    for loader in (yamlio._FAST_LOADER, yaml.SafeLoader):
        try:
            out.append(_tree(yaml.compose(text, Loader=loader)))
        except yaml.YAMLError as exc:
            out.append(type(exc).__name__)
    return out


SNIPPETS = [
    "a: b\n", "a: 'x'\nb: \"é😀\"\nc: [1, 2.5, -3, .inf, null, ~, yes, on, 2026-01-01]\n",
    "k: |\n  line\n  two\nm: >\n  f\n", "a:\n\t- b\n", "- a\n- b: c\n  d: e\n",
    "{a: 1, b: [x, y], c: {d: e}}", "a: &x 1\nb: *x\n", "<<: {a: 1}\n", "? [a]\n: b\n",
    "a: !!python/object:os.system x\n", "a: !custom x\n", "a: 1\na: 2\n", "x: 'é' # c\n  y: 2\n",
    "a: b: c\n", "- 'unterminated\n", "\ufeffa: 1\n", "a: \x7f\n", "a: \x85b\n", "0o12: 0x1f\n",
    "a: 1_000\n", "a: 1:20\n", "---\n", "--- a\n--- b\n", "# only a comment\n", "[a, b\n",
]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", SNIPPETS + [p.read_text("utf-8-sig") for p in sorted(
    list((ROOT / "rules").rglob("*.yaml")) + list((ROOT / "examples").glob("*.yaml")))])
def test_libyaml_composes_what_pyyaml_composes(text):
    fast, pure = _both(text)
    assert fast == pure


def _dates_as_text(value):
    if isinstance(value, dict):
        return {str(k): _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _positions(node, path, values, keys):
    """Where each value and key of a node tree is, as yamlio.Document records it."""
    values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.SequenceNode):
        for n, item in enumerate(node.value):
            _positions(item, path + (n,), values, keys)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = yaml.safe_load(yaml.serialize(key))
            keys[path + (str(name),)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _positions(value, path + (str(name),), values, keys)


@pytest.mark.parametrize("path", sorted(list((ROOT / "rules").rglob("*.yaml"))
                                        + list((ROOT / "examples").glob("*.yaml"))))
def test_every_value_and_key_is_placed_where_pyyaml_puts_it(path):
    # yamlio takes plain texts without a call each (the quick way through a large pack).
    text = path.read_text("utf-8-sig")
    doc = yamlio.load(path, text=text)
    values, keys = {}, {}
    _positions(yaml.compose(text, Loader=yaml.SafeLoader), (), values, keys)
    assert doc.data == _dates_as_text(yaml.safe_load(text))
    assert (doc.values, doc.keys) == (values, keys)


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
def test_each_text_of_a_file_is_resolved_once(monkeypatch):
    asked = []
    resolve = yaml.resolver.BaseResolver.resolve

    def spy(self, kind, value, implicit):
        asked.append(value)
        return resolve(self, kind, value, implicit)
    monkeypatch.setattr(yaml.resolver.BaseResolver, "resolve", spy)
    doc = yamlio.load("x.yaml", text="a: [true, true, x, 'x', 1]\nb: {a: true, x: 1}\n")
    assert doc.data == {"a": [True, True, "x", "x", 1], "b": {"a": True, "x": 1}}
    texts = [v for v in asked if v is not None]  # None: a list or mapping
    assert sorted(texts) == ["1", "a", "b", "true", "x", "x"]  # 'x' plain and 'x' quoted


def test_one_json_call_writes_what_the_per_value_encoding_writes():
    def slow(fact):
        return "{" + ",".join(f"{json.dumps(k)}:{engine._encode_value(v)}" for k, v in fact.items()) + "}"

    rng = random.Random(3)
    values = [True, False, 0, 7, -3, 0.5, 12.25, 1e-05, 1.5e-07, 1e16, 2.5e20, 100.0, 5e-324, "x",
              "é\"q", "co2e", "NaN", ["a", "b"], ["1e5"], [0.5, 1e-9], [0.5, [1.5, "x"]], [], None,
              10 ** 20, (1, 2)]
    for _ in range(5000):
        fact = {f"f{i}": rng.choice(values) for i in range(rng.randint(0, 8))}
        assert engine._encode(fact) == slow(fact)
    for bad in (float("inf"), float("nan")):
        with pytest.raises(maturity.EngineError):
            engine._encode({"f0": [bad]})


def _fact_sets(model, n, seed):
    rng = random.Random(seed)
    for _ in range(n):
        facts = {}
        for fact in model.facts:
            if rng.random() < 0.2:
                continue
            if fact.type == "boolean":
                facts[fact.id] = rng.random() < 0.5
            elif fact.type in ("integer", "number"):
                lo = fact.min if fact.min is not None else 0
                hi = fact.max if fact.max is not None else lo + 20
                facts[fact.id] = rng.randint(int(lo), int(hi))
            elif fact.type == "choice":
                facts[fact.id] = rng.choice(fact.values)
            else:
                facts[fact.id] = rng.sample(fact.values, rng.randint(0, len(fact.values)))
        yield maturity.Organisation(name="generated", facts=facts)


def _result(a):
    return (maturity.assessment_data(a), a.fired)


@pytest.mark.parametrize("pack", ["default", "talent_community"])
def test_trimmed_facts_match_what_whole_facts_match(pack):
    if pack not in maturity.builtin_packs():
        pytest.skip(f"no built-in pack {pack}")
    model = maturity.load_pack(pack)
    compiled = compiled_for(model)
    trimmed = dict(compiled.bucket_props)
    assert trimmed and all(len(props) < 30 for props in trimmed.values())
    # Every property of the pack, sent to every bucket (the default pack is small enough).
    every = tuple(list(compiled.fact_props.values()) + list(compiled.count_props.values())
                  + [p for props in compiled.element_props.values() for p in props] + ["st"])
    for org in _fact_sets(model, 150, seed=7):
        fast = _result(maturity.assess(model, org))
        compiled.bucket_props = {key: every for key in trimmed}
        try:
            whole = _result(maturity.assess(model, org))
        finally:
            compiled.bucket_props = trimmed
        assert fast == whole


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
def test_the_fast_loader_is_freed_without_the_garbage_collector():
    # Its resolver's cache (functools.lru_cache over a bound method) makes a cycle, which
    # dispose breaks: packs are read with the collector paused.
    import gc
    import weakref
    was_on = gc.isenabled()
    gc.disable()
    try:
        loader = yamlio._FAST_LOADER("a: [true, x]\nb: true\n")
        assert loader.get_single_node() is not None
        loader.dispose()
        gone = weakref.ref(loader)
        del loader
        assert gone() is None
    finally:
        if was_on:
            gc.enable()


def test_constants_met_again_are_read_and_placed_as_the_first_time():
    # yamlio builds each constant (true, 3, null...) once per file and takes it again after.
    text = ("a: [true, yes, on, 3, 0o12, 0x1f, 1_000, 2.5, .inf, null, ~, '', 3, true, ~]\n"
            "b: {x: 3, y: true, z: ~, w: 2.5, v: 0o12, u: !!int '3', t: !!bool 'yes'}\n"
            "c:\n  - {x: 3, y: true, z: ~, n: -.inf, m: NO, d: 2026-01-01}\n  - 3\n  - yes\n"
            "  - 2026-01-01\n")
    doc = yamlio.load("x.yaml", text=text)
    values, keys = {}, {}
    _positions(yaml.compose(text, Loader=yaml.SafeLoader), (), values, keys)
    assert doc.data == _dates_as_text(yaml.safe_load(text))
    assert [type(v) for v in doc.data["a"]] == [type(v) for v in yaml.safe_load(text)["a"]]
    assert (doc.values, doc.keys) == (values, keys)


def test_keys_and_plain_values_are_placed_when_first_asked_for():
    # yamlio.load notes where its mappings and lists are as it builds them, and the keys and
    # the plain values in them only when one is asked for: a pack read without a problem asks
    # for none. Each place, asked for first or after the others, is PyYAML's.
    import pickle

    text = ("pack: {id: p, label: 'P'}\nrules:\n  - id: r1\n    when: {fact: a.b, equals: true}\n"
            "    then: {status: {a: done}}\n  - id: r2\n    when: {all: [{fact: a.c, gte: 3}]}\n"
            "1: [x, 2, {y: z}]\n")
    values, keys = {}, {}
    _positions(yaml.compose(text, Loader=yaml.SafeLoader), (), values, keys)
    asked = [(("rules", 0), False), (("rules", 1, "when", "all", 0), False), (("pack", "label"), False),
             (("pack", "label"), True), (("rules", 0, "when", "equals"), True), (("1", 1), False),
             (("1", 2, "y"), False), (("1", 2, "y"), True), (("rules", 9, "id"), False)]
    for path, key in asked:
        doc = yamlio.load("x.yaml", text=text)
        doc.where(("rules", 0))  # a mapping, placed as built: the others still wait
        assert "_waiting" in vars(doc)
        table = keys if key else values
        want = next(table.get(path[:n]) or values.get(path[:n]) for n in range(len(path), -1, -1)
                    if path[:n] in table or path[:n] in values)
        assert doc.where(path, key) == want
        assert (doc.values, doc.keys) == (values, keys)
    again = pickle.loads(pickle.dumps(yamlio.load("x.yaml", text=text)))
    assert "_waiting" not in vars(again) and (again.values, again.keys) == (values, keys)
    assert again.where(("rules", 1, "id"), key=True) == keys[("rules", 1, "id")]
