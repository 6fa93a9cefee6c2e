"""The engine against the documented semantics: hypothesis generates rule packs (standalone ones,
and ones that extend the default pack) and fact sets, and on every pack that `rules check`
accepts, the stage, statuses, done, disconnected, findings and advice that `maturity.assess`
gives (compiler, durable-rules, resolution) must equal those of tests/reference.py, a small
evaluator written from docs/engine.md and docs/yaml-format.md alone. A difference is a bug in
one of the two.

Packs run in a worker process (tests/engine_worker.py): a hang or a crash of the C engine fails
the test with the pack that caused it instead of ending pytest.

`make test` runs a bounded, repeatable number of examples. For a longer run, with new random
examples each time:  make test PYTEST_ARGS='tests/test_differential.py --differential-examples=2000'
"""

from __future__ import annotations

import json
import re
import select
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import maturity
from maturity.model import Fact, Model
from maturity.organisation import value_problem
from conftest import write_pack
from reference import Outcome, evaluate, evaluate_answers

WORKER = Path(__file__).with_name("engine_worker.py")
BOUNDED = 30            # examples per test in `make test`
TIMEOUT = 60            # seconds for one pack and its fact sets (they take milliseconds)
FACT_SETS = 4           # fact sets per generated pack
DEFAULT = maturity.load_pack()

# Numbers near every limit: the ±2^53 within which the engine compares exactly (docs/engine.md,
# "Numbers"), the C core's 64 bits; small ones; decimals. BEYOND are refused where written.
NUMBERS = [0, 1, -1, 2, 3, 7, 10, 100, 2**31 - 1, 2**31, 2**32, 2**53 - 1, 2**53, -(2**53),
           9007199254740992.0, -9007199254740992.0, 0.5, 0.1, 0.0001, 1.5, 2.5, 99.9,
           1000000000000000.0, 0.30000000000000004, 1 / 3, -0.0]
# Refused in rules (beyond 2^53, or decimals the engine cannot read), some also in answers.
BEYOND = [2**53 + 1, -(2**53) - 1, 2**63, 10**20, 1e16, 1.7976931348623157e308, 1e-05, 5e-324]
# Allowed values of choice facts, some that YAML or JSON could take for something else.
VALUES = ["v0", "v1", "v2", "true", "no", "null", "on", "nan", "e0", "f0", "k", "g", "sid"]


# The worker ------------------------------------------------------------------------------

class Worker:
    """One worker process at a time; a new one after an error, a crash or a hang."""

    def __init__(self, script: Path = WORKER, timeout: float = TIMEOUT) -> None:
        self.script, self.timeout = script, timeout
        self.proc: subprocess.Popen | None = None
        self.stderr = tempfile.TemporaryFile(mode="w+")

    def run(self, pack: Path, fact_sets: list[dict]) -> list[dict] | str:
        """The worker's outcomes, or what went wrong ("error: ...", "crash: ...", "hang")."""
        if self.proc is None or self.proc.poll() is not None:
            self.stderr.seek(0)
            self.stderr.truncate()
            self.proc = subprocess.Popen([sys.executable, str(self.script)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                         cwd=WORKER.parent)
        request = json.dumps({"pack": str(pack), "facts": fact_sets}) + "\n"
        try:
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        line = self.proc.stdout.readline() if ready else None
        if line is None:
            self.stop()
            return f"hang: no answer in {self.timeout:g} s"
        if not line:
            code = self.proc.wait()
            self.stderr.seek(0)
            return f"crash: the worker ended with status {code}: {self.stderr.read()[-2000:]}"
        answer = json.loads(line)
        if "error" in answer:
            self.proc.wait()
            return f"error: {answer['error']}"
        return answer["outcomes"]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.stop()
    w.stderr.close()


# Generating packs ------------------------------------------------------------------------

@st.composite
def numbers(draw, near: tuple = (), integer: bool = False) -> Any:
    """A number constant or answer: one near a limit, or near one of `near`."""
    if draw(st.integers(0, 99)) == 57:  # rarely (not 0, which hypothesis favours): one refuses a pack
        return draw(st.sampled_from(BEYOND))
    pool = NUMBERS + [n + d for n in near for d in (-1, 0, 1) if abs(n + d) <= 2**53]
    value = draw(st.one_of(st.sampled_from(pool), st.integers(-20, 120),
                           st.floats(-50, 150, allow_nan=False).map(lambda f: round(f, 2))))
    if integer and isinstance(value, float):  # a whole number, sometimes written as 3.0
        value = int(value) if draw(st.booleans()) or abs(value) > 2**53 else float(int(value))
    return value


class Ctx:
    """What a generated condition may name."""

    def __init__(self, facts: list[dict], elements: list[str], statuses: list[str],
                 stages: list[str], groups: list[str] = (), thresholds: dict[str, str] = None):
        self.facts, self.elements, self.statuses, self.stages = facts, elements, statuses, stages
        self.groups = list(groups)
        self.thresholds = dict(thresholds or {})  # threshold id -> the choice fact it is by
        self.scale_often = False  # compare with thresholds in most numeric tests


def _scaled(draw, thresholds, op: str, value: Any, often: bool = False) -> Any:
    """Sometimes (mostly, `often`), a numeric comparison against a named threshold instead of
    a number."""
    if thresholds and op in ("lt", "lte", "gt", "gte") and draw(st.integers(0, 2)) < (2 if often else 1):
        return {"threshold": draw(st.sampled_from(sorted(thresholds)))}
    return value


@st.composite
def fact_test(draw, fact: dict, thresholds=(), often: bool = False) -> dict:
    kind, ref = fact["type"], fact["id"]
    if draw(st.integers(0, 9)) == 0:
        return {"fact": ref, "present": draw(st.booleans())}
    if kind == "boolean":
        return {"fact": ref, draw(st.sampled_from(["equals", "not_equals"])): draw(st.booleans())}
    if kind in ("integer", "number"):
        near = tuple(v for v in (fact.get("min"), fact.get("max")) if v is not None)
        op = draw(st.sampled_from(["equals", "not_equals", "lt", "lte", "gt", "gte", "one_of"]))
        if op == "one_of":  # wide: up to past the 40 alternatives a rule may have
            return {"fact": ref, op: draw(st.lists(numbers(near), min_size=1, max_size=44))}
        return {"fact": ref, op: _scaled(draw, thresholds, op, draw(numbers(near)), often)}
    values = fact["values"]
    if kind == "choice":
        op = draw(st.sampled_from(["equals", "not_equals", "one_of"]))
        if op == "one_of":
            return {"fact": ref, op: draw(st.lists(st.sampled_from(values), min_size=1,
                                                   max_size=len(values), unique=True))}
        return {"fact": ref, op: draw(st.sampled_from(values))}
    # choices
    if draw(st.booleans()):
        return {"fact": ref, "contains": draw(st.sampled_from(values))}
    op = draw(st.sampled_from(["equals", "not_equals", "lt", "lte", "gt", "gte", "one_of"]))
    count = numbers(near=(0, len(values)), integer=True)
    value = draw(st.lists(count, min_size=1, max_size=6)) if op == "one_of" else draw(count)
    return {"count": ref, op: _scaled(draw, thresholds, op, value, often)}


@st.composite
def one_test(draw, ctx: Ctx, ranked: tuple[str, ...]) -> dict:
    """One test; `ranked` says which of status, done, disconnected and stage it may read."""
    if ranked and ctx.groups:
        ranked += ("all_done", "done_count", "lowest_status")
    subject = draw(st.sampled_from(("fact", "fact", "fact") + ranked))
    if subject == "fact":
        return draw(fact_test(draw(st.sampled_from(ctx.facts)), ctx.thresholds, ctx.scale_often))
    if subject in ("done", "disconnected", "all_done"):
        refs = ctx.groups if subject == "all_done" else ctx.elements
        return {subject: draw(st.sampled_from(refs)),
                draw(st.sampled_from(["equals", "not_equals"])): draw(st.booleans())}
    op = draw(st.sampled_from(["equals", "not_equals", "lt", "lte", "gt", "gte", "one_of"]))
    if subject == "done_count":
        count = numbers(near=(0, len(ctx.elements)), integer=True)
        value = draw(st.lists(count, min_size=1, max_size=6)) if op == "one_of" else draw(count)
        return {subject: draw(st.sampled_from(ctx.groups)), op: value}
    ids = ctx.stages if subject == "stage" else ctx.statuses
    ref = {"stage": "current", "status": None, "lowest_status": None}[subject] or \
        draw(st.sampled_from(ctx.elements if subject == "status" else ctx.groups))
    value = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)) \
        if op == "one_of" else draw(st.sampled_from(ids))
    return {subject: ref, op: value}


@st.composite
def condition(draw, ctx: Ctx, ranked: tuple[str, ...], depth: int = 3) -> dict:
    """A condition: tests under all/any/not, sometimes a deep chain of `not`, sometimes a wide
    `any` of two-test `all`s (near the limits on alternatives and expressions in one rule)."""
    kind = draw(st.integers(0, 7 if depth == 3 else 6)) if depth > 0 else 0  # wide: at the top
    if kind <= 2:
        return draw(one_test(ctx, ranked))
    if kind == 7:
        pair = st.lists(one_test(ctx, ranked), min_size=2, max_size=2).map(lambda t: {"all": t})
        return {"any": draw(st.lists(pair, min_size=8, max_size=20))}
    if kind in (3, 4):
        items = draw(st.lists(condition(ctx, ranked, depth - 1), min_size=1, max_size=4))
        return {"all" if kind == 3 else "any": items}
    if kind == 5:
        return {"not": draw(condition(ctx, ranked, depth - 1))}
    inner = draw(condition(ctx, ranked, depth - 1))
    for _ in range(draw(st.integers(2, 14))):
        inner = {"not": inner} if draw(st.integers(0, 3)) else {"all": [inner]}
    return inner


def _round(when: dict) -> int:
    text = json.dumps(when)
    if '"stage": ' in text:
        return 2
    return 1 if any(f'"{s}": ' in text for s in ("status", "done", "disconnected", "all_done",
                                                   "done_count", "lowest_status")) else 0


@st.composite
def rules(draw, ctx: Ctx, prefix: str, count: tuple[int, int] = (1, 8)) -> list[dict]:
    found = []
    for n in range(draw(st.integers(*count))):
        ranked = draw(st.sampled_from([(), ("status", "done", "disconnected"),
                                       ("status", "done", "disconnected", "stage")]))
        when = draw(condition(ctx, ranked))
        then: dict[str, Any] = {}
        stratum = _round(when)
        if stratum == 0 and draw(st.booleans()):
            then["status"] = {draw(st.sampled_from(ctx.elements)): draw(st.sampled_from(ctx.statuses))}
        if stratum < 2 and draw(st.integers(0, 2)) == 0:
            then["stage"] = draw(st.sampled_from(ctx.stages))
        rid = f"{prefix}r{n}"
        if draw(st.booleans()) or not then:
            then["findings"] = [{"id": f"{rid}-f", "severity": draw(st.sampled_from(
                ["high", "medium", "low", "info"])), "message": "m"}]
        if draw(st.booleans()):
            # About facts the rule tests, mostly: asked as questions while they are unanswered.
            tested = sorted(set(re.findall(r'"(?:fact|count)": "([^"]+)"', json.dumps(when)))
                            | {ctx.thresholds[t] for t in re.findall(r'"threshold": "([^"]+)"',
                                                                     json.dumps(when))})
            facts = st.sampled_from(tested) if tested and draw(st.integers(0, 3)) else \
                st.sampled_from([f["id"] for f in ctx.facts])
            then["advice"] = [{"id": f"{rid}-a{k}", "action": "a",
                               "element": draw(st.sampled_from(ctx.elements)),
                               "about": draw(st.lists(facts, max_size=2, unique=True))}
                              for k in range(draw(st.integers(1, 2)))]
        found.append({"id": rid, "because": "b", "when": when, "then": then})
    return found


@st.composite
def new_facts(draw, elements: list[str], prefix: str) -> list[dict]:
    facts = []
    for n in range(draw(st.integers(1, 6))):
        fact: dict[str, Any] = {"id": f"{prefix}.f{n}", "element": draw(st.sampled_from(elements)),
                                "type": draw(st.sampled_from(["boolean", "integer", "number",
                                                              "choice", "choices"]))}
        if fact["type"] in ("choice", "choices"):
            if draw(st.integers(0, 3)):
                fact["values"] = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=6,
                                               unique=True))
            else:  # for wide one_of
                fact["values"] = [f"v{k}" for k in range(draw(st.integers(30, 45)))]
        elif fact["type"] != "boolean" and draw(st.booleans()):
            bounds = sorted(draw(st.lists(numbers(integer=fact["type"] == "integer"),
                                          min_size=2, max_size=2)))
            fact.update({k: v for k, v in zip(("min", "max"), bounds) if draw(st.booleans())})
        for key in ("dont_know", "not_applicable"):  # the answer the rules see for that state
            if draw(st.integers(0, 3)) == 0:
                value = draw(value_for(fact["type"], fact.get("values", ()),
                                       fact.get("min"), fact.get("max")))
                if fact["type"] in ("integer", "number"):  # within the fact's range
                    value = max(value, fact.get("min", value))
                    value = min(value, fact.get("max", value))
                fact[key] = value
        facts.append(fact)
    return facts


@st.composite
def standalone_packs(draw, sized: bool = False) -> dict:
    """A pack of its own; `sized`: always with a size band and thresholds by it, and fewer
    rules, so that most such packs fit the engine's limits and run."""
    statuses = [f"s{n}" for n in range(draw(st.integers(2, 4)))]
    done_from = draw(st.integers(1, len(statuses) - 1))
    elements = [f"e{n}" for n in range(draw(st.integers(1, 5)))]
    edges = [{"from": a, "to": b} for i, a in enumerate(elements) for b in elements[i + 1:]
             if draw(st.integers(0, 2)) == 0]
    stages = [f"g{n}" for n in range(draw(st.integers(1, 4)))]
    facts = draw(new_facts(elements, "x"))
    if sized:
        facts.append({"id": "x.band", "type": "choice",
                      "values": draw(st.lists(st.sampled_from(VALUES), min_size=2, max_size=4,
                                              unique=True))})
    # Groups: top-level ones, and sub-groups within one of them; each keeps an element.
    groups = [{"id": f"grp{n}", "label": "g"} for n in range(draw(st.integers(0, 3)))]
    for group in groups[1:]:
        if draw(st.booleans()):
            group["within"] = groups[0]["id"]
    in_group = {e: draw(st.sampled_from([None] + [g["id"] for g in groups])) for e in elements}
    used = set(in_group.values()) | {g.get("within") for g in groups if g["id"] in in_group.values()}
    groups = [g for g in groups if g["id"] in used]
    thresholds = draw(threshold_tables(facts, at_least=1 if sized else 0))
    ctx = Ctx(facts, elements, statuses, stages, [g["id"] for g in groups],
              {t["id"]: t["by"] for t in thresholds})
    ctx.scale_often = sized
    return {
        "thresholds": thresholds,
        "pack": {"id": "generated", "label": "Generated"},
        "statuses": [{"id": s, "label": s, **({"done": True} if n >= done_from else {})}
                     for n, s in enumerate(statuses)],
        "groups": groups,
        "elements": [{"id": e, "label": e, **({"group": in_group[e]} if in_group[e] else {})}
                     for e in elements],
        "edges": edges,
        "stages": [{"id": s, "label": s} for s in stages],
        "facts": facts,
        "rules": draw(rules(ctx, "", (1, 5) if sized else draw(st.sampled_from([(1, 8), (1, 8), (20, 40)])))),
    }


@st.composite
def threshold_tables(draw, facts: list[dict], at_least: int = 0) -> list[dict]:
    """Named thresholds by a choice fact: a value for some of its answers and a default, or
    (sometimes) one for each answer and no default."""
    by = [f for f in facts if f["type"] == "choice" and len(f["values"]) <= 4]
    tables = []
    for n in range(draw(st.integers(at_least, 2)) if by else 0):
        fact = draw(st.sampled_from(by))
        whole = st.integers(0, 12)
        if draw(st.booleans()):
            values = {v: draw(whole) for v in fact["values"]}
            tables.append({"id": f"t{n}", "by": fact["id"], "values": values})
        else:
            values = {v: draw(whole) for v in draw(st.lists(st.sampled_from(fact["values"]),
                                                            unique=True))}
            tables.append({"id": f"t{n}", "by": fact["id"], "default": draw(whole), "values": values})
    return tables


def _fact_dict(fact: Fact) -> dict:
    data = {"id": fact.id, "type": fact.type, "values": list(fact.values)}
    return {**data, **{k: v for k, v in (("min", fact.min), ("max", fact.max)) if v is not None}}


@st.composite
def extending_packs(draw) -> dict:
    """A pack that extends the default one: new facts, maybe a new element, new rules over
    old and new facts and elements, and some default rules removed or switched off."""
    elements = [e.id for e in DEFAULT.elements]
    pack: dict[str, Any] = {"pack": {"id": "generated", "label": "Generated", "extends": "default"}}
    if draw(st.booleans()):
        pack["elements"] = [{"id": "extra", "label": "Extra",
                             "after": draw(st.sampled_from(elements))}]
        pack["edges"] = [{"from": draw(st.sampled_from(elements)), "to": "extra"}]
        if draw(st.booleans()):
            pack["edges"].append({"from": "extra", "to": draw(st.sampled_from(elements))})
        elements = elements + ["extra"]
    pack["facts"] = draw(new_facts(elements, "extra"))
    ctx = Ctx([_fact_dict(f) for f in DEFAULT.facts] + pack["facts"], elements,
              [s.id for s in DEFAULT.statuses], [s.id for s in DEFAULT.stages],
              thresholds={t.id: t.by for t in DEFAULT.thresholds})
    rule_ids = sorted(r.id for r in DEFAULT.rules)
    gone = draw(st.lists(st.sampled_from(rule_ids), max_size=6, unique=True))
    off = [r for r in draw(st.lists(st.sampled_from(rule_ids), max_size=4, unique=True))
           if r not in gone]
    pack["rules"] = draw(rules(ctx, "extra.", (0, 8))) + \
        [{"id": r, "override": True, "enabled": False} for r in off]
    # The default pack's test cases expect what its rules conclude; take them out.
    pack["remove"] = {"tests": [t.id for t in DEFAULT.tests], **({"rules": gone} if gone else {})}
    return pack


@st.composite
def value_for(draw, kind: str, values=(), lo=None, hi=None, near: tuple = ()) -> Any:
    """An answer to a fact of type `kind` (not always within `lo` and `hi`)."""
    if kind == "boolean":
        return draw(st.booleans())
    if kind in ("integer", "number"):
        near = near + tuple(v for v in (lo, hi) if v is not None)
        return draw(numbers(near, integer=kind == "integer"))
    if kind == "choice":
        return draw(st.sampled_from(values))
    return draw(st.lists(st.sampled_from(values), unique=True, max_size=min(len(values), 8)))


@st.composite
def answers(draw, model: Model) -> dict[str, Any]:
    """A valid `facts:` mapping for `model`: some facts unanswered, some "don't know" or "not
    applicable", numbers near the rules' constants."""
    constants: dict[str, list] = {}
    for rule in model.rules:
        for t in _tests_of(rule.when):
            values = t.value if isinstance(t.value, list) else [t.value]
            constants.setdefault(t.ref, []).extend(
                v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    facts: dict[str, Any] = {}
    for fact in model.facts:
        which = draw(st.integers(0, 7))
        if which <= 1:
            continue
        if which == 2:
            facts[fact.id] = draw(st.sampled_from(["dont-know", "not-applicable"]))
            continue
        value = draw(value_for(fact.type, fact.values, fact.min, fact.max,
                               tuple(constants.get(fact.id, []))))
        if value_problem(fact, value) is None:  # an answer a facts file may give
            facts[fact.id] = value
    return facts


def _tests_of(condition) -> list:
    from maturity.model import tests_in
    return tests_in(condition)


# The test --------------------------------------------------------------------------------

def accepted(folder: Path) -> Model | None:
    """The pack, loaded, when `dots rules check` reports no error for it; else None."""
    if any(p.severity == "error" for p in maturity.check_pack(folder)):
        return None
    return maturity.load_pack(folder)


def differences(engine: dict, reference: Outcome) -> list[str]:
    """What the engine's outcome (as the worker gives it) and the reference's disagree on."""
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(reference).items()}
    expected["statuses"] = [list(pair) for pair in expected["statuses"]]
    return [f"{key}: engine {engine[key]!r}, reference {value!r}"
            for key, value in expected.items() if engine[key] != value]


def check(pack: dict, data: st.DataObject, worker: Worker) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pack"
        folder.mkdir()
        text = yaml.safe_dump(pack, sort_keys=False, width=1000)
        (folder / "pack.yaml").write_text(text, encoding="utf-8")
        model = accepted(folder)
        if model is None:
            return
        fact_sets = [data.draw(answers(model)) for _ in range(FACT_SETS)]
        result = worker.run(folder, fact_sets)
        if isinstance(result, str):
            pytest.fail(f"a pack that rules check accepts does not run ({result})\n"
                        f"--- pack.yaml ---\n{text}--- facts ---\n{fact_sets}")
        for facts, engine in zip(fact_sets, result):
            wrong = differences(engine, evaluate_answers(model, facts))
            assert not wrong, ("the engine and the reference differ:\n  " + "\n  ".join(wrong)
                               + f"\n--- pack.yaml ---\n{text}--- facts ---\n{facts}")


def _settings(request: pytest.FixtureRequest) -> settings:
    examples = request.config.getoption("--differential-examples") or BOUNDED
    return settings(max_examples=examples, deadline=None, derandomize=examples <= BOUNDED,
                    suppress_health_check=list(HealthCheck))


def test_engine_agrees_with_the_reference_on_standalone_packs(request, worker):
    @_settings(request)
    @given(pack=standalone_packs(), data=st.data())
    def run(pack, data):
        check(pack, data, worker)

    run()


def test_engine_agrees_with_the_reference_on_packs_with_thresholds(request, worker):
    @_settings(request)
    @given(pack=standalone_packs(sized=True), data=st.data())
    def run(pack, data):
        check(pack, data, worker)

    run()


def test_engine_agrees_with_the_reference_on_packs_extending_the_default(request, worker):
    @_settings(request)
    @given(pack=extending_packs(), data=st.data())
    def run(pack, data):
        check(pack, data, worker)

    run()


def test_engine_agrees_with_the_reference_on_the_default_pack(request, worker):
    folder = Path(maturity.__file__).parent / "rules" / "default"

    @_settings(request)
    @given(data=st.data())
    def run(data):
        fact_sets = [data.draw(answers(DEFAULT)) for _ in range(FACT_SETS)]
        result = worker.run(folder, fact_sets)
        assert not isinstance(result, str), result
        for facts, engine in zip(fact_sets, result):
            assert not differences(engine, evaluate_answers(DEFAULT, facts)), facts

    run()


# The machinery itself: a difference, an error, a crash and a hang are each reported ----------

def test_a_difference_from_the_reference_is_reported(tmp_path: Path, worker, monkeypatch):
    import reference
    from conftest import ORG_ACME

    pack = write_pack(tmp_path)
    model = maturity.load_pack(pack)
    [engine] = worker.run(pack, [ORG_ACME])
    assert differences(engine, evaluate(model, ORG_ACME)) == []
    monkeypatch.setattr(reference, "on_unanswered", lambda t: True)  # a wrong semantics
    # platforms.measure is unanswered: `gte` holds for it now, so platforms is defined.
    assert "statuses: engine [['purpose', 'missing'], ['audience', 'missing'], ['platforms', 'started']], " \
        "reference [['purpose', 'missing'], ['audience', 'missing'], ['platforms', 'defined']]" in \
        differences(engine, evaluate(model, ORG_ACME))


def test_the_worker_reports_an_error_and_starts_again(tmp_path: Path, worker):
    assert worker.run(tmp_path / "missing", [{}]).startswith("error: DataError: ")
    assert isinstance(worker.run(write_pack(tmp_path), [{}]), list)


@pytest.mark.parametrize("body, reported", [
    ("import os; os.abort()", "crash: the worker ended with status -6"),
    ("import time; time.sleep(60)", "hang: no answer in 1 s")])
def test_the_worker_reports_a_crash_or_a_hang(tmp_path: Path, body: str, reported: str):
    script = tmp_path / "worker.py"
    script.write_text(f"import sys\nsys.stdin.readline()\n{body}\n", encoding="utf-8")
    broken = Worker(script, timeout=1)
    try:
        assert broken.run(tmp_path, [{}]).startswith(reported)
    finally:
        broken.stop()
