"""Inputs that must never hang or crash dots: YAML alias bombs, values nested too deep, and
conditions nested too deep. Each is refused with one located message, as other bad input is.
(A subprocess with a generous timeout guards against a hang; nothing here is timed.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ORG_ACME, write_org

import maturity
from maturity import yamlio
from maturity.errors import DataError
from maturity.pack import MAX_CONDITION_DEPTH

HANG_GUARD = 120  # seconds; each of these runs takes well under one


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def dots(*args: str) -> subprocess.CompletedProcess:
    """`dots` in a process of its own, so that a hang fails the test instead of the run."""
    return subprocess.run([sys.executable, "-m", "maturity", *args], capture_output=True,
                          text=True, timeout=HANG_GUARD)


def error_of(path: Path | str) -> str:
    with pytest.raises(DataError) as info:
        yamlio.load(path)
    return info.value.format()


# YAML alias bombs ------------------------------------------------------------------------

def alias_levels(levels: int, width: int, indent: str = "") -> list[str]:
    """Lines of `levels` anchored lists, each holding `width` aliases of the one before."""
    lines = [f"{indent}a0: &a0 [x]"]
    for n in range(1, levels):
        lines.append(f"{indent}a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * width) + "]")
    return lines


def extra_values(levels: int, width: int) -> int:
    """How many values `alias_levels` adds by its aliases: list k stands for 1 + width times
    list k-1 (list 0 is two values, the list and 'x'), and only its own node is written."""
    sizes = [2]
    for _ in range(1, levels):
        sizes.append(1 + width * sizes[-1])
    return sum(size - 1 for size in sizes[1:])


BOMB_HINT = (f"  hint: at most {yamlio.MAX_ALIAS_VALUES:,} are read; write the values out, "
             "or repeat them less")


def test_facts_file_alias_bomb_is_refused_at_the_first_alias(workdir):
    # Ten levels of nine aliases: 9^9 values from some 550 bytes (it ran for minutes, then
    # ended in MemoryError).
    text = "\n".join(["organisation:", "  name: Bomb", "facts: {}", "x:"]
                     + alias_levels(10, 9, "  ")) + "\n"
    assert len(text) < 600
    Path("bomb.yaml").write_text(text, "utf-8")
    result = dots("assess", "bomb.yaml")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "error: bomb.yaml:6:12: YAML alias '*a0' stands, with the file's other aliases, for "
        f"{extra_values(10, 9):,} values more than are written out\n" + BOMB_HINT + "\n")


def test_pack_alias_bomb_is_refused_by_rules_check(workdir):
    # Ten levels of four, 196 bytes: it took seconds, and four times longer for each level.
    text = "pack: {id: b, label: B}\n" + "\n".join(alias_levels(10, 4)) + "\n"
    assert len(text) <= 300
    Path("bomb.yaml").write_text(text, "utf-8")
    result = dots("rules", "check", "bomb.yaml")
    assert result.returncode == 1
    assert result.stdout.startswith("error: bomb.yaml:3:10: YAML alias '*a0' stands, with the "
                                    f"file's other aliases, for {extra_values(10, 4):,} values more than are "
                                    "written out\n" + BOMB_HINT + "\n")


def test_aliases_within_the_bound_are_read(workdir):
    # yaml.dump writes an alias for a value used twice: such files are read as written.
    shared = {"id": "x", "action": "Do it"}
    Path("a.yaml").write_text(yaml.safe_dump({"one": shared, "two": shared, "s": "a * b"}), "utf-8")
    assert "*id001" in Path("a.yaml").read_text("utf-8")
    assert yamlio.load("a.yaml").data == {"one": shared, "two": shared, "s": "a * b"}


def test_aliases_just_past_the_bound_are_refused(workdir):
    items = yamlio.MAX_ALIAS_VALUES // 2  # a list of n items is n + 1 values; two aliases
    Path("a.yaml").write_text(f"a: &big [{', '.join(['1'] * items)}]\nb: *big\nc: *big\n", "utf-8")
    with pytest.raises(DataError) as info:
        yamlio.load("a.yaml")
    assert info.value.problems()[0].message == (
        f"YAML alias '*big' stands, with the file's other aliases, for {2 * (items + 1):,} "
        "values more than are written out")
    Path("a.yaml").write_text(f"a: &big [{', '.join(['1'] * (items - 1))}]\nb: *big\n", "utf-8")
    assert len(yamlio.load("a.yaml").data["b"]) == items - 1


@pytest.mark.parametrize("fast", [True, False])
def test_alias_inside_its_own_value_is_refused(workdir, monkeypatch, fast):
    if not fast:
        monkeypatch.setattr(yamlio, "_FAST_LOADER", None)
    Path("a.yaml").write_text("x: 1\ny: &loop\n  - 1\n  - [2, *loop]\n", "utf-8")
    assert error_of("a.yaml") == (
        "error: a.yaml:4:9: YAML alias '*loop' refers to a value it is inside, which would never "
        "end\n  hint: write the value out instead of the alias")


def test_alias_bomb_refused_by_the_pure_python_parser_too(workdir, monkeypatch):
    monkeypatch.setattr(yamlio, "_FAST_LOADER", None)
    Path("bomb.yaml").write_text("\n".join(alias_levels(10, 9)) + "\n", "utf-8")
    assert error_of("bomb.yaml").startswith("error: bomb.yaml:2:10: YAML alias '*a0' stands")


# Values nested too deep ------------------------------------------------------------------

@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("levels", [yamlio.MAX_DEPTH + 1, 999, 5000])
def test_values_nested_too_deep_are_refused(workdir, monkeypatch, fast, levels):
    # The mapping is level 1, so level 101 is the 100th '[' (after "x: "). libyaml stops at 1000 levels and PyYAML's own composer recursed out of the stack at
    # a few hundred; below that, building values recursed too.
    if not fast:
        monkeypatch.setattr(yamlio, "_FAST_LOADER", None)
    Path("deep.yaml").write_text("x: " + "[" * levels + "]" * levels + "\n", "utf-8")
    assert error_of("deep.yaml") == (
        f"error: deep.yaml:1:{yamlio.MAX_DEPTH + 3}: lists and mappings nest more than "
        f"{yamlio.MAX_DEPTH} levels deep\n  hint: no file dots reads needs that many; "
        "flatten this part")


def test_block_nesting_too_deep_is_refused(workdir):
    text = "".join(" " * n + f"k{n}:\n" for n in range(1200)) + " " * 1200 + "v: 1\n"
    Path("deep.yaml").write_text(text, "utf-8")
    assert error_of("deep.yaml").startswith(
        f"error: deep.yaml:{yamlio.MAX_DEPTH + 1}:{yamlio.MAX_DEPTH + 1}: lists and mappings")


def test_nesting_up_to_the_limit_is_read(workdir):
    depth = yamlio.MAX_DEPTH - 1  # the top-level mapping is one level
    Path("ok.yaml").write_text("x: " + "[" * depth + "1" + "]" * depth + "\n", "utf-8")
    value = yamlio.load("ok.yaml").data["x"]
    for _ in range(depth):
        value = value[0]
    assert value == 1


# Conditions nested too deep --------------------------------------------------------------

def nested(levels: int) -> str:
    """A condition of `levels` operators inside one another, alternating all and not, as YAML
    flow text (made without recursion: yaml.dump would recurse once per level)."""
    opening, closing = [], []
    for n in reversed(range(levels)):
        opening.append("{not: " if n % 2 else "{all: [")
        closing.append("}" if n % 2 else "]}")
    return "".join(opening) + "{fact: purpose.goals_written, equals: true}" + "".join(reversed(closing))


def deep_pack(levels: int) -> Path:
    """The tiny pack with an eleventh rule whose condition nests `levels` deep."""
    from conftest import TINY_PACK_TEXT, write_text
    rule = (f"  - id: deep\n    because: deep\n    when: {nested(levels)}\n"
            "    then: {advice: [{id: deep, action: Deep}]}\n")
    return write_text(Path.cwd() / "tiny" / "pack.yaml", TINY_PACK_TEXT + rule).parent


@pytest.mark.parametrize("levels", [MAX_CONDITION_DEPTH + 1, 40])
def test_conditions_nested_too_deep_are_refused(levels):
    pack = deep_pack(levels)
    with pytest.raises(DataError) as info:
        maturity.load_pack(pack)
    (problem,) = info.value.problems()
    doc = yamlio.load(pack / "pack.yaml")
    # at the condition 32 levels down from 'when', the first that nests one more
    assert (problem.line, problem.column) == doc.where(("rules", 10, "when") + _path(levels))
    assert problem.message == (f"conditions nest more than {MAX_CONDITION_DEPTH} levels deep "
                               "(all, any and not inside one another)")
    assert problem.hint.startswith("split the rule in simpler rules")


def _path(levels: int) -> tuple:
    """The path, below 'when', of the condition at depth MAX_CONDITION_DEPTH."""
    path: tuple = ()
    for n in range(levels - 1, levels - 1 - MAX_CONDITION_DEPTH, -1):
        path += ("not",) if n % 2 else ("all", 0)
    return path


@pytest.mark.parametrize("command", [["rules", "check", "tiny"],
                                     ["assess", "org.yaml", "--rules", "tiny"]])
@pytest.mark.parametrize("levels, message", [
    (40, f"conditions nest more than {MAX_CONDITION_DEPTH} levels deep"),
    # 190 levels (it was RecursionError) need more YAML levels than any file may have
    (190, f"lists and mappings nest more than {yamlio.MAX_DEPTH} levels deep"),
    (2000, f"lists and mappings nest more than {yamlio.MAX_DEPTH} levels deep")])
def test_deep_condition_is_a_clear_error_in_commands(command, levels, message):
    deep_pack(levels)
    write_org(Path("org.yaml"), ORG_ACME)
    result = dots(*command)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "RecursionError" not in output and "internal error" not in output
    first = output.splitlines()[0]
    assert first.startswith("error: tiny/pack.yaml:") and message in first


def test_conditions_at_the_depth_limit_load_check_and_run():
    pack = deep_pack(MAX_CONDITION_DEPTH)
    from maturity.explain import condition_text

    model = maturity.load_pack(pack)
    assert [p for p in maturity.check_pack(pack) if p.severity == "error"] == []
    # 32 levels: 16 nots cancel out, so the rule fires when the goals are written.
    written = maturity.Organisation("Acme", {"purpose.goals_written": True})
    assert "deep" in maturity.assess(model, written).fired
    assert "deep" not in maturity.assess(model, maturity.Organisation("B", {})).fired
    assert "purpose.goals_written" in condition_text(model.rules[-1].when, written.facts)


# Files that never end --------------------------------------------------------------------

def test_a_device_that_never_ends_is_refused(workdir):
    # /dev/zero as the facts file was read until memory ran out.
    with pytest.raises(DataError) as info:
        yamlio.load("/dev/zero")
    assert info.value.format() == ("error: /dev/zero: larger than 64 MB\n"
                                   "  hint: a pack or facts file is far smaller; check the path")


def test_the_quick_depth_check_agrees_with_the_located_one():
    # condition_depth_problems first asks pack._nests_too_deep, which notes no places.
    import random
    from maturity.pack import _nests_too_deep, condition_depth_problems

    rng = random.Random(5)

    def condition(depth: int):
        if depth <= 0 or rng.random() < 0.03:
            return rng.choice([{"fact": "a.b", "equals": True}, "x", None, [], {}, {"all": []}])
        kind = rng.choice(["all", "any", "not", "both", "list"])
        if kind == "not":
            return {"not": condition(depth - 1)}
        if kind == "list":
            return [condition(depth - 1)]
        inner = [condition(depth - 1) for _ in range(rng.randint(1, 2))]
        return {"all": inner, "any": inner[:1]} if kind == "both" else {kind: inner}

    found = {True: 0, False: 0}
    for _ in range(400):
        when = condition(rng.randint(MAX_CONDITION_DEPTH - 2, MAX_CONDITION_DEPTH + 3))
        doc = yamlio.Document("p.yaml", {"rules": [{"id": "r", "when": when}]})
        deep = bool(condition_depth_problems(doc))
        assert _nests_too_deep(when) == deep
        found[deep] += 1
    assert min(found.values()) > 20
