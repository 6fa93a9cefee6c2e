"""The engine's limits, measured on durable-rules itself, and packs at and just past each.

Each measurement runs in a fresh interpreter with a timeout: the C core hangs (512 buckets)
or silently fires nothing (a message of 254 properties) at its limits, and a hang or a crash
there must fail one test, not take the test run down. The compiler's limits
(maturity/compiler.py) must sit at or inside what is measured here, and a pack of any size
that `rules check` accepts must reach the engine within them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import maturity
from maturity import compiler
from maturity.compiler import check_limits, compile_pack, engine_violations

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import models  # noqa: E402  (bench/models.py: generated models of any size)

PROBE = """
import json, sys
import durable_rules_engine as dre
from durable.engine import Host

class SyncHost(Host):
    def _run(self):
        pass

def ruleset(definition):
    for rule in definition.values():
        rule["run"] = lambda c: None
    host = SyncHost()
    host.set_rulesets({"probe": definition})
    return host.get_ruleset("probe")._handle

def fired(handle, messages):
    code, state = dre.assert_facts(handle, json.dumps(messages))
    names = []
    result = dre.start_action_for_state(handle, state)
    message = result[1] if result else None
    while message:
        names.append(message[2:message.index('"', 2)])
        message = dre.complete_and_start_action(handle, state)
    return names

BEGIN = {"__begin": {"all": [{"m": {"k": "__begin"}}]}}
"""


def probe(code: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run `code` after PROBE in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", PROBE + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout)


# The C core, measured --------------------------------------------------------------------

@pytest.mark.parametrize("count, fires", [(253, True), (254, False)])
def test_a_message_of_254_properties_silently_fires_nothing(count: int, fires: bool):
    result = probe(f"""
        handle = ruleset({{**BEGIN, "r": {{"all": [{{"m": {{"$and": [{{"k": 0}}, {{"p0": 1}}]}}}}]}}}})
        message = {{f"p{{i}}": 1 for i in range({count} - 2)}}
        message.update(k=0, sid="1")
        print(json.dumps(fired(handle, [{{"k": "__begin", "sid": "1"}}, message])))
        """)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == (["__begin", "r"] if fires else ["__begin"])
    assert compiler.MESSAGE_PROPERTIES < 253


@pytest.mark.parametrize("pairs, refused", [(13, False), (14, True)])
def test_a_pattern_holds_15_and_or(pairs: int, refused: bool):
    # an $and (round and bucket tags), an $or, and `pairs` $and: 2 + pairs of them
    condition = {"$and": [{"k": 0}, {"g": 0}, {"$or": [{"$and": [{"a": i}, {"b": i}]}
                                                       for i in range(pairs)]}]}
    result = probe(f"""
        try:
            handle = ruleset({{**BEGIN, "r": {{"all": [{{"m": {json.dumps(condition)}}}]}}}})
        except Exception as exc:
            print(exc)
        else:
            print(json.dumps(fired(handle, [{{"k": "__begin", "sid": "1"}}, {{"k": 0, "g": 0, "a": 1, "b": 1, "sid": "1"}}])))
        """)
    assert result.returncode == 0, result.stderr
    if refused:
        assert "error code: 113" in result.stdout
    else:
        assert json.loads(result.stdout) == ["__begin", "r"]
    assert compiler._groups(condition) * 2 == 4 + 2 * pairs
    assert (compiler._groups(condition) * 2 > compiler.RULE_EXPRESSIONS) == refused


def test_512_buckets_hang_the_engine_511_run():
    code = """
        definition = dict(BEGIN)
        for b in range({count}):
            definition[f"r{{b}}"] = {{"all": [{{"m": {{"$and": [{{"k": 0}}, {{"g": b}}, {{"p": 1}}]}}}}]}}
        handle = ruleset(definition)
        messages = [{{"k": "__begin", "sid": "1"}}] + [{{"k": 0, "g": b, "p": 1, "sid": "1"}} for b in range({count})]
        print(len(fired(handle, messages)))
        """
    result = probe(code.format(count=511))
    assert (result.returncode, result.stdout) == (0, "512\n"), result.stderr
    with pytest.raises(subprocess.TimeoutExpired):
        probe(code.format(count=512), timeout=5)
    assert compiler.ROUND_BUCKETS < 511


@pytest.mark.parametrize("rules, refused", [(4095, False), (4096, True)])
def test_a_ruleset_holds_4096_rules(rules: int, refused: bool):
    result = probe(f"""
        definition = dict(BEGIN)
        for n in range({rules}):
            definition[f"r{{n}}"] = {{"all": [{{"m": {{"$and": [{{"k": 0}}, {{"g": n % 200}}, {{"p": n}}]}}}}]}}
        try:
            ruleset(definition)
        except Exception as exc:
            print(exc)
        else:
            print("ok")
        """)
    assert result.returncode == 0, result.stderr
    assert ("error code: 106" in result.stdout) if refused else result.stdout == "ok\n"
    assert compiler.RULESET_RULES < 4096


# Generated packs of any size -------------------------------------------------------------

def generated(tmp_path: Path, n: int, **options) -> maturity.Model:
    path = tmp_path / f"generated-{n}.yaml"
    path.write_text(yaml.safe_dump(models.model(n, **options), sort_keys=False), "utf-8")
    return maturity.load_pack(path)


@pytest.mark.parametrize("n", [1, 40, 200])
def test_what_reaches_the_engine_stays_within_its_limits(tmp_path: Path, n: int):
    model = generated(tmp_path, n, groups=False)
    assert check_limits(model) == []
    compiled = compile_pack(model)
    assert engine_violations(compiled) == []
    for props in compiled.bucket_props.values():
        assert len(props) + len(compiler.MESSAGE_TAGS) <= compiler.MESSAGE_PROPERTIES < 253
    for part in compiled.parts:
        assert len(part) + 1 <= compiler.RULESET_RULES < 4096
    assert all(len(buckets) <= compiler.ROUND_BUCKETS for buckets in compiled.buckets.values())
    assert max(compiled.expressions.values()) <= compiler.RULE_EXPRESSIONS
    assert sorted(compiled.rule_names.values()) == sorted(r.id for r in model.rules)


@pytest.mark.slow
def test_a_1000_element_pack_runs_within_the_limits_and_fires_every_rule_it_should(tmp_path: Path):
    # 6,005 rules in several rulesets, 204 messages per assessment: within every limit, and every
    # rule that should fire does, so nothing was silently dropped.
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(models.model(1000, groups=False), sort_keys=False), "utf-8")
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import json, maturity
        from maturity import compiler
        model = maturity.load_pack({str(path)!r})
        compiled = compiler.compile_pack(model)
        print(json.dumps([compiler.engine_violations(compiled), len(compiled.parts),
                          max(len(p) for p in compiled.bucket_props.values())]))
        full = {{}}
        for e in model.elements:
            full.update({{f"{{e.id}}.yes": True, f"{{e.id}}.n": 10, f"{{e.id}}.how": "all"}})
        out = []
        none = {{f"{{e.id}}.{{k}}": v for e in model.elements for k, v in (("yes", False), ("n", 0), ("how", "none"))}}
        for facts in (full, none):
            a = maturity.assess(model, maturity.Organisation("o", facts))
            out.append([len(a.fired), a.stage.id, sum(e.done for e in a.elements), len(a.findings)])
        print(json.dumps(out))
        """)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    limits, results = result.stdout.splitlines()
    violations, rulesets, widest = json.loads(limits)
    assert violations == [] and rulesets >= 6005 // compiler.RULESET_RULES + 1
    assert widest <= compiler.BUCKET_PROPERTIES
    # everything in place: started, done and optimised for each element, and five stages;
    # nothing in place: each element's 'missing' finding.
    assert json.loads(results) == [[3005, "level5", 1000, 0], [1000, "level0", 0, 1000]]


def test_the_engine_refuses_a_compiled_pack_beyond_its_limits(tiny_model: maturity.Model):
    # Whatever made the compiled form, a message the C core would silently ignore never reaches
    # it: the engine checks the compiled pack before it takes it.
    from maturity.engine import Engine
    compiled = compile_pack(tiny_model)
    key = next(iter(compiled.bucket_props))
    compiled.bucket_props[key] = tuple(f"p{n}" for n in range(compiler.BUCKET_PROPERTIES + 1))
    compiled.fingerprint += "-broken"
    with pytest.raises(maturity.EngineError, match=r"beyond the engine's limits: bucket 0 of round 0 "
                                                   r"is sent 126 properties and 3 tags; at most 128"):
        Engine().run(compiled, {}, lambda *args: {})


# Large packs in several rulesets ---------------------------------------------------------

def test_a_large_pack_in_small_rulesets_gives_the_results_of_one_ruleset(tmp_path: Path, monkeypatch):
    # A session costs time for every rule of its ruleset, so a large pack is split into
    # rulesets of at most PART_RULES rules; where the split falls never changes a result.
    monkeypatch.setenv("DOTS_PACK_CACHE", "off")  # each load compiled with its own PART_RULES
    split, part_rules = generated(tmp_path, 200), compiler.PART_RULES
    monkeypatch.setattr(compiler, "PART_RULES", compiler.RULESET_RULES)
    whole = generated(tmp_path, 200)
    assert len(maturity.assess.__globals__["compiled_for"](whole).parts) == 1
    monkeypatch.setattr(compiler, "PART_RULES", part_rules)
    assert len(maturity.assess.__globals__["compiled_for"](split).parts) >= 1205 // compiler.PART_RULES
    for seed in range(12):
        org = maturity.Organisation(f"o{seed}", models.organisation(200, seed))
        a, b = maturity.assess(split, org), maturity.assess(whole, org)
        assert a.fired == b.fired and a.stage == b.stage
        assert a.elements == b.elements and a.findings == b.findings and a.advice == b.advice


def test_each_rulesets_session_is_deleted_once_its_last_round_is_done(tmp_path: Path, monkeypatch):
    from maturity import engine as engine_module
    model = generated(tmp_path, 200)
    compiled = maturity.assess.__globals__["compiled_for"](model)
    engine = engine_module.Engine()
    handles = engine._rulesets(compiled)
    last = {}
    for (stratum, _), part in compiled.bucket_part.items():
        last[handles[part]] = max(last.get(handles[part], 0), stratum)
    events: list[tuple] = []
    dre = engine_module._dre

    class Recording:
        def __getattr__(self, name):
            real = getattr(dre, name)
            if name in ("assert_facts", "delete_state"):
                return lambda handle, *args: (events.append((name, handle)), real(handle, *args))[1]
            return real

    monkeypatch.setattr(engine_module, "_dre", Recording())
    org = maturity.Organisation("o", models.organisation(200, 3))
    real_round = events.append

    original = engine.run

    def run(compiled, first, next_round):
        return original(compiled, first, lambda r, fired, fact: (real_round(("round", r)),
                                                                 next_round(r, fired, fact))[1])
    engine.run = run
    maturity.assess(model, org, engine)
    # every ruleset's session deleted once, after its last round's messages and before the next
    # round begins; never two sessions of round 0 alive at once
    deleted = [h for name, h in events if name == "delete_state"]
    assert sorted(deleted) == sorted(set(handles))
    for handle in set(handles):
        at = events.index(("delete_state", handle))
        rounds_before = sum(1 for e in events[:at] if e[0] == "round")
        assert rounds_before == last[handle]
        assert events[at - 1] == ("assert_facts", handle)


# What fired on a message already matched -------------------------------------------------

def _engine_calls(monkeypatch) -> list[str]:
    """Record the names of the C core's calls from here on."""
    from maturity import engine as engine_module
    real, calls = engine_module._dre, []

    class Recording:
        def __getattr__(self, name):
            function = getattr(real, name)
            return lambda *args: (calls.append(name), function(*args))[1]
    monkeypatch.setattr(engine_module, "_dre", Recording())
    return calls


def test_messages_matched_before_are_not_sent_again_and_change_no_result(tmp_path: Path, monkeypatch):
    from maturity.engine import Engine
    model = generated(tmp_path, 200)
    orgs = [maturity.Organisation(f"o{i}", models.organisation(200, i)) for i in range(6)]
    # each organisation once more with one answer changed, as the list of unanswered questions
    # and what-ifs assess them
    for org in orgs[:3]:
        changed = dict(org.facts)
        changed["e001.yes"] = not changed.get("e001.yes", False)
        orgs.append(maturity.Organisation(org.name + "'", changed))
    remembering, fresh = Engine(), Engine(remember=False)
    for org in orgs + orgs:
        a, b = maturity.assess(model, org, remembering), maturity.assess(model, org, fresh)
        assert a.fired == b.fired and a.stage == b.stage and a.elements == b.elements
        assert a.findings == b.findings and a.advice == b.advice
    # the same organisation again: every message was matched before, no session is made
    calls = _engine_calls(monkeypatch)
    again = maturity.assess(model, orgs[0], remembering)
    assert calls == [] and again.fired == maturity.assess(model, orgs[0], fresh).fired


def test_a_rule_reading_another_buckets_message_keeps_nothing(tiny_model: maturity.Model):
    # Not something the compiler makes; if it did, nothing would be remembered wrongly.
    from maturity.assess import compiled_for
    from maturity.engine import Engine
    engine = Engine()
    compiled = compiled_for(tiny_model)
    engine._rulesets(compiled)
    key = next(iter(engine._plans))
    plans, matched = engine._plans[key], engine._matched[key]
    name = next(iter(compiled.rule_bucket))
    stratum, _ = compiled.rule_bucket[name]
    group = plans[stratum].group_of[name]
    other = next(g for r in plans.values() for g in r.group_of.values() if g != group)
    engine._remember(matched, plans[stratum].group_of, [("m", [(other, ("k",), None)])], [name])
    assert all(known == {} for known in matched)
    engine._remember(matched, plans[stratum].group_of, [("m", [(group, ("k",), None)])], ["__begin", name])
    assert matched[group] == {("k",): (name,)}
