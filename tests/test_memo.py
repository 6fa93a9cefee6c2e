"""The engine's memo (maturity/memo.py): what fired for a memo group, remembered by the classes
of its properties' values, changes no result.

- a classifier is sound: two values of one class give the same outcome, in durable-rules
  itself, on every test the pack makes of the property (hypothesis);
- a class never holds values of two types;
- an engine that remembers gives what one that sends every message gives, over many generated
  organisations of the shipped packs and of a generated 200-element pack;
- what an engine keeps stays bounded.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import maturity
from maturity import memo
from maturity.assess import compiled_for
from maturity.compiler import CompiledPack
from maturity.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import models  # noqa: E402  (bench/models.py: generated models of any size)
from models import generated_facts  # noqa: E402  (random valid answers, as the benchmark makes)

PACKS = ("default", "talent_community", "levels")


def pack_tests(model: maturity.Model) -> dict[str, list[tuple[str, Any]]]:
    """Every atomic test the compiled pack makes, by property."""
    compiled = compiled_for(model)
    found: dict[str, list[tuple[str, Any]]] = {}
    for name in compiled.rule_bucket:
        for prop, tests in memo.rule_tests(compiled.definition[name]["all"][0]["m"]).items():
            found.setdefault(prop, []).extend(tests)
    return found


def _pattern(op: str, constant: Any) -> dict:
    if op == "$eq":
        return {"x": constant}
    if op in ("$ex", "$nex"):
        return {op: {"x": 1}}
    if op == "$iany":
        return {"$iany": {"x": {"$i": constant}}}
    if op == "$iall":
        return {"$iall": {"x": {"$neq": {"$i": constant}}}}
    return {op: {"x": constant}}


def probe_pack(tests: list[tuple[str, Any]]) -> CompiledPack:
    """A compiled pack with one rule per test, on a property x of one bucket."""
    model = maturity.load_pack("default")
    definition = {"__begin": {"all": [{"m": {"k": "__begin"}}]}}
    names = {}
    for n, (op, constant) in enumerate(tests):
        definition[f"r{n}"] = {"all": [{"m": {"$and": [{"k": 0}, {"g": 0}, _pattern(op, constant)]}}]}
        names[f"r{n}"] = f"t{n}"
    return CompiledPack(model, f"probe{abs(hash(repr(tests)))}", definition, names, {0: [0]}, {}, {},
                        {}, {(0, 0): ("x",)}, {name: 6 for name in names}, [list(names)],
                        {(0, 0): 0}, {}, {name: (0, 0) for name in names})


def outcomes(engine: Engine, compiled: CompiledPack, value: Any) -> tuple[str, ...]:
    """Which of the probe pack's tests durable-rules finds true for `value` (absent: ABSENT)."""
    fact = {} if value is memo.ABSENT else {"x": value}
    rounds = engine.run(compiled, fact, lambda stratum, fired, fact: fact)
    return tuple(rounds[0])


CONSTANTS = [0, 1, 2, 3, 5, 12, -1, 2.5, 1.0, 0.0, True, False, "small", "b2b", "1", "", "x y",
             "é", 'q"', 2 ** 53, -(2 ** 53)]


def values_near(constants: list) -> st.SearchStrategy:
    numbers = [c for c in constants if type(c) in (int, float)]
    near = st.sampled_from(numbers).flatmap(
        lambda c: st.sampled_from([c, c - 1, c + 1, c - 0.5, c + 0.25, float(c), -c])) \
        if numbers else st.integers(-3, 3)
    texts = [c for c in constants if type(c) is str] or ["a"]
    return st.one_of(
        near, st.integers(-20, 20), st.floats(-20, 20, allow_nan=False), st.booleans(),
        st.sampled_from(texts), st.text(max_size=4), st.sampled_from(CONSTANTS),
        st.lists(st.one_of(st.sampled_from(texts), st.text(max_size=3)), max_size=4),
        st.integers(2 ** 53 - 2, 2 ** 53 + 2), st.just(memo.ABSENT), st.just(None))


def check_sound(engine: Engine, tests: list[tuple[str, Any]], values: list) -> None:
    compiled = probe_pack(tests)
    classify = memo.classifier(tests)
    seen: dict[Any, tuple[Any, tuple]] = {}
    for value in values:
        got = outcomes(engine, compiled, value)
        cls = classify(value)
        if cls in seen:
            first, expected = seen[cls]
            assert got == expected, (tests, first, value, cls)
        else:
            seen[cls] = (value, got)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(remember=False)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_class_gives_one_outcome_in_the_engine_for_every_test_of_the_packs(engine, data):
    pack = data.draw(st.sampled_from(PACKS))
    tests = pack_tests(maturity.load_pack(pack))
    prop = data.draw(st.sampled_from(sorted(tests)))
    constants = [c for _, c in tests[prop] if c is not None]
    values = data.draw(st.lists(values_near(constants), min_size=5, max_size=25))
    check_sound(engine, sorted(set(tests[prop]), key=repr), values)


OPS = ["$eq", "$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex", "$iany", "$iall"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_class_gives_one_outcome_in_the_engine_for_any_mix_of_tests(engine, data):
    # Tests the compiler would not write on one property (a number against a string, `true`
    # against 1, an item test beside a comparison): the classifier must stay sound, falling back
    # to the value itself where it cannot place one.
    tests = data.draw(st.lists(st.tuples(st.sampled_from(OPS), st.sampled_from(CONSTANTS)),
                               min_size=1, max_size=6, unique=True))
    tests = [(op, None if op in ("$ex", "$nex") else c) for op, c in tests]
    constants = [c for _, c in tests if c is not None]
    values = data.draw(st.lists(values_near(constants), min_size=5, max_size=25))
    check_sound(engine, tests, values)


def test_a_class_never_holds_values_of_two_types():
    values = [1, True, 1.0, "1", ["1"], 0, False, 0.0, "", [], None, memo.ABSENT, 2 ** 60, "True"]
    for pack in PACKS:
        for prop, tests in pack_tests(maturity.load_pack(pack)).items():
            for made in (tests, [("$eq", 1), ("$eq", True), ("$eq", "1"), ("$iany", "1")], []):
                classify = memo.classifier(made)
                classes: dict[Any, Any] = {}
                for value in values:
                    cls = classify(value)
                    assert hash(cls) is not None
                    other = classes.setdefault(cls, value)
                    assert other is value or (type(other) is type(value)), (prop, other, value)


def test_numbers_between_the_same_constants_share_a_class_and_strings_with_no_constant_too():
    classify = memo.classifier([("$gte", 3), ("$lt", 10), ("$eq", "x")])
    assert classify(4) != classify(3)  # a string constant: numbers are not placed, kept raw
    classify = memo.classifier([("$gte", 3), ("$lt", 10)])
    assert classify(4) == classify(9) == classify(3) != classify(10) == classify(99)
    assert classify(4.5) == classify(3.0) != classify(4)
    assert classify(2 ** 53 + 1) != classify(2 ** 53 + 2)  # beyond exact comparison: raw
    classify = memo.classifier([("$eq", "small"), ("$neq", "b2b")])
    assert classify("large") == classify("tiny") != classify("small")
    assert classify('a"b') != classify('a"c')  # not plain: kept raw
    classify = memo.classifier([("$iany", "a"), ("$iall", "b")])
    assert classify(["a", "c"]) == classify(["c", "a", "d"]) != classify(["b", "a"])
    assert classify([]) != classify(["c"])
    assert memo.classifier([("?", None)])(4) != memo.classifier([("?", None)])(5)


def test_lists_are_classed_as_when_first_met_once_their_strings_are_known_plain():
    # A classifier keeps the strings it found plain in lists, and the classes of at most
    # CLASSES_KEPT lists: many more lists, and lists with an item that is no plain string
    # among known ones, are classed as a new classifier classes them.
    tests = [("$iany", "a"), ("$iall", "b")]
    classify = memo.classifier(tests)
    rng = random.Random(7)
    items = ["a", "b", "c", "d", "e", "f", "g", "h"]
    lists = [rng.sample(items, rng.randint(0, len(items))) for _ in range(3 * memo.CLASSES_KEPT)]
    odd = [["a", 'c"'], ["a", "c" * 201], ["a", 1], ["a", True], ["a", None], ["a", ["c"]], ["a", {"c": 1}]]
    for value in lists + odd + lists[:10]:
        assert classify(value) == memo.classifier(tests)(value)
    assert all(classify(value) == memo.raw(value) for value in odd)  # not plain: raw


# Memo against an engine that sends everything ----------------------------------------------

def same(a: maturity.Assessment, b: maturity.Assessment) -> bool:
    return (a.fired, a.stage, a.elements, a.findings, a.advice, a.stage_evidence) == \
        (b.fired, b.stage, b.elements, b.findings, b.advice, b.stage_evidence)


@pytest.mark.parametrize("pack", PACKS)
def test_the_memo_gives_what_sending_everything_gives(pack):
    model = maturity.load_pack(pack)
    rng = random.Random(pack)
    remembering, fresh = Engine(), Engine(remember=False)
    kept = 0
    for n in range(600):
        org = maturity.Organisation(f"o{n}", generated_facts(model, rng))
        assert same(maturity.assess(model, org, remembering), maturity.assess(model, org, fresh)), n
        kept = remembering._matched_count
    assert kept > 0


def test_the_memo_gives_what_sending_everything_gives_on_a_large_model(tmp_path: Path):
    path = tmp_path / "generated-200.yaml"
    path.write_text(yaml.safe_dump(models.model(200), sort_keys=False), "utf-8")
    model = maturity.load_pack(path)
    remembering, fresh = Engine(), Engine(remember=False)
    for n in range(60):
        org = maturity.Organisation(f"o{n}", models.organisation(200, n))
        assert same(maturity.assess(model, org, remembering), maturity.assess(model, org, fresh)), n


def test_a_new_organisation_of_known_classes_sends_nothing(monkeypatch):
    # Two organisations whose answers differ but fall in the same classes everywhere: the
    # second is answered from the memo alone, without a session.
    from maturity import engine as engine_module
    model = maturity.load_pack("default")
    rng = random.Random(7)
    remembering = Engine()
    org = maturity.Organisation("a", generated_facts(model, rng))
    first = maturity.assess(model, org, remembering)
    numbers = {f.id for f in model.facts if f.type in ("integer", "number")}
    twin = dict(org.facts)
    changed = False
    compiled = compiled_for(model)
    plans = memo.plan(compiled)[0]
    for fact_id in sorted(numbers & set(twin)):
        prop = compiled.fact_props[fact_id]
        for candidate in (twin[fact_id] + 1, twin[fact_id] - 1):
            classes = [c(twin[fact_id]) == c(candidate) for r in plans.values()
                       for p, c in r.classify if p == prop]
            if classes and all(classes) and fact_id in model.fact_by_id and \
                    maturity.organisation.value_problem(model.fact_by_id[fact_id], candidate) is None:
                twin[fact_id], changed = candidate, True
                break
    assert changed
    calls: list[str] = []
    real = engine_module._dre

    class Recording:
        def __getattr__(self, name):
            return lambda *args: (calls.append(name), getattr(real, name)(*args))[1]
    monkeypatch.setattr(engine_module, "_dre", Recording())
    second = maturity.assess(model, maturity.Organisation("b", twin), remembering)
    assert calls == []
    monkeypatch.setattr(engine_module, "_dre", real)
    assert second.fired == first.fired
    assert same(second, maturity.assess(model, maturity.Organisation("b", twin), Engine(remember=False)))


def test_what_an_engine_keeps_stays_bounded(monkeypatch):
    from maturity import engine as engine_module
    monkeypatch.setattr(engine_module, "MATCHED_KEYS", 50)
    model = maturity.load_pack("default")
    rng = random.Random(3)
    engine, other = Engine(), Engine(remember=False)
    for n in range(40):
        org = maturity.Organisation(f"o{n}", generated_facts(model, rng))
        assert same(maturity.assess(model, org, engine), maturity.assess(model, org, other))
        assert 0 < sum(len(known) for kept in engine._matched.values() for known in kept) <= 50
        assert engine._matched_count <= 50


# What an engine reuses from the assessment before --------------------------------------------

def one_answer_changed(model: maturity.Model, facts: dict, rng: random.Random) -> dict:
    """`facts` with one answer changed (or removed, or added), as a what-if makes it."""
    while True:
        other = generated_facts(model, rng)
        fact_id = rng.choice(sorted(other))
        changed = dict(facts)
        if rng.random() < 0.2:
            changed.pop(fact_id, None)
        else:
            changed[fact_id] = other[fact_id]
        if changed != facts:
            return changed


@pytest.mark.parametrize("pack", PACKS)
def test_assessments_one_answer_apart_give_what_sending_everything_gives(pack):
    model = maturity.load_pack(pack)
    rng = random.Random("what-ifs " + pack)
    remembering, fresh = Engine(), Engine(remember=False)
    for n in range(12):
        base = generated_facts(model, rng)
        orgs = [base] + [one_answer_changed(model, base, rng) for _ in range(15)]
        for m, facts in enumerate(orgs + orgs[::-1]):
            org = maturity.Organisation(f"o{n}.{m}", facts)
            assert same(maturity.assess(model, org, remembering), maturity.assess(model, org, fresh)), (n, m)


def test_a_what_if_looks_again_only_at_the_buckets_its_answer_reaches(tmp_path: Path, monkeypatch):
    # With every memo table emptied after the first assessment, any bucket the engine decided
    # again would have to be sent: only the buckets that read the changed answer are.
    from maturity import engine as engine_module
    path = tmp_path / "generated-200.yaml"
    path.write_text(yaml.safe_dump(models.model(200), sort_keys=False), "utf-8")
    model = maturity.load_pack(path)
    compiled = compiled_for(model)
    facts = models.organisation(200, 5)
    engine = Engine()
    maturity.assess(model, maturity.Organisation("base", facts), engine)
    for tables in engine._matched.values():
        for table in tables:
            table.clear()
    sent: list[tuple[int, int]] = []
    real = engine_module.Engine._queue

    def queue(compiled, stratum, number, fact, into, keys):
        sent.append((stratum, number))
        return real(compiled, stratum, number, fact, into, keys)
    monkeypatch.setattr(engine_module.Engine, "_queue", staticmethod(queue))
    what_if = dict(facts, **{"e150.how": "none" if facts.get("e150.how") != "none" else "all"})
    org = maturity.Organisation("what if", what_if)
    got = maturity.assess(model, org, engine)
    prop = compiled.fact_props["e150.how"]
    reading = {(s, b) for (s, b), props in compiled.bucket_props.items() if prop in props}
    assert sent and set(sent) == reading
    assert same(got, maturity.assess(model, org, Engine(remember=False)))


def test_a_round_that_failed_is_not_built_on(monkeypatch):
    model = maturity.load_pack("default")
    rng = random.Random(11)
    engine = Engine()
    base = generated_facts(model, rng)
    maturity.assess(model, maturity.Organisation("a", base), engine)
    assess_module = sys.modules["maturity.assess"]
    real = assess_module._connect

    def failing(*args):  # interrupted half way (any other error leaves the engine unusable)
        raise KeyboardInterrupt
    monkeypatch.setattr(assess_module, "_connect", failing)
    with pytest.raises(KeyboardInterrupt):
        maturity.assess(model, maturity.Organisation("b", one_answer_changed(model, base, rng)), engine)
    monkeypatch.setattr(assess_module, "_connect", real)
    for n in range(10):
        org = maturity.Organisation(f"c{n}", one_answer_changed(model, base, rng))
        assert same(maturity.assess(model, org, engine), maturity.assess(model, org, Engine(remember=False)))


def test_what_fired_is_told_apart_by_bucket_only_when_every_rule_is_of_one_sent():
    from maturity.engine import _attribute
    model = maturity.load_pack("default")
    compiled = compiled_for(model)
    (name, (stratum, number)), = [next(iter(compiled.rule_bucket.items()))]
    outcome: dict[int, list[str]] = {}
    assert _attribute(compiled, stratum, {number: ("m", [])}, ["__begin", name], outcome)
    assert outcome == {number: [name]}
    other = next(n for n in compiled.buckets[stratum] if n != number) if len(compiled.buckets[stratum]) > 1 else None
    if other is not None:
        assert not _attribute(compiled, stratum, {other: ("m", [])}, [name], {})
    assert not _attribute(compiled, stratum, {number: ("m", [])}, ["no such rule"], {})


def test_evidence_shared_between_assessments_shows_each_its_own_answer(tmp_path: Path):
    # 1, 1.0 and True are equal as keys: evidence kept for one must never stand for another.
    pack = tmp_path / "numbers.yaml"
    pack.write_text(yaml.safe_dump({
        "pack": {"id": "numbers", "label": "Numbers", "version": "1"},
        "statuses": [{"id": "missing", "label": "Missing"}, {"id": "done", "label": "Done", "done": True}],
        "stages": [{"id": "start", "label": "Start"}],
        "elements": [{"id": "a", "label": "A"}],
        "facts": [{"id": "a.size", "element": "a", "type": "number", "question": "How big?"}],
        "rules": [{"id": "a.big", "when": {"fact": "a.size", "gte": 1},
                   "then": {"status": {"a": "done"}}, "because": "It is big."}],
    }, sort_keys=False), "utf-8")
    model = maturity.load_pack(pack)
    engine = Engine()
    first = maturity.assess(model, maturity.Organisation("one", {"a.size": 1}), engine)
    second = maturity.assess(model, maturity.Organisation("one point oh", {"a.size": 1.0}), engine)
    assert first.elements[0].evidence[0].facts == (("a.size", 1),)
    (_, shown), = second.elements[0].evidence[0].facts
    assert shown == 1.0 and type(shown) is float


@pytest.mark.parametrize("pack", PACKS)
def test_results_kept_between_assessments_are_those_made_afresh(pack, monkeypatch):
    # Two loads of the pack, two plans: one keeps evidence, element results, findings and
    # advice between assessments; the other starts each assessment with nothing kept. Answers
    # in lists, thresholds worded by answers and 1 / 1.0 / True all go through.
    keeping, afresh = maturity.load_pack(pack), maturity.load_pack(pack)
    assess_module = sys.modules["maturity.assess"]
    rng = random.Random("kept " + pack)
    engine = Engine()
    for n in range(300):
        org = maturity.Organisation(f"o{n}", generated_facts(keeping, rng))
        kept = maturity.assess(keeping, org, engine)
        with monkeypatch.context() as m:
            m.setattr(assess_module, "KEPT_RESULTS", 0)
            made = maturity.assess(afresh, org, engine)
        assert [(e.element.id, e.status.id, e.done, e.disconnected, e.missing_prerequisites, e.evidence)
                for e in kept.elements] == \
            [(e.element.id, e.status.id, e.done, e.disconnected, e.missing_prerequisites, e.evidence)
             for e in made.elements], n
        assert (kept.findings, kept.advice, kept.stage_evidence, kept.fired) == \
            (made.findings, made.advice, made.stage_evidence, made.fired), n
        assert repr(kept.findings) + repr(kept.advice) + repr(kept.elements) == \
            repr(made.findings) + repr(made.advice) + repr(made.elements), n


def test_results_kept_per_model_stay_bounded(monkeypatch):
    assess_module = sys.modules["maturity.assess"]
    monkeypatch.setattr(assess_module, "KEPT_RESULTS", 100)
    monkeypatch.setattr(assess_module, "KEEP_SHARE", 0)  # kept however rarely found
    model = maturity.load_pack("default")
    rng = random.Random(5)
    engine = Engine()
    plan = assess_module._plan_for(model)
    cleared, before = 0, (0, 0)
    for n in range(200):
        a = maturity.assess(model, maturity.Organisation(f"o{n}", generated_facts(model, rng)), engine)
        # emptied before an assessment when over the bound: at most one assessment's worth more
        assert len(plan.kept.evidence) <= 100 + len(a.fired) + 1
        assert len(plan.kept.made) <= 100 + len(a.elements) + len(a.findings) + len(a.advice) + 1
        now = (len(plan.kept.evidence), len(plan.kept.made))
        cleared += sum(n < b for n, b in zip(now, before))
        before = now
    assert cleared >= 2 and plan.kept.evidence and plan.kept.made


@pytest.mark.parametrize("checked_when", ["a table fills", "after some look-ups"])
def test_results_are_made_directly_while_keeping_them_does_not_pay(monkeypatch, checked_when):
    assess_module = sys.modules["maturity.assess"]
    if checked_when == "a table fills":
        monkeypatch.setattr(assess_module, "KEPT_RESULTS", 100)
    else:
        monkeypatch.setattr(assess_module, "KEEP_CHECK", 300)
    monkeypatch.setattr(assess_module, "KEEP_SHARE", 1.01)  # never pays
    monkeypatch.setattr(assess_module, "KEEP_PAUSE", 30)
    model, other = maturity.load_pack("default"), maturity.load_pack("default")
    rng = random.Random(6)
    engine = Engine()
    kept = assess_module._plan_for(model).kept
    sizes = []
    for n in range(120):
        org = maturity.Organisation(f"o{n}", generated_facts(model, rng))
        a = maturity.assess(model, org, engine)
        sizes.append((kept.paused, len(kept.evidence)))
        with monkeypatch.context() as m:
            m.setattr(assess_module, "KEPT_RESULTS", 0)
            m.setattr(assess_module, "KEEP_SHARE", 0)
            b = maturity.assess(other, org, engine)
        assert repr((a.elements, a.findings, a.advice, a.stage_evidence)) == \
            repr((b.elements, b.findings, b.advice, b.stage_evidence)), n
    paused = [n for n, (left, size) in enumerate(sizes) if left]
    # paused for 30 assessments with nothing kept, then kept again to look once more
    assert paused and all(sizes[n][1] == 0 for n in paused)
    assert any(size for left, size in sizes[paused[0] + 30:])


def test_a_list_answer_changed_in_place_between_assessments_is_seen():
    # The engine reuses what the last assessment found where a value is the very same object:
    # a caller's list changed in place (same length, other items) must not look the same.
    model = maturity.load_pack("default")
    rng = random.Random(8)
    fresh = Engine(remember=False)
    for _ in range(200):  # an organisation for which the item of a one-item answer matters
        facts = generated_facts(model, rng)
        listed = rng.choice([f for f in model.facts if f.type == "choices"])
        first, second = rng.sample(list(listed.values), 2)
        one = dict(facts, **{listed.id: [first]})
        other = dict(facts, **{listed.id: [second]})
        if maturity.assess(model, maturity.Organisation("one", one), fresh).fired != \
                maturity.assess(model, maturity.Organisation("other", other), fresh).fired:
            break
    else:
        raise AssertionError("no list answer's item changes what fires")
    engine = Engine()
    maturity.assess(model, maturity.Organisation("before", one), engine)
    one[listed.id][0] = second  # now equal to `other`, the same list object
    org = maturity.Organisation("after", one)
    assert same(maturity.assess(model, org, engine), maturity.assess(model, org, fresh))
