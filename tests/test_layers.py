"""The package's layers (docs/architecture.md): each imports only from the layers below it.

Every ``import`` of every module counts, at module level or inside a function, under
``TYPE_CHECKING`` or not: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

# Lowest first. A module may import from its own layer and from the layers before it.
LAYERS = ("mechanisms", "scenario", "engine", "runs", "analysis", "dashboard", "cli")
# The package's root (``sim/__init__.py``, ``sim/__main__.py``) is the façade above them all.
FACADE = len(LAYERS)


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in ("__main__",):
        return FACADE
    assert parts[1] in LAYERS, f"{module} is in no layer: put it in one of {LAYERS}"
    return LAYERS.index(parts[1])


def imported(module: str) -> set[str]:
    """The project modules that ``module`` imports (resolved to modules, not names)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from sim.analysis import plots`` imports the module sim.analysis.plots
            names = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                for a in node.names
            ]
        else:
            continue
        found |= {n for n in names if n in MODULES}
    return found - {module}


GRAPH = {m: imported(m) for m in MODULES}


def test_the_layers_are_the_packages():
    packages = {p.name for p in SIM.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS)
    flat = {p.name for p in SIM.glob("*.py")}
    assert flat == {"__init__.py", "__main__.py"}, "sim/ holds only the layers' packages"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_from_a_layer_above_its_own(module):
    upward = sorted(m for m in GRAPH[module] if layer(m) > layer(module))
    assert not upward, f"{module} ({LAYERS[layer(module)]}) imports from above: {upward}"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
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


def test_no_import_cycle():
    assert strongly_connected(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]


def test_the_import_reader_sees_late_imports():
    """The reader counts an import inside a function: the engine's agents once hid a cycle so."""
    assert "sim.engine.world" in GRAPH["sim.engine.agents"]
    assert "sim.analysis.plots" in GRAPH["sim.cli.run"]  # imported inside a command
