"""Imports point down: no module of the package imports, at any level (lazily inside a
function too), a module that imports it back, directly or through others."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"maturity": ROOT / "maturity", "maturity.cli": ROOT / "cli"}


def module_names() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.glob("*.py"):
            found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's own modules that module `name` imports anywhere in its text."""
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in known and t != name}
    return out


def test_no_import_circles():
    modules = module_names()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in imports_of(name, path, set(modules)):
            # Every module imports its package's __init__ implicitly; only the modules matter.
            if target not in PACKAGES:
                graph.add_edge(name, target)
    cycles = sorted(sorted(c) for c in nx.simple_cycles(graph))
    assert cycles == []


def test_checks_and_testing_no_longer_import_each_other():
    modules = module_names()
    assert "maturity.testing" not in imports_of("maturity.checks", modules["maturity.checks"],
                                                set(modules))
    assert "maturity.checks" in imports_of("maturity.testing", modules["maturity.testing"],
                                           set(modules))
