"""Loading a rule pack: YAML files, schema validation, layering over a base pack, and the
checks that make a pack safe to compile. The result is a `Model`.

A pack is a folder of YAML files (or a single file). One file has the `pack:` section; a pack
whose `pack.extends` names another pack changes that one: new ids are added, `override: true`
items replace fields of the item with the same id, and `remove:` takes items out.
"""

from __future__ import annotations

import gc
import itertools
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Iterator

import networkx as nx

from . import numbers, schema, yamlio
from .errors import DataError, Problem, did_you_mean
from .model import (FACT_TYPES, GROUP_SUBJECTS, All, Any_, Advice, Condition, Edge, Element, Fact, Finding, Group,
                    Loc, Model, Not, Rule, Stage, Status, SUBJECTS, Test, TestCase, Threshold, FACTS,
                    STAGE, name_key, scaled)

SECTIONS = ("statuses", "elements", "stages", "facts", "rules", "tests", "groups", "thresholds")
BUILT = tuple(s for s in SECTIONS if s != "tests")  # test cases are read when asked for (TestCases)
DEFAULT_PACK = "default"
_MAX_EXTENDS_DEPTH = 8
MAX_CONDITION_DEPTH = 32  # all/any/not inside one another in a rule's 'when' (docs/engine.md)


@dataclass
class Item:
    """One raw list item from a pack file, with where it came from."""

    doc: yamlio.Document
    path: tuple
    data: dict

    def problem(self, message: str, hint: str = "", key: str | None = None,
                severity: str = "error") -> Problem:
        path = self.path + ((key,) if key else ())
        return self.doc.problem(path, message, hint, key=bool(key), severity=severity)

    def loc(self, key: str | None = None) -> Loc:
        line, column = self.doc.where(self.path + ((key,) if key else ()))
        return Loc(self.doc.file, line, column)


@dataclass
class Layer:
    """A pack's sections after layering, still as raw items."""

    manifest: Item | None = None
    sections: dict[str, list[Item]] = field(default_factory=lambda: {s: [] for s in BUILT})
    edges: list[Item] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    tests: list[tuple[list, bool]] = field(default_factory=list)  # TestCases' layers, base first


def builtin_packs() -> list[str]:
    """Names of the packs shipped inside the package."""
    root = resources.files("maturity.rules")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "pack.yaml").is_file())


def resolve(spec: str | Path | None) -> Path:
    """The folder or file of a pack given by name (built-in) or path."""
    if spec is None or str(spec) == "":
        spec = DEFAULT_PACK
    path = Path(spec)
    if path.exists():
        return path
    broken = yamlio.link_problem(path)
    if broken:
        raise DataError([Problem(yamlio.display_path(path), 0, 0, f"the rule pack is {broken}",
                                 "check the path")])
    if str(spec) in builtin_packs():
        return Path(str(resources.files("maturity.rules") / str(spec)))
    hint = did_you_mean(str(spec), builtin_packs()) or \
        f"give a pack folder or file, or a built-in pack: {', '.join(builtin_packs())}"
    raise DataError([Problem(yamlio.display_path(path), 0, 0, "no such rule pack", hint)])


def load_pack(spec: str | Path | None = None) -> Model:
    """Load, layer and validate a pack. Raises DataError listing every problem found."""
    path = resolve(spec)
    from . import packcache  # a pack loaded before from the same files is taken from the cache

    def build(sources: list[Path]) -> Model:
        layer = _load_layer(path, [], sources)
        # The engine's limits are checked where the rules are compiled (compiler.check_limits),
        # so commands that never run the engine take any pack that loads.
        return _build_model(layer, path)
    with collection_paused():
        return packcache.load(path, build, pack_files)


@contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection inside (as `timeit` does), then as before. Reading a pack makes a
    few objects per YAML value (nodes, positions, values, the model), and none is in a cycle
    the collector would free; with it on, its collections walk them again and again as they
    pile up: two fifths of the time of reading a 500-element pack (docs/performance.md). Safe
    with threads: whoever found collection on turns it back on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


# Reading files ---------------------------------------------------------------------------

def pack_files(path: Path) -> list[Path]:
    """The YAML files that make up the pack at `path`, in a fixed order."""
    if path.is_file():
        return [path]
    try:
        entries = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError as exc:
        raise DataError([Problem(yamlio.display_path(path), 0, 0,
                                 f"cannot read the folder: {exc.strerror}")]) from None
    # A link that leads nowhere would quietly leave its rules out: say so.
    broken = [Problem(yamlio.display_path(p), 0, 0, f"is {yamlio.link_problem(p)}",
                      "fix or remove the link; the pack's files are every .yaml file here")
              for p in entries if yamlio.link_problem(p)]
    if broken:
        raise DataError(broken)
    files = [p for p in entries if p.is_file()]
    if not files:
        raise DataError([Problem(yamlio.display_path(path), 0, 0, "no .yaml files in this folder",
                                 "a rule pack is a folder of YAML files, or one YAML file")])
    return files


def _read_docs(path: Path) -> list[yamlio.Document | _Unread]:
    """The pack's files in order, read and checked, but for those holding only test cases,
    left unread (unless the pack has problems: then they are read too, so that every problem
    is told in one run)."""
    docs: list[yamlio.Document | _Unread] = []
    problems: list[Problem] = []
    for file in pack_files(path):
        shown = yamlio.display_path(file)
        try:
            text = yamlio.read_text(file, shown)
        except DataError as exc:
            problems += exc.problems()
            continue
        if only_tests(text):
            docs.append(_Unread(shown, text))
            continue
        doc = _read_doc(_Unread(shown, text), problems)
        if doc is not None:
            docs.append(doc)
    if problems:
        for unread in docs:
            if isinstance(unread, _Unread):
                _read_doc(unread, problems)
        raise DataError(problems)
    return docs


def _read_doc(unread: _Unread, problems: list[Problem]) -> yamlio.Document | None:
    """One file's document, or None with its problems added to `problems`."""
    try:
        doc = yamlio.load(unread.file, unread.text, unread.file)
    except DataError as exc:
        problems += exc.problems()
        return None
    # Checked before the schema, whose validation recurses once per level.
    found = condition_depth_problems(doc) or schema.validate(doc, "pack")
    problems += found
    return None if found else doc


class _Unread:
    """A pack file not read yet: its name in messages and its text."""

    __slots__ = ("file", "text")

    def __init__(self, file: str, text: str) -> None:
        self.file, self.text = file, text


def only_tests(text: str) -> bool:
    """Whether a pack file's one top-level section is `tests:`, as its lines show: every line
    that starts at the left margin is a comment, that `tests:` line or an item of its list.
    Anything else (another section, a flow mapping, '---'...) says no, and the file is read."""
    seen = False
    for line in text.splitlines():
        if not line or line[0] in " \t#":
            continue
        if seen and (line == "-" or line.startswith("- ")):
            continue
        if seen or not _TESTS_LINE.match(line):
            return False
        seen = True
    return seen


_TESTS_LINE = re.compile(r"tests:(\s|$)")


def condition_depth_problems(doc: yamlio.Document) -> list[Problem]:
    """A problem for each rule whose 'when' nests all/any/not more than MAX_CONDITION_DEPTH
    levels deep, at the first condition too deep. Reads the raw data, before the schema."""
    rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
    if not isinstance(rules, list) or not any(
            isinstance(rule, dict) and "when" in rule and _nests_too_deep(rule["when"])
            for rule in rules):
        return []  # the usual case, found without noting where each condition is
    problems = []
    for n, rule in enumerate(rules):
        if not isinstance(rule, dict) or "when" not in rule:
            continue
        stack = [(rule["when"], ("rules", n, "when"), 0)]
        while stack:
            raw, path, depth = stack.pop()
            if not isinstance(raw, dict):
                continue
            inner = [(c, path + (key, i)) for key in ("all", "any") if isinstance(raw.get(key), list)
                     for i, c in enumerate(raw[key])]
            inner += [(raw["not"], path + ("not",))] if "not" in raw else []
            if inner and depth == MAX_CONDITION_DEPTH:
                problems.append(doc.problem(path, f"conditions nest more than {MAX_CONDITION_DEPTH} "
                                                  "levels deep (all, any and not inside one another)",
                                            "split the rule in simpler rules, or write the "
                                            "condition flatter ('not' of 'all' is 'any' of 'not's)"))
                break
            stack += [(c, p, depth + 1) for c, p in reversed(inner)]
    return problems


def _nests_too_deep(when: Any) -> bool:
    """Whether condition_depth_problems finds a problem in the condition `when`."""
    stack = [(when, 0)]
    while stack:
        raw, depth = stack.pop()
        if not isinstance(raw, dict):
            continue
        for key in ("all", "any"):
            inner = raw.get(key)
            if isinstance(inner, list) and inner:
                if depth == MAX_CONDITION_DEPTH:
                    return True
                stack += [(c, depth + 1) for c in inner]
        if "not" in raw:
            if depth == MAX_CONDITION_DEPTH:
                return True
            stack.append((raw["not"], depth + 1))
    return False


def _load_layer(path: Path, chain: list[Path], sources: list[Path] | None = None) -> Layer:
    if sources is not None:
        sources.append(path)  # the pack cache checks every file read is unchanged
    read = _read_docs(path)
    docs = [d for d in read if isinstance(d, yamlio.Document)]
    problems: list[Problem] = []
    manifests = [Item(d, ("pack",), d.data["pack"]) for d in docs if "pack" in d.data]
    if not manifests:
        # named where it belongs: the pack.yaml there is, else the folder (not a file it lacks)
        where = yamlio.display_path(path / "pack.yaml" if path.is_dir() and (path / "pack.yaml").exists()
                                    else path)
        raise DataError([Problem(where, 0, 0, "the pack has no 'pack:' section",
                                 "add 'pack: {id: my_pack, label: My pack}' to one file"
                                 + (" (pack.yaml, by convention)" if path.is_dir() else ""))])
    for extra in manifests[1:]:
        problems.append(extra.problem("a second 'pack:' section",
                                      f"the pack is already named in {manifests[0].doc.file}"))
    manifest = manifests[0]
    base = Layer()
    extends = manifest.data.get("extends")
    if extends:
        base_path = _resolve_base(extends, path, manifest)
        resolved = [p.resolve() for p in chain + [path]]
        if base_path.resolve() in resolved:
            raise DataError([manifest.problem(f"pack extends itself through '{extends}'",
                                              "remove the loop in 'extends'", key="extends")])
        if len(chain) >= _MAX_EXTENDS_DEPTH:
            raise DataError([manifest.problem("packs extend each other too deeply", key="extends")])
        base = _load_layer(base_path, chain + [path], sources)
    layer = Layer(manifest=manifest, files=base.files + [d.file for d in read])
    # Test cases are layered when asked for (TestCases), from the files that have some or
    # remove some, in order (the unread ones are read then).
    layer.tests = base.tests + [([d for d in read if isinstance(d, _Unread) or "tests" in d.data
                                  or "tests" in (d.data.get("remove") or {})], bool(extends))]
    for section in BUILT:
        items = [Item(d, (section, i), raw) for d in docs for i, raw in enumerate(d.data.get(section) or [])]
        layer.sections[section] = _merge_section(section, base.sections[section], items, problems,
                                                 bool(extends))
    edges = [Item(d, ("edges", i), raw) for d in docs for i, raw in enumerate(d.data.get("edges") or [])]
    layer.edges = _merge_edges(base.edges, edges, problems)
    for doc in docs:
        _apply_removes(doc, layer, problems)
    if problems:
        try:  # every problem in one run, those of the test cases too
            list(TestCases(layer.tests))
        except DataError as exc:
            problems += exc.problems()
        raise DataError(problems)
    return layer


def _resolve_base(extends: str, path: Path, manifest: Item) -> Path:
    here = path if path.is_dir() else path.parent
    candidate = here / extends
    if candidate.exists():
        return candidate
    if extends in builtin_packs():
        return Path(str(resources.files("maturity.rules") / extends))
    raise DataError([manifest.problem(f"extends unknown pack '{extends}'",
                                      did_you_mean(extends, builtin_packs())
                                      or "give a built-in pack name or a folder relative to this file",
                                      key="extends")])


# Layering --------------------------------------------------------------------------------

def _merge_section(section: str, base: list[Item], items: list[Item], problems: list[Problem],
                   extending: bool) -> list[Item]:
    merged = list(base)
    base_ids = {i.data["id"] for i in base}
    present = set(base_ids)  # ids in `merged`: looked up before its index is searched for
    seen: dict[str, Item] = {}
    for item in items:
        ident = item.data["id"]
        if ident in seen:
            first = seen[ident]
            problems.append(item.problem(f"duplicate {_singular(section)} id '{ident}'",
                                         f"first defined at {first.doc.file}:{first.loc().line}",
                                         key="id"))
            continue
        seen[ident] = item
        index = next((n for n, b in enumerate(merged) if b.data["id"] == ident), None) \
            if ident in present else None
        if item.data.get("override"):
            if index is None:
                problems.append(item.problem(
                    f"override of unknown {_singular(section)} '{ident}'",
                    did_you_mean(ident, base_ids) or
                    ("there is nothing to override: this pack extends no pack" if not extending
                     else "remove 'override: true' to add a new one"), key="id"))
                continue
            data = {k: v for k, v in merged[index].data.items()}
            data.update({k: v for k, v in item.data.items() if k != "override"})
            merged[index] = Item(item.doc, item.path, data)
            continue
        if index is not None:
            where = merged[index]
            problems.append(item.problem(
                f"duplicate {_singular(section)} id '{ident}'",
                f"already defined at {where.doc.file}:{where.loc().line}"
                + ("; add 'override: true' to change it" if extending and ident in base_ids else ""),
                key="id"))
            continue
        present.add(ident)
        after = item.data.get("after")
        if after is not None:
            spot = next((n for n, b in enumerate(merged) if b.data["id"] == after), None)
            if spot is None:
                problems.append(item.problem(f"'after' names unknown {_singular(section)} '{after}'",
                                             did_you_mean(after, [b.data["id"] for b in merged]),
                                             key="after"))
                merged.append(item)
            else:
                merged.insert(spot + 1, item)
        else:
            merged.append(item)
    return merged


def _merge_edges(base: list[Item], items: list[Item], problems: list[Problem]) -> list[Item]:
    merged = list(base)
    keys = {(e.data["from"], e.data["to"]): e for e in base}
    for item in items:
        key = (item.data["from"], item.data["to"])
        if key in keys:
            first = keys[key]
            problems.append(item.problem(f"duplicate edge {key[0]} -> {key[1]}",
                                         f"already defined at {first.doc.file}:{first.loc().line}"))
            continue
        keys[key] = item
        merged.append(item)
    return merged


def _apply_removes(doc: yamlio.Document, layer: Layer, problems: list[Problem],
                   tests: bool = False) -> None:
    """Take out what `doc` removes: its test cases (`tests`), else everything else."""
    remove = doc.data.get("remove") or {}
    for section, ids in remove.items():
        if (section == "tests") != tests:
            continue
        for n, ident in enumerate(ids):
            path = ("remove", section, n)
            if section == "edges":
                key = (ident["from"], ident["to"])
                keep = [e for e in layer.edges if (e.data["from"], e.data["to"]) != key]
                if len(keep) == len(layer.edges):
                    problems.append(doc.problem(path, f"cannot remove edge {key[0]} -> {key[1]}: "
                                                      "no such edge"))
                layer.edges = keep
                continue
            items = layer.sections[section]
            keep = [i for i in items if i.data["id"] != ident]
            if len(keep) == len(items):
                problems.append(doc.problem(path, f"cannot remove {_singular(section)} '{ident}': "
                                                  "no such id",
                                            did_you_mean(ident, [i.data["id"] for i in items])))
            layer.sections[section] = keep
            if section == "elements":
                layer.edges = [e for e in layer.edges if ident not in (e.data["from"], e.data["to"])]


def _singular(section: str) -> str:
    return {"statuses": "status", "elements": "element", "stages": "stage", "facts": "fact",
            "rules": "rule", "tests": "test case", "groups": "group",
            "thresholds": "threshold"}.get(section, section)


# Test cases, read when asked for --------------------------------------------------------

class TestCases(Sequence):
    """A pack's test cases (Model.tests), read, layered and checked on first use: only `dots
    rules test` and `dots rules check` use them, and a file holding only test cases is not even
    read before (docs/performance.md). Raises DataError, when used, for every problem in them."""

    __test__ = False  # not a pytest test class

    def __init__(self, layers: list[tuple[list, bool]]) -> None:
        self._layers = layers  # per pack, base first: (files, extends another pack)
        self._cases: list[TestCase] | None = None

    def _read(self) -> list[TestCase]:
        if self._cases is None:
            problems: list[Problem] = []
            layer = Layer()
            layer.sections = {"tests": []}
            for files, extending in self._layers:
                docs = [_read_doc(f, problems) if isinstance(f, _Unread) else f for f in files]
                docs = [d for d in docs if d is not None]
                items = [Item(d, ("tests", i), raw) for d in docs for i, raw in enumerate(d.data.get("tests") or [])]
                layer.sections["tests"] = _merge_section("tests", layer.sections["tests"], items,
                                                         problems, extending)
                for doc in docs:
                    _apply_removes(doc, layer, problems, tests=True)
            if problems:
                raise DataError(problems)
            self._cases = [TestCase(i.data["id"], i.data.get("description", ""), i.data.get("facts") or {},
                                    i.data.get("expect") or {}, i.loc(), i.doc, i.path)
                           for i in layer.sections["tests"]]
            self._layers = []  # read: what they were read from is no longer needed
        return self._cases

    def __getitem__(self, index):
        return self._read()[index]

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self):
        return iter(self._read())

    def __eq__(self, other) -> bool:
        return isinstance(other, (list, TestCases)) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(self._cases) if self._cases is not None else "TestCases(not read yet)"


# Building and checking the model ---------------------------------------------------------

def _build_model(layer: Layer, path: Path) -> Model:
    problems: list[Problem] = []
    s = layer.sections
    statuses = [Status(i.data["id"], i.data.get("label", i.data["id"]), i.data.get("description", ""),
                       bool(i.data.get("done", False)), i.data.get("color", ""), n, i.loc())
                for n, i in enumerate(s["statuses"])]
    elements = [Element(i.data["id"], i.data.get("label", i.data["id"]), i.data.get("description", ""),
                        n, i.loc(), i.data.get("group")) for n, i in enumerate(s["elements"])]
    groups = _build_groups(s["groups"], s["elements"], problems)
    stages = [Stage(i.data["id"], i.data.get("label", i.data["id"]), i.data.get("description", ""), n,
                    i.loc()) for n, i in enumerate(s["stages"])]
    manifest = layer.manifest
    _check_lists(manifest, statuses, elements, stages, problems)
    element_ids = {e.id for e in elements}
    edges = []
    for item in layer.edges:
        ok = True
        for key in ("from", "to"):
            ref = item.data[key]
            if ref not in element_ids:
                known = sorted(element_ids)
                problems.append(item.problem(f"edge names unknown element '{ref}'",
                                             did_you_mean(ref, element_ids) or
                                             (f"the elements are: {', '.join(known)}" if len(known) <= 12
                                              else "the elements are listed under 'elements:'"), key=key))
                ok = False
        if ok and item.data["from"] == item.data["to"]:
            problems.append(item.problem(f"element '{item.data['from']}' cannot depend on itself"))
            ok = False
        if ok:
            edges.append(Edge(item.data["from"], item.data["to"], item.data.get("because", ""), item.loc()))
    problems += _cycle_problems(edges)
    facts = [_build_fact(i, element_ids, problems) for i in s["facts"]]
    facts = [f for f in facts if f is not None]
    fact_by_id = {f.id: f for f in facts}
    thresholds = [t for t in (_build_threshold(i, fact_by_id, problems) for i in s["thresholds"]) if t]
    context = _Context(fact_by_id, element_ids, {st.id: st for st in statuses},
                       {st.id: st for st in stages}, {g.id: g for g in groups},
                       {t.id: t for t in thresholds}, {i.data["id"] for i in s["thresholds"]})
    rules, conclusion_ids = [], {}
    for item in s["rules"]:
        rule = _build_rule(item, context, conclusion_ids, problems)
        if rule is not None and item.data.get("enabled", True):
            rules.append(rule)
    tests = TestCases(layer.tests) if any(files for files, _ in layer.tests) else []
    if problems:
        raise DataError(problems)
    data = manifest.data
    return Model(id=data["id"], label=data["label"], description=data.get("description", ""),
                 version=str(data.get("version", "")), statuses=statuses, elements=elements,
                 edges=edges, stages=stages, facts=facts, rules=rules, tests=tests,
                 source=yamlio.display_path(path), files=layer.files, groups=groups,
                 thresholds=thresholds)


def _build_groups(items: list[Item], elements: list[Item], problems: list[Problem]) -> list[Group]:
    """The pack's groups, each element's group checked: groups nest one level deep, and each
    holds at least one element (a test of an empty group would say nothing)."""
    groups = [Group(i.data["id"], i.data.get("label", i.data["id"]), i.data.get("description", ""),
                    n, i.data.get("within"), i.loc()) for n, i in enumerate(items)]
    by_id = {g.id: g for g in groups}
    used: set[str] = set()
    for item in elements:
        group = item.data.get("group")
        if group is None:
            continue
        if group not in by_id:
            problems.append(item.problem(f"unknown group '{group}'", did_you_mean(group, by_id) or
                                         "add it to 'groups:'", key="group"))
            continue
        used.add(group)
        used.add(by_id[group].within or group)
    for item, group in zip(items, groups):
        if group.within is None:
            pass
        elif group.within not in by_id:
            problems.append(item.problem(f"unknown group '{group.within}'",
                                         did_you_mean(group.within, by_id), key="within"))
            continue
        elif by_id[group.within].within is not None or group.within == group.id:
            problems.append(item.problem(f"group '{group.within}' is itself within a group",
                                         "groups nest one level deep: a dimension and its "
                                         "sub-dimensions", key="within"))
            continue
        if group.id not in used:
            problems.append(item.problem(f"group '{group.id}' has no elements",
                                         f"give elements 'group: {group.id}', or remove the group"))
    return groups


def _check_lists(manifest: Item, statuses, elements, stages, problems) -> None:
    if len(statuses) < 2:
        problems.append(manifest.problem("a pack needs at least two statuses (such as missing and done)",
                                         "add a 'statuses:' list, lowest first"))
    elif not any(s.done for s in statuses):
        problems.append(manifest.problem("no status is marked 'done: true'",
                                         "mark the levels at which an element counts as connected"))
    else:
        first_done = next(n for n, s in enumerate(statuses) if s.done)
        if statuses[0].done:
            problems.append(Problem(statuses[0].loc.file, statuses[0].loc.line, statuses[0].loc.column,
                                    f"the lowest status '{statuses[0].id}' cannot be done",
                                    "it is what an element has when no rule sets one"))
        for s in statuses[first_done:]:
            if not s.done:
                problems.append(Problem(s.loc.file, s.loc.line, s.loc.column,
                                        f"status '{s.id}' is above a done status but not done",
                                        "done statuses must be the highest ones; add 'done: true'"))
    if not elements:
        problems.append(manifest.problem("a pack needs at least one element", "add an 'elements:' list"))
    if not stages:
        problems.append(manifest.problem("a pack needs at least one stage", "add a 'stages:' list"))


def _cycle_problems(edges: list[Edge]) -> list[Problem]:
    """One problem per group of elements caught in cycles (a strongly connected component),
    naming its shortest cycle and placed at the cycle's edge written last (in a pack that
    extends another, the one the pack added)."""
    graph = nx.DiGraph()
    order = {}
    for n, e in enumerate(edges):
        graph.add_edge(e.source, e.target)
        order[(e.source, e.target)] = (n, e)
    problems = []
    groups = [g for g in nx.strongly_connected_components(graph) if len(g) > 1]
    for group in sorted(groups, key=min):
        cycles = itertools.islice(nx.simple_cycles(graph.subgraph(group)), 1000)
        # the shortest, then the first by its elements read from the least: the order in which
        # networkx finds cycles, and where each starts, follow set order (the hash seed)
        cycle = min(cycles, key=lambda c: (len(c), _from_least(c)))
        pairs = [(cycle[n], cycle[(n + 1) % len(cycle)]) for n in range(len(cycle))]
        last = max(range(len(pairs)), key=lambda n: order[pairs[n]][0])
        ring = cycle[last:] + cycle[:last]
        loc = order[pairs[last]][1].loc
        more = len(group) > len(cycle) or sum(1 for _ in itertools.islice(
            nx.simple_cycles(graph.subgraph(group)), 2)) > 1
        problems.append(Problem(loc.file, loc.line, loc.column,
                                f"dependency cycle: {' -> '.join(ring + [ring[0]])}"
                                + (" (and other cycles through these elements)" if more else ""),
                                "the elements must form an order; remove or turn round one edge"))
    return problems


def _from_least(cycle: list[str]) -> list[str]:
    """A cycle's elements read from its least one: the same list wherever it was entered."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _build_fact(item: Item, element_ids: set[str], problems: list[Problem]) -> Fact | None:
    d = item.data
    ok = True
    element = d.get("element")
    if element is not None and element not in element_ids:
        problems.append(item.problem(f"fact names unknown element '{element}'",
                                     did_you_mean(element, element_ids), key="element"))
        ok = False
    kind = d.get("type")
    if kind is None:
        problems.append(item.problem(f"fact '{d['id']}' has no type",
                                     f"add 'type:' ({', '.join(FACT_TYPES)})"))
        return None
    values = tuple(d.get("values") or ())
    if kind in ("choice", "choices") and not values:
        problems.append(item.problem(f"a '{kind}' fact needs 'values'", "list the allowed answers"))
        ok = False
    if kind not in ("choice", "choices") and values:
        problems.append(item.problem(f"'values' is only for choice and choices facts, not '{kind}'",
                                     key="values"))
        ok = False
    if len(set(values)) != len(values):
        problems.append(item.problem("'values' lists a value twice", key="values"))
        ok = False
    if kind not in ("integer", "number") and ("min" in d or "max" in d):
        problems.append(item.problem(f"'min' and 'max' are only for number facts, not '{kind}'",
                                     key="min" if "min" in d else "max"))
        ok = False
    for key in ("min", "max"):
        if not numbers.exact(d.get(key)):
            problems.append(item.problem(*numbers.not_exact(d[key]), key=key))
            ok = False
    if d.get("min") is not None and d.get("max") is not None and d["min"] > d["max"]:
        problems.append(item.problem("'min' is greater than 'max'", key="min"))
        ok = False
    for key in ("dont_know", "not_applicable"):
        if d.get(key) is not None:
            wrong = _stand_in_problem(kind, values, d.get("min"), d.get("max"), d[key])
            if wrong:
                problems.append(item.problem(f"'{key}' of '{d['id']}': {wrong}",
                                             "give the answer the rules should see", key=key))
                ok = False
    # Bad labels are reported, and the fact kept without them: rules that test it are checked.
    labels = _labels(item, kind, values, problems)
    if not ok:
        return None
    return Fact(d["id"], element, kind, d.get("question", ""), d.get("help", ""), values,
                d.get("min"), d.get("max"), item.loc(), d.get("dont_know"), d.get("not_applicable"),
                labels)


def _labels(item: Item, kind: str, values: tuple, problems: list[Problem]) -> tuple:
    """A fact's display labels as (value, label) in the order of its values, checked: only on
    a choice or choices fact, each for one of its values, not blank, and no two values named
    alike (an answer typed as a label must name one value); none when there is a problem.
    Labels a fact keeps from the pack it extends, for values its override took out, go with
    those values."""
    d = item.data
    labels = d.get("labels") or {}
    if not labels:
        return ()
    own = "labels" in _written(item)  # written here, not kept from the base pack's item
    if kind not in ("choice", "choices"):
        if not own:
            return ()  # its 'values' are reported (they are kept from the base pack too)
        problems.append(item.problem(f"'labels' is only for choice and choices facts, not '{kind}'",
                                     "labels are the words shown for the values of a choice; "
                                     "remove them", key="labels"))
        return ()
    before = len(problems)
    for value, label in labels.items():
        at = item.path + ("labels", value)
        if value not in values:
            if own:
                problems.append(item.doc.problem(at, f"a label for '{value}', which is not a value of "
                                                     f"'{d['id']}'",
                                                 did_you_mean(str(value), values)
                                                 or f"its values are: {', '.join(values)}", key=True))
        elif not label.strip():
            problems.append(item.doc.problem(at, f"the label of '{value}' is blank",
                                             f"write the words to show for '{value}', or leave its "
                                             "label out to show the id"))
    named = {name_key(v): v for v in values}
    for value in values:  # a label naming another value (its id or label), in the values' order
        label = labels.get(value)
        if not isinstance(label, str) or not label.strip():
            continue
        other = named.setdefault(name_key(label), value)
        if other != value:
            problems.append(item.doc.problem(
                item.path + ("labels", value), f"the label '{label}' of '{value}' also names "
                f"'{other}'", "give each value a label of its own: an answer typed as a label must "
                "name one value"))
    if len(problems) > before:
        return ()
    return tuple((v, labels[v]) for v in values if v in labels)


def _written(item: Item) -> dict:
    """The fields `item` writes in its own file: without what an override keeps from the base."""
    data: Any = item.doc.data
    for key in item.path:
        data = data[key]
    return data


def _stand_in_problem(kind: str, values: tuple, low, high, value) -> str:
    """What is wrong with `value` as an answer to a fact of this kind ("" if nothing)."""
    if kind == "boolean":
        return "" if isinstance(value, bool) else "a yes/no fact takes true or false"
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "a number fact takes a number"
        if kind == "integer" and not float(value).is_integer():
            return "a whole number is needed"
        if (low is not None and value < low) or (high is not None and value > high):
            return "the number is out of the fact's range"
        return ""
    items = value if kind == "choices" and isinstance(value, list) else None if kind == "choices" else [value]
    if items is None:
        return "a choices fact takes a list of its values"
    bad = [v for v in items if v not in values]
    return f"{bad[0]!r} is not one of its values" if bad else ""


@dataclass
class _Context:
    facts: dict[str, Fact]
    elements: set[str]
    statuses: dict[str, Status]
    stages: dict[str, Stage]
    groups: dict[str, Group] = field(default_factory=dict)
    thresholds: dict[str, Threshold] = field(default_factory=dict)
    threshold_ids: set[str] = field(default_factory=set)  # every one written, broken ones too


def _build_threshold(item: Item, facts: dict[str, Fact], problems: list[Problem]) -> Threshold | None:
    """A named threshold, checked: `by` a choice fact, a number for every one of its answers
    (listed in `values` or given by `default`), each within what the engine compares exactly."""
    d = item.data
    before = len(problems)
    by = d.get("by")
    fact = facts.get(by)
    if by is None:
        problems.append(item.problem(f"threshold '{d['id']}' has no 'by'",
                                     "name the choice fact it depends on, such as a size band"))
        return None
    if fact is None:
        problems.append(item.problem(f"unknown fact '{by}'", did_you_mean(by, facts), key="by"))
        return None
    if fact.type != "choice":
        problems.append(item.problem(f"a threshold depends on a choice fact; '{by}' is {fact.type}",
                                     "give 'by' a fact of type choice, such as a size band", key="by"))
        return None
    values = d.get("values") or {}
    for band, value in values.items():
        if band not in fact.values:
            problems.append(item.doc.problem(item.path + ("values", band),
                                             f"'{band}' is not an allowed value of '{by}'",
                                             did_you_mean(str(band), fact.values)
                                             or f"allowed: {', '.join(fact.values)}", key=True))
    for path, value in [(("values", b), v) for b, v in values.items()] + [(("default",), d.get("default"))]:
        if value is None:
            continue
        wrong = _check_numbers("gte", [value], f"threshold '{d['id']}'", integer=False)
        if wrong:
            problems.append(item.doc.problem(item.path + path, wrong[0], wrong[1]))
    missing = [b for b in fact.values if b not in values]
    if missing and d.get("default") is None:
        problems.append(item.problem(f"threshold '{d['id']}' has no value for "
                                     + ", ".join(f"'{b}'" for b in missing) + f" of '{by}'",
                                     "add them to 'values', or give a 'default'"))
    if len(problems) > before:
        return None
    return Threshold(d["id"], by, d.get("default"), tuple((b, values[b]) for b in fact.values if b in values),
                     d.get("description", ""), item.loc())


def _build_rule(item: Item, ctx: _Context, conclusion_ids: dict, problems: list[Problem]) -> Rule | None:
    d = item.data
    before = len(problems)
    for key in ("when", "then"):
        if key not in d:
            problems.append(item.problem(f"rule '{d['id']}' has no '{key}'",
                                         "a rule needs 'when' (conditions) and 'then' (conclusions)"))
    if len(problems) > before:
        return None
    when = _build_condition(d["when"], item.doc, item.path + ("when",), ctx, problems)
    then = d["then"]
    status = []
    for element, level in (then.get("status") or {}).items():
        path = item.path + ("then", "status", element)
        if element not in ctx.elements:
            problems.append(item.doc.problem(path, f"unknown element '{element}'",
                                             did_you_mean(element, ctx.elements), key=True))
        if level not in ctx.statuses:
            problems.append(item.doc.problem(path, f"unknown status '{level}'",
                                             did_you_mean(level, ctx.statuses)))
        status.append((element, level))
    stage = then.get("stage")
    if stage is not None and stage not in ctx.stages:
        problems.append(item.doc.problem(item.path + ("then", "stage"), f"unknown stage '{stage}'",
                                         did_you_mean(stage, ctx.stages)))
    findings, advice = [], []
    for kind, out in (("findings", findings), ("advice", advice)):
        for n, raw in enumerate(then.get(kind) or []):
            path = item.path + ("then", kind, n)
            element = raw.get("element")
            if element is not None and element not in ctx.elements:
                problems.append(item.doc.problem(path + ("element",), f"unknown element '{element}'",
                                                 did_you_mean(element, ctx.elements)))
            key = (kind, raw["id"])
            if key in conclusion_ids:
                problems.append(item.doc.problem(path + ("id",), f"duplicate {kind[:-1] if kind == 'findings' else kind} "
                                                 f"id '{raw['id']}'",
                                                 f"also given by rule '{conclusion_ids[key]}'"))
            conclusion_ids[key] = d["id"]
            if kind == "findings":
                out.append(Finding(raw["id"], raw["severity"], element, raw["message"]))
            else:
                for n_fact, fact_id in enumerate(raw.get("about") or []):
                    if fact_id not in ctx.facts:
                        problems.append(item.doc.problem(path + ("about", n_fact),
                                                         f"unknown fact '{fact_id}'",
                                                         did_you_mean(fact_id, ctx.facts)))
                out.append(Advice(raw["id"], element, raw["action"], tuple(raw.get("about") or ()),
                                  raw.get("priority", "medium"), raw.get("effort", "medium"),
                                  raw.get("timeframe", "quarter"), raw.get("kind", "action")))
    if when is None or len(problems) > before:
        return None
    rule = Rule(d["id"], d.get("because", ""), when, tuple(status), stage, tuple(findings),
                tuple(advice), item.loc())
    if status and rule.stratum != FACTS:
        problems.append(item.problem(f"rule '{rule.id}' sets a status but tests "
                                     "status, done, disconnected or stage",
                                     "a rule that sets a status may test only facts and counts; "
                                     "split it in two rules", key="then"))
    if stage and rule.stratum == STAGE:
        problems.append(item.problem(f"rule '{rule.id}' sets the stage but tests the stage",
                                     "a stage rule may test facts, counts, status, done and "
                                     "disconnected", key="then"))
    return rule


_NUMERIC_OPS = {"lt", "lte", "gt", "gte"}


def _build_condition(raw: dict, doc, path, ctx: _Context, problems: list[Problem]) -> Condition | None:
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        items = [_build_condition(r, doc, path + (key, n), ctx, problems) for n, r in enumerate(raw[key])]
        if any(i is None for i in items):
            return None
        return All(tuple(items)) if key == "all" else Any_(tuple(items))
    if "not" in raw:
        item = _build_condition(raw["not"], doc, path + ("not",), ctx, problems)
        return None if item is None else Not(item)
    subject = next(k for k in raw if k in SUBJECTS)
    op = next(k for k in raw if k != subject)
    ref, value = raw[subject], raw[op]
    line, column = doc.where(path)
    test = Test(subject, ref, op, value, Loc(doc.file, line, column))
    if isinstance(value, dict):  # {threshold: name}: the value depends on the organisation
        return _build_scaled(test, doc, path, ctx, problems)
    error = _check_test(test, ctx)
    if error:
        message, hint, at_ref = error
        problems.append(doc.problem(path + ((subject,) if at_ref else (op,)), message, hint))
        return None
    return test


def _build_scaled(test: Test, doc, path, ctx: _Context, problems: list[Problem]) -> Condition | None:
    """A test against a named threshold, as the condition the engine runs (model.scaled)."""
    name = test.value.get("threshold")
    at = path + (test.op, "threshold")
    if test.subject not in ("fact", "count") or test.op not in _NUMERIC_OPS:
        problems.append(doc.problem(path + (test.op,), f"a threshold is compared only with lt, lte, gt "
                                    f"or gte on a number fact or a count, not with '{test.op}' on "
                                    f"{test.subject} '{test.ref}'", "write the number instead"))
        return None
    fact = ctx.facts.get(test.ref)
    if fact is not None and test.subject == "fact" and fact.type not in ("integer", "number"):
        problems.append(doc.problem(path + (test.op,), f"a threshold is compared only with a number "
                                    f"fact or a count; '{test.ref}' is {fact.type}",
                                    "use 'count:' for how many choices a choices fact holds"
                                    if fact.type == "choices" else "compare it with a value of its own"))
        return None
    threshold = ctx.thresholds.get(name)
    if threshold is None:
        if name not in ctx.threshold_ids:  # a broken threshold has its own error already
            problems.append(doc.problem(at, f"unknown threshold '{name}'",
                                        did_you_mean(str(name), ctx.thresholds)
                                        or "thresholds are listed under 'thresholds:'"))
        return None
    bands = ctx.facts[threshold.by].values
    for band, value in threshold.table(bands):
        error = _check_test(Test(test.subject, test.ref, test.op, value, test.loc), ctx)
        if error:
            message, hint, at_ref = error
            problems.append(doc.problem(path + ((test.subject,) if at_ref else (test.op,)),
                                        f"{message} (threshold '{name}' for '{band}')",
                                        hint if at_ref else f"{hint + '; or ' if hint else ''}change "
                                        f"the value for '{band}' in threshold '{name}'"))
            return None
    return scaled(Test(test.subject, test.ref, test.op, name, test.loc), threshold, bands)


def _check_test(t: Test, ctx: _Context) -> tuple[str, str, bool] | None:
    """What is wrong with one test, as (message, hint, points at the subject), or None."""
    op, value = t.op, t.value
    values = value if op == "one_of" else [value]
    if t.subject in ("fact", "count"):
        fact = ctx.facts.get(t.ref)
        if fact is None:
            return f"unknown fact '{t.ref}'", did_you_mean(t.ref, ctx.facts), True
        if t.subject == "count":
            if fact.type != "choices":
                return (f"'count' needs a choices fact; '{t.ref}' is {fact.type}",
                        "use 'fact:' to compare its value", True)
            return _check_numbers(op, values, f"count of '{t.ref}'", integer=True)
        if op == "present":
            return None
        if fact.type == "choices":
            if op != "contains":
                return (f"'{op}' does not apply to the choices fact '{t.ref}'",
                        "use 'contains' for one value, or 'count' for how many", False)
            return _check_choice(value, fact)
        if op == "contains":
            return f"'contains' needs a choices fact; '{t.ref}' is {fact.type}", "use 'equals'", False
        if fact.type == "boolean":
            if op not in ("equals", "not_equals"):
                return f"'{op}' does not apply to the yes/no fact '{t.ref}'", "use 'equals: true'", False
            if not isinstance(value, bool):
                return f"'{t.ref}' is yes/no; compare it with true or false, not {value!r}", "", False
            return None
        if fact.type == "choice":
            if op in _NUMERIC_OPS:
                return f"'{op}' does not apply to the choice fact '{t.ref}'", "use 'equals' or 'one_of'", False
            for v in values:
                problem = _check_choice(v, fact)
                if problem:
                    return problem
            return None
        return _check_numbers(op, values, f"'{t.ref}'", integer=False)
    if t.subject in GROUP_SUBJECTS:
        if t.ref not in ctx.groups:
            return f"unknown group '{t.ref}'", did_you_mean(t.ref, ctx.groups) or \
                "groups are listed under 'groups:'", True
        if t.subject == "all_done":
            if op not in ("equals", "not_equals") or not isinstance(value, bool):
                return "'all_done' is yes/no: use 'equals: true' or 'equals: false'", "", False
            return None
        if t.subject == "done_count":
            return _check_numbers(op, values, f"the number of done elements of '{t.ref}'", integer=True)
        return _check_ranked(op, values, ctx.statuses, "status")
    if t.subject in ("status", "done", "disconnected"):
        if t.ref not in ctx.elements:
            return f"unknown element '{t.ref}'", did_you_mean(t.ref, ctx.elements), True
        if t.subject != "status":
            if op not in ("equals", "not_equals") or not isinstance(value, bool):
                return f"'{t.subject}' is yes/no: use 'equals: true' or 'equals: false'", "", False
            return None
        return _check_ranked(op, values, ctx.statuses, "status")
    # stage: current
    return _check_ranked(op, values, ctx.stages, "stage")


def _check_numbers(op: str, values, what: str, integer: bool) -> tuple[str, str, bool] | None:
    if op in ("contains", "present"):
        return f"'{op}' does not apply to {what}", "compare it with a number", False
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not float(v).is_integer()):
            return f"{what} is a number; {v!r} is not", "write a number without quotes", False
        if not numbers.exact(v):
            return (*numbers.not_exact(v), False)
        if isinstance(v, float) and (not math.isfinite(v) or "e" in repr(v)):
            # durable-rules cannot read such a number in a rule (error 204 when compiling)
            return (f"the rule engine cannot compare with {v!r}",
                    "use a threshold of at least 0.0001 (in size), written without an exponent",
                    False)
    return None


def _check_choice(value, fact: Fact) -> tuple[str, str, bool] | None:
    if value not in fact.values:
        return (f"'{value}' is not an allowed value of '{fact.id}'",
                did_you_mean(str(value), fact.values) or f"allowed: {', '.join(fact.values)}", False)
    return None


def _check_ranked(op: str, values, known: dict, what: str) -> tuple[str, str, bool] | None:
    if op in ("contains", "present"):
        return f"'{op}' does not apply to a {what}", "use equals, lt, lte, gt, gte or one_of", False
    for v in values:
        if v not in known:
            return f"unknown {what} '{v}'", did_you_mean(str(v), known), False
    return None
