"""Numbers the rule engine cannot compare exactly (beyond ±2^53; beyond 64 bits it even
saturates) are refused wherever they are written, in facts and in packs alike; within that
range the engine, the documented semantics and `dots rules check` agree exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY_PACK, write_org, write_pack

import maturity
from maturity import numbers
from maturity.errors import DataError

LIMIT = 2 ** 53  # 9007199254740992
HINT = "numbers from -9,007,199,254,740,992 to 9,007,199,254,740,992 are compared exactly; use a smaller unit"

BIG_FACT = {"id": "audience.reach", "element": "audience", "type": "integer"}
NUMBER_FACT = {"id": "audience.budget", "element": "audience", "type": "number"}


def pack_with(tmp_path: Path, *tests: dict, facts: tuple = ()) -> Path:
    """The tiny pack with one advice rule per test, and `facts` added."""
    rules = [{"id": f"r{n}", "because": "x", "when": t,
              "then": {"advice": [{"id": f"a{n}", "action": "Act"}]}} for n, t in enumerate(tests)]
    return write_pack(tmp_path, facts=TINY_PACK["facts"] + [BIG_FACT, NUMBER_FACT, *facts],
                      rules=TINY_PACK["rules"] + rules)


def load_error(pack: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        maturity.load_pack(pack)
    return [(p.message, p.hint) for p in info.value.problems()]


def fired(pack: Path, **facts) -> list[str]:
    model = maturity.load_pack(pack)
    return maturity.assess(model, maturity.Organisation("X", facts)).fired


# Facts -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [10 ** 20, LIMIT + 1, -LIMIT - 1, 2 ** 64, 1e300, -1e17])
def test_facts_beyond_the_limit_are_refused(tmp_path, monkeypatch, value):
    # n = 10^20 saturated in the C core: `n > 10^19` did not fire and `n = 10^19` did.
    monkeypatch.chdir(tmp_path)
    pack = pack_with(tmp_path, {"fact": "audience.reach", "gte": 0})
    model = maturity.load_pack(pack)
    fact = "audience.budget" if isinstance(value, float) else "audience.reach"
    write_org(Path("org.yaml"), {fact: value})
    with pytest.raises(DataError) as info:
        maturity.load_organisation("org.yaml", model)
    (problem,) = info.value.problems()
    assert problem.format() == (
        f"error: org.yaml:4:{3 + len(fact) + 2}: '{fact}': the number {value} is too large for "
        f"the rule engine to compare exactly\n  hint: {HINT}")


def test_facts_at_the_limit_are_read_and_compared_exactly(tmp_path):
    pack = pack_with(tmp_path, {"fact": "audience.reach", "gt": LIMIT - 1},
                     {"fact": "audience.reach", "equals": LIMIT},
                     {"fact": "audience.reach", "lt": 9007199254740992.0},
                     {"fact": "audience.budget", "gt": 9007199254740990.0})
    got = set(fired(pack, **{"audience.reach": LIMIT, "audience.budget": LIMIT}))
    assert {"r0", "r1", "r3"} <= got and "r2" not in got
    got = set(fired(pack, **{"audience.reach": -LIMIT, "audience.budget": -1}))
    assert "r2" in got and not {"r0", "r1", "r3"} & got


def test_test_case_facts_beyond_the_limit_are_refused(tmp_path):
    pack = pack_with(tmp_path, {"fact": "audience.reach", "gte": 0})
    text = (pack / "pack.yaml").read_text("utf-8")
    (pack / "pack.yaml").write_text(text + "tests:\n  - id: big\n    facts: {audience.reach: "
                                    "100000000000000000000}\n    expect: {stage: just_do_it}\n", "utf-8")
    problems = [p for p in maturity.check_pack(pack) if p.severity == "error"]
    assert [p.message for p in problems] == [
        "'audience.reach': the number 100000000000000000000 is too large for the rule engine to "
        "compare exactly"]


# Packs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("test, value", [
    ({"fact": "audience.reach", "gt": 10 ** 19}, 10 ** 19),
    ({"fact": "audience.reach", "equals": 9007199254740993}, 9007199254740993),
    ({"fact": "audience.reach", "one_of": [1, -9007199254740993]}, -9007199254740993),
    ({"not": {"count": "platforms.channels", "lt": 2 ** 64}}, 2 ** 64),
    ({"fact": "audience.budget", "lte": -(10 ** 30)}, -(10 ** 30))])
def test_rule_constants_beyond_the_limit_are_refused(tmp_path, test, value):
    assert load_error(pack_with(tmp_path, test)) == [
        (f"the number {value} is too large for the rule engine to compare exactly", HINT)]


@pytest.mark.parametrize("value, message, hint", [
    (float("nan"), "'.nan' (not a number) is not a number the rule engine can compare",
     "write a number, or leave the answer out when it is not known"),
    (float("inf"), "'.inf' (infinity) is not a number the rule engine can compare", HINT),
    (float("-inf"), "'-.inf' (infinity) is not a number the rule engine can compare", HINT)])
def test_nan_and_infinity_in_a_pack_are_named_as_such(tmp_path, value, message, hint):
    # YAML's .nan and .inf are floats: not "too large", but no number the engine compares
    assert load_error(pack_with(tmp_path, {"fact": "audience.reach", "gte": value})) == [(message, hint)]
    fact = {"id": "audience.other", "element": "audience", "type": "number", "max": value}
    assert (message, hint) in load_error(pack_with(tmp_path, {"fact": "audience.other", "gte": 0},
                                                   facts=(fact,)))


@pytest.mark.parametrize("key", ["min", "max"])
def test_fact_min_and_max_beyond_the_limit_are_refused(tmp_path, key):
    fact = {"id": "audience.other", "element": "audience", "type": "integer", key: 10 ** 20}
    # (the rule that tests the refused fact is then reported too: its fact is unknown)
    assert (f"the number {10 ** 20} is too large for the rule engine to compare exactly", HINT) \
        in load_error(pack_with(tmp_path, {"fact": "audience.other", "gte": 0}, facts=(fact,)))


def test_limit_itself_is_allowed_everywhere(tmp_path):
    fact = {"id": "audience.other", "element": "audience", "type": "integer",
            "min": -LIMIT, "max": LIMIT}
    pack = pack_with(tmp_path, {"fact": "audience.other", "one_of": [-LIMIT, LIMIT]},
                     {"fact": "audience.reach", "equals": LIMIT}, facts=(fact,))
    assert maturity.load_pack(pack)
    assert set(fired(pack, **{"audience.other": LIMIT, "audience.reach": LIMIT})) >= {"r0", "r1"}


# The checker reasons as the engine does --------------------------------------------------

def warnings_about(pack: Path, rule: str) -> list[str]:
    return [p.message for p in maturity.check_pack(pack) if f"rule '{rule}'" in p.message]


def test_checker_keeps_whole_numbers_exact(tmp_path):
    # Its constants were made floats: `equals 9007199254740993` "could never fire" (it did).
    # That constant is refused now; at the limit, both sides of it are judged exactly.
    pack = pack_with(tmp_path,
                     {"fact": "audience.reach", "equals": LIMIT},                     # r0: can
                     {"fact": "audience.reach", "gt": LIMIT},                         # r1: cannot
                     {"all": [{"fact": "audience.reach", "gt": LIMIT - 2},
                              {"fact": "audience.reach", "lt": LIMIT}]},               # r2: can
                     {"all": [{"fact": "audience.reach", "gt": LIMIT - 1},
                              {"fact": "audience.reach", "lt": LIMIT}]})               # r3: cannot
    assert warnings_about(pack, "r0") == []
    assert warnings_about(pack, "r1") == [
        "rule 'r1' can never fire: 'audience.reach' is a whole number, so "
        "'gt: 9007199254740992' never holds"]
    assert warnings_about(pack, "r2") == []
    assert len(warnings_about(pack, "r3")) == 1
    # and the engine agrees where an answer exists
    assert {"r0", "r2"} <= set(fired(pack, **{"audience.reach": LIMIT - 1})) | \
        set(fired(pack, **{"audience.reach": LIMIT}))


def test_exact_is_about_magnitude_only():
    assert numbers.exact(LIMIT) and numbers.exact(-LIMIT) and numbers.exact(0.5)
    assert not numbers.exact(LIMIT + 1) and not numbers.exact(float("inf"))
    assert numbers.exact(True) and numbers.exact("text")  # not numbers: others judge them
