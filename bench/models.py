"""Generated maturity models of any size, for the benchmarks and the tests of large packs.

`model(n)` is a pack of `n` elements in the shape of a converted third-party model: three
facts and six rules per element (status rules on facts, a finding, advice, a finding on a
disconnected element), about four edges for every five elements, the elements split into
five levels (groups) with a stage per level. Standard library only; deterministic.
"""

from __future__ import annotations

from typing import Any

LEVELS = 5


def model(n: int, *, groups: bool = True) -> dict[str, Any]:
    """The pack data (as it would be read from YAML) of a generated model of `n` elements.
    Without `groups`, elements carry no group and stages test `done` of up to 40 elements."""
    width = len(str(n - 1))
    ids = [f"e{i:0{width}d}" for i in range(n)]
    level = [1 + i * LEVELS // n for i in range(n)]
    elements = [{"id": e, "label": f"Activity {i + 1}"} for i, e in enumerate(ids)]
    if groups:
        for i, element in enumerate(elements):
            element["group"] = f"level{level[i]}"
    edges = [{"from": ids[(i - 1) // 2], "to": ids[i]} for i in range(1, n) if i % 5]
    facts, rules = [], []
    for e in ids:
        facts += [{"id": f"{e}.yes", "element": e, "type": "boolean", "question": f"Is {e} in place?"},
                  {"id": f"{e}.n", "element": e, "type": "integer", "min": 0, "max": 10,
                   "question": f"How far is {e}, from 0 to 10?"},
                  {"id": f"{e}.how", "element": e, "type": "choice", "values": ["none", "some", "all"],
                   "question": f"How much of {e} is written down?"}]
        far, how = f"{e}.n", f"{e}.how"

        def yes(e: str = e) -> dict:  # a new mapping each time: YAML would write shared ones as aliases
            return {"fact": f"{e}.yes", "equals": True}
        rules += [
            {"id": f"{e}.started", "when": yes(), "then": {"status": {e: "started"}}},
            {"id": f"{e}.done", "when": {"all": [yes(), {"fact": far, "gte": 5}]},
             "then": {"status": {e: "done"}}},
            {"id": f"{e}.optimised", "when": {"all": [yes(), {"fact": far, "gte": 8},
                                                      {"fact": how, "one_of": ["some", "all"]}]},
             "then": {"status": {e: "optimised"}}},
            {"id": f"{e}.missing", "when": {"not": yes()},
             "then": {"findings": [{"id": f"{e}_missing", "severity": "info", "message": f"{e} is missing"}]}},
            {"id": f"{e}.advice", "when": {"all": [yes(), {"fact": far, "lt": 5}]},
             "then": {"advice": [{"id": f"{e}_more", "element": e, "action": f"Take {e} further"}]}},
            {"id": f"{e}.disconnected", "when": {"disconnected": e, "equals": True},
             "then": {"findings": [{"id": f"{e}_disconnected", "severity": "medium", "element": e,
                                    "message": f"{e} has started before its foundations"}]}},
        ]
    stages = [{"id": "level0", "label": "Level 0"}] + \
        [{"id": f"level{k}", "label": f"Level {k}"} for k in range(1, LEVELS + 1)]
    for k in range(1, LEVELS + 1):
        members = [e for e, lv in zip(ids, level) if lv <= k]
        if groups:
            when = {"all": [{"all_done": f"level{j}", "equals": True} for j in range(1, k + 1)]}
        else:
            when = {"all": [{"done": e, "equals": True} for e in members[-40:]]}
        rules.append({"id": f"stage.level{k}", "when": when, "then": {"stage": f"level{k}"}})
    data: dict[str, Any] = {
        "pack": {"id": f"generated_{n}", "label": f"Generated model of {n} elements", "version": "1"},
        "statuses": [{"id": "missing", "label": "Missing"}, {"id": "started", "label": "Started"},
                     {"id": "done", "label": "Done", "done": True},
                     {"id": "optimised", "label": "Optimised", "done": True}],
        "elements": elements, "edges": edges, "stages": stages, "facts": facts, "rules": rules,
    }
    if groups:
        data["groups"] = [{"id": f"level{k}", "label": f"Level {k}"} for k in range(1, LEVELS + 1)]
    return data


def organisation(n: int, seed: int) -> dict[str, Any]:
    """Random answers for the generated model of `n` elements (about a tenth unanswered)."""
    import random
    rng = random.Random(seed)
    width = len(str(n - 1))
    facts: dict[str, Any] = {}
    for i in range(n):
        e = f"e{i:0{width}d}"
        if rng.random() < 0.9:
            facts[f"{e}.yes"] = rng.random() < 0.7
        if rng.random() < 0.9:
            facts[f"{e}.n"] = rng.randint(0, 10)
        if rng.random() < 0.9:
            facts[f"{e}.how"] = rng.choice(["none", "some", "all"])
    return facts


def dump(data: dict[str, Any]) -> str:
    """`data` as YAML in the style packs are written by hand: one item a line, inner mappings
    and lists in flow style."""
    import yaml
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=1000, allow_unicode=True)


def generated_facts(model, rng) -> dict:
    """One valid, random set of answers to the model's facts (some left unanswered), from
    `rng` (a random.Random): the benchmarks' new organisations and the memo tests' ones."""
    facts = {}
    for fact in model.facts:
        if rng.random() < 0.15:
            continue
        if fact.type == "boolean":
            value = rng.random() < 0.5
        elif fact.type in ("integer", "number"):
            lo = fact.min if fact.min is not None else 0
            hi = fact.max if fact.max is not None else lo + 20
            value = rng.randint(int(lo), int(hi)) if fact.type == "integer" else round(rng.uniform(lo, hi), 2)
        elif fact.type == "choice":
            value = rng.choice(fact.values)
        else:
            value = rng.sample(fact.values, rng.randint(0, len(fact.values)))
        facts[fact.id] = value
    return facts
