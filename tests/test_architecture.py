"""The package layout shows the data flow, and stays that way.

Layers, lowest first; a module may import from lower layers and from its own
sub-package, never upwards and never sideways into another sub-package of its
layer.  ``docs/architecture.md`` explains the flow these layers carry.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "secannot"

LAYERS: dict[str, int] = {
    "secannot": 0, "secannot.errors": 0, "secannot.results": 0, "secannot.columns": 0, "secannot.provenance": 0,
    "secannot.io": 1,
    "secannot.knowledge": 2, "secannot.uniprot": 2,
    "secannot.models": 3,
    "secannot.pipeline": 4, "secannot.report": 4,
    "secannot.api": 5, "secannot.cli": 5, "secannot.docs": 5,
    "secannot.__main__": 6,
}
#: The one import that goes up: the package root re-exports the Python API
#: lazily (inside ``__getattr__``), so ``import secannot`` stays light.
LAZY_FACADE = {("secannot", "secannot.api")}
MAX_TOP_LEVEL_MODULES = 10
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """secannot modules imported anywhere in the file (function-level imports count too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {a.name for a in node.names if a.name.startswith("secannot")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.startswith("secannot"):
                for alias in node.names:
                    full = f"{module}.{alias.name}"
                    targets.add(full if full in MODULES else module)
    return {t for t in targets if t in MODULES and t != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


BASE = {m for m, layer in LAYERS.items() if layer == 0}


def _unit(module: str) -> str:
    """The layered unit a module belongs to: its sub-package, the base, or itself at the top."""
    if module in BASE:
        return "secannot"
    parts = module.split(".")
    candidate = ".".join(parts[:2])
    return candidate if candidate in LAYERS else module


def test_every_module_has_a_layer():
    assert not [m for m in MODULES if _unit(m) not in LAYERS]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers(module):
    here = _unit(module)
    wrong = []
    for target in GRAPH[module]:
        there = _unit(target)
        if there == here or target == "secannot" or (module, target) in LAZY_FACADE:
            continue
        if LAYERS[there] >= LAYERS[here]:
            wrong.append(f"{module} -> {target} (layer {LAYERS[here]} -> {LAYERS[there]})")
    assert not wrong


def test_no_import_cycles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
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
                cycles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert cycles == []


def test_small_units():
    top_level = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level
    big_modules = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in MODULES.items()}
    assert {n: size for n, size in big_modules.items() if size > MAX_MODULE_LINES} == {}
    long_functions = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{name}.{node.name}: {length} lines")
    assert long_functions == []
