"""maturity.engine: durable-rules used the way that was measured to be safe. The crash modes of
its C core (docs/engine.md) are exercised on purpose; whatever could kill the process runs in a
subprocess, so that a segfault fails the test instead of ending pytest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import maturity
from conftest import ORG_ACME, ORG_BETA, TINY_PACK, write_pack
from maturity.assess import compiled_for
from maturity.engine import Engine, _encode
from maturity.errors import EngineError
from maturity.report import assessment_data, to_json


def run_python(code: str, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (a crash there is a failed test, not a dead pytest)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


# Bucketing: many rules matching at once --------------------------------------------------

def many_rules(count: int) -> list[dict]:
    """`count` different rules in round 0 and `count` in round 1, all matching 1,000 personas."""
    rules = [{"id": f"many.r{n:03d}", "because": "always",
              "when": {"fact": "audience.personas", "gte": n},
              "then": {"findings": [{"id": f"f{n:03d}", "severity": "info", "message": f"finding {n}"}]}}
             for n in range(count)]
    rules += [{"id": f"many.s{n:03d}",
               "when": {"all": [{"done": "purpose", "equals": False}, {"fact": "audience.personas", "lte": 1000 + n}]},
               "then": {"advice": [{"id": f"a{n:03d}", "action": "x"}]}} for n in range(count)]
    return rules


def test_200_rules_matching_at_once_run_in_buckets(tmp_path: Path):
    # Without buckets, more than ~60 different conditions matching one fact make the C core
    # fail (error 303) or crash; see the next test.
    pack = write_pack(tmp_path, rules=many_rules(200))
    result = run_python(f"""
        import json, maturity
        model = maturity.load_pack({str(pack)!r})
        a = maturity.assess(model, maturity.Organisation("o", {{"audience.personas": 1000}}))
        print(json.dumps([len(a.fired), len(a.findings), len(a.advice)]))
        """, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == [400, 200, 200]


def test_the_same_rules_in_one_bucket_fail(tmp_path: Path):
    """The reason for buckets, kept honest: with bucketing off the same pack fails in the C
    core. If durable-rules ever copes, buckets may be unnecessary: this test says so."""
    pack = write_pack(tmp_path, rules=many_rules(200))
    result = run_python(f"""
        import maturity, maturity.compiler
        maturity.compiler.BUCKET_BRANCHES = 10**6
        model = maturity.load_pack({str(pack)!r})
        maturity.assess(model, maturity.Organisation("o", {{"audience.personas": 1000}}))
        print("survived")
        """, tmp_path)
    assert result.returncode != 0 and "survived" not in result.stdout
    assert "error code: 303" in result.stderr


# Sessions --------------------------------------------------------------------------------

def test_3000_assessments_in_one_process_give_the_same_result(tiny_model: maturity.Model):
    # The C core holds at most 1,024 live sessions per ruleset: 3,000 assessments on a fresh
    # engine (so a fresh ruleset) succeed only if every session is deleted after its run. (An
    # engine that remembers what fired would make no session for a message it has matched.)
    engine = Engine(remember=False)
    organisations = [maturity.Organisation("Acme", ORG_ACME), maturity.Organisation("Beta", ORG_BETA)]
    first = [to_json(assessment_data(maturity.assess(tiny_model, o, engine))) for o in organisations]
    assert first[0] != first[1]
    for n in range(3000):
        assessment = maturity.assess(tiny_model, organisations[n % 2], engine)
        if n % 500 in (0, 1):  # building the whole report each time would only cost time
            assert to_json(assessment_data(assessment)) == first[n % 2]
        else:
            assert assessment.fired == (["advice.late", "advice.purpose", "find.disc", "platforms.started"]
                                        if n % 2 == 0 else
                                        ["audience.defined", "audience.started", "platforms.defined",
                                         "platforms.started", "purpose.defined", "stage.eng", "stage.strat"])
    assert to_json(assessment_data(maturity.assess(tiny_model, organisations[0], engine))) == first[0]


def test_without_deleting_sessions_the_1025th_assessment_fails(tmp_path: Path):
    """What the test above relies on: the cap on live sessions is real, and running into it
    gives an EngineError (not a crash), after which the engine refuses further work."""
    pack = write_pack(tmp_path)
    result = run_python(f"""
        import maturity, maturity.engine
        maturity.engine._dre.delete_state = lambda handle, sid: None
        model = maturity.load_pack({str(pack)!r})
        # every message sent (an engine that remembers would need no session for an answer
        # of a class met before)
        engine = maturity.engine.Engine(remember=False)
        orgs = [maturity.Organisation("o", {{"purpose.goals_written": True, "audience.personas": n}})
                for n in range(1101)]
        org = orgs[-1]
        done = 0
        try:
            for org in orgs[:1100]:
                maturity.assess(model, org, engine)
                done += 1
        except maturity.EngineError as exc:
            print(done, exc.format())
        try:
            maturity.assess(model, orgs[-1], engine)
        except maturity.EngineError as exc:
            print(exc.format())
        """, tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.startswith("1024 error: rule engine: out of engine sessions")
    assert second.startswith("error: rule engine: the engine failed earlier in this process "
                             "(out of engine sessions")
    assert second.endswith("; start a new process")


def test_the_engine_used_from_another_thread_raises(tiny_model: maturity.Model):
    engine = Engine()
    org = maturity.Organisation("Acme", ORG_ACME)
    maturity.assess(tiny_model, org, engine)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            maturity.assess(tiny_model, org, engine)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert [type(e) for e in errors] == [EngineError]
    assert errors[0].format() == ("error: rule engine: the engine is used from a second thread; "
                                  "use one engine per thread (or better, one per process)")
    # The engine's own thread can go on using it.
    assert maturity.assess(tiny_model, org, engine).fired == \
        ["advice.late", "advice.purpose", "find.disc", "platforms.started"]


def test_an_assessment_started_inside_another_is_refused_and_the_engine_survives(tiny_model):
    engine = Engine()
    compiled = compiled_for(tiny_model)
    inner: list[str] = []

    def next_round(stratum: int, fired: list[str], fact: dict) -> dict:
        try:
            engine.run(compiled, {}, lambda *args: {})
        except EngineError as exc:
            inner.append(str(exc))
            raise
        return fact

    with pytest.raises(EngineError) as info:
        engine.run(compiled, {}, next_round)
    assert str(info.value) == "a second assessment was started inside the first"
    assert inner == ["a second assessment was started inside the first"]
    org = maturity.Organisation("Beta", ORG_BETA)
    assert maturity.assess(tiny_model, org, engine).stage.id == "engaging"


def test_rounds_report_what_fired_in_each(tiny_model: maturity.Model):
    compiled = compiled_for(tiny_model)
    seen: list[tuple[int, list[str]]] = []

    def next_round(stratum: int, fired: list[str], fact: dict) -> dict:
        seen.append((stratum, fired))
        props = compiled.element_props
        if stratum == 0:
            # purpose done and audience defined: stage.strat fires in round 1
            return {**fact, **{props[e][0]: 2 for e in props}, **{props[e][1]: e != "platforms" for e in props},
                    **{props[e][2]: False for e in props}}
        return {**fact, "st": 0}

    first = {compiled.fact_props["purpose.goals_written"]: True}
    rounds = Engine().run(compiled, first, next_round)
    assert rounds == [["purpose.defined"], ["stage.strat"], ["advice.late"]]
    assert seen == [(0, ["purpose.defined"]), (1, ["stage.strat"])]


# Encoding facts for the C parser --------------------------------------------------------

def test_floats_with_an_exponent_are_written_with_a_decimal_point():
    # The C parser crashes on 1e-05 or 1e+16 in a fact; 1.0e-05 it reads.
    assert _encode({"a": 1e-05, "b": [1e16, 2.5], "c": "1e5", "d": True, "e": None}) == \
        '{"a":1.0e-05,"b":[1.0e+16,2.5],"c":"1e5","d":true,"e":null}'
    assert _encode({"a": 1.5e-07}) == '{"a":1.5e-07}'
    assert _encode({"a": 1, "b": "x"}) == '{"a":1,"b":"x"}'


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_numbers_are_refused(value: float):
    with pytest.raises(EngineError) as info:
        _encode({"a": value})
    assert str(info.value) == f"the number {value} cannot be passed to the rule engine"


def test_tiny_and_huge_answers_are_assessed_in_a_subprocess(tmp_path: Path):
    facts = TINY_PACK["facts"] + [{"id": "audience.budget", "element": "audience", "type": "number"}]
    rules = TINY_PACK["rules"] + [
        {"id": "budget.some", "when": {"fact": "audience.budget", "gt": 0},
         "then": {"findings": [{"id": "some", "severity": "info", "message": "m"}]}},
        {"id": "budget.big", "when": {"fact": "audience.budget", "gte": 1000000},
         "then": {"findings": [{"id": "big", "severity": "info", "message": "m"}]}}]
    pack = write_pack(tmp_path, facts=facts, rules=rules)
    result = run_python(f"""
        import json, maturity
        model = maturity.load_pack({str(pack)!r})
        out = []
        for x in (1e-05, 1e16, 5e-324, 1.7976931348623157e308, -1e-300, 10**20):
            a = maturity.assess(model, maturity.Organisation("o", {{"audience.budget": x}}))
            out.append([f for f in a.fired if f.startswith("budget")])
        print(json.dumps(out))
        """, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == [["budget.some"], ["budget.big", "budget.some"], ["budget.some"],
                                         ["budget.big", "budget.some"], [], ["budget.big", "budget.some"]]


# durable-rules missing or not importable -------------------------------------------------

def test_durable_rules_that_does_not_import_is_one_clear_error(tmp_path: Path):
    # As on Python 3.13 with a build without the flag: importing the C core fails.
    result = run_python(f"""
        import sys
        sys.modules["durable_rules_engine"] = None  # import fails, as with an undefined symbol
        sys.argv = ["dots", "assess", {str(Path(__file__).parent.parent / "examples" / "mid-size.yaml")!r}]
        from maturity.cli.main import main
        main()
        """, tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: rule engine: durable-rules cannot be "
                                                   "imported ("), result.stderr
    assert lines[1].startswith("  hint: "), result.stderr


def test_import_problem_tells_what_to_do_on_each_python():
    from maturity.engine import BUILD_FLAG, import_problem

    message, hint = import_problem((3, 13), "undefined symbol: PyEval_CallObject")
    assert BUILD_FLAG in message and "(undefined symbol: PyEval_CallObject)" in message
    assert hint.startswith(f"rebuild it: {BUILD_FLAG} pip install --no-cache-dir")
    message, hint = import_problem((3, 12), "No module named 'durable'")
    assert "3.1" not in message and "reinstall" in hint
    for version in ((3, 14), (3, 9)):
        message, hint = import_problem(version, "x")
        assert f"not on {version[0]}.{version[1]}" in message and "3.13" in hint


def test_the_durable_rules_pin_in_messages_is_pyprojects():
    from maturity.engine import DURABLE_RULES

    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"{DURABLE_RULES}"' in pyproject
