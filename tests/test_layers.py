"""Layers: `sim` (the library) never imports `experiments` or `analysis`, and no package
module imports itself round a cycle. Read from the source (every import statement,
including those inside functions), so a lazy import cannot hide a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "experiments", "analysis", "configs", "hydra_plugins")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """The package modules `path` imports (`from a import b` counts `a.b` when it is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m in known}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imported(path, name, known) - {name} for name, path in mods.items()}


GRAPH = import_graph()


def test_the_graph_sees_the_package():
    assert "sim.model" in GRAPH["sim.run"]
    assert "sim.schemes.base" in GRAPH["sim.schemes.trios"]
    assert "sim.dashboard.charts" in GRAPH["sim.dashboard.exports"]


@pytest.mark.parametrize("name", sorted(m for m in GRAPH if m.split(".")[0] == "sim"))
def test_sim_never_imports_experiments_or_analysis(name):
    upward = sorted(m for m in GRAPH[name] if m.split(".")[0] in ("experiments", "analysis"))
    assert not upward, f"{name} imports {', '.join(upward)}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Edges to a package's own `__init__` are how Python loads a submodule, not a cycle:
    `sim.model` importing `sim` (for `sim.calendar`) is only a cycle if `sim/__init__.py`
    imports `sim.model` back, which the edge from `sim` to `sim.model` then shows."""
    return {v: {w for w in ws if not v.startswith(w + ".")} for v, ws in graph.items()}


def test_no_import_cycles():
    assert cycles(without_packages(GRAPH)) == []


def test_cycles_finds_a_cycle_of_three_and_ignores_a_chain():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
