"""The package's imports run downward only, and no two modules import each other (even
through others). Read from the source with `ast`, deferred imports inside functions
included, so a late `from readiness_xl.workbook import ...` in the core is caught too.

    cli (and the commands beside it)  ->  survey / sample / report / builder / udfs
        ->  workbook  ->  core  ->  errors / thai

Packages of one layer may use each other, but not in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("readiness_xl", "udfs")
LAYERS = {
    "readiness_xl.errors": 0, "readiness_xl.thai": 0,
    "readiness_xl.core": 1,
    "readiness_xl.workbook": 2,
    "readiness_xl.survey": 3, "readiness_xl.sample": 3, "readiness_xl.report": 3,
    "readiness_xl.builder": 3, "udfs": 3,
    # the entry points: the command line, `python -m`, the ribbon's main(), doctor and lite
    "readiness_xl.cli": 4, "readiness_xl.__main__": 4, "readiness_xl.doctor": 4,
    "readiness_xl.lite": 4, "readiness_xl": 4,
}


def modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            submodules = {f"{source}.{alias.name}" for alias in node.names} & known
            # `from pkg import module` imports the module; `from pkg import name`, the package
            out.update(submodules or {source})
            if len(submodules) < len(node.names):
                out.add(source)
    return {m for m in out if m in known} - {name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def layer(name: str) -> tuple[int, str]:
    """(layer, the package that places it) of a module: its longest prefix in LAYERS."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in LAYERS:
            return LAYERS[prefix], prefix
    raise AssertionError(f"{name} is in no layer: add its package to LAYERS")


def upward(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} (layer {layer(a)[0]}) imports {b} (layer {layer(b)[0]})"
                  for a, targets in edges.items() for b in targets if layer(b)[0] > layer(a)[0])


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def package_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same imports between the packages that place the modules in their layers."""
    out: dict[str, set[str]] = {}
    for a, targets in edges.items():
        out.setdefault(layer(a)[1], set()).update(layer(b)[1] for b in targets)
    return {a: targets - {a} for a, targets in out.items()}


def test_the_walker_sees_the_imports_it_must_judge():
    edges = graph()
    assert len(edges) > 80
    assert "readiness_xl.core.framework" in edges["readiness_xl.core.scoring"]
    assert "readiness_xl.workbook.layout" in edges["readiness_xl.workbook.read"]  # `from pkg import mod as L`
    assert "readiness_xl.errors" in edges["readiness_xl.core.framework"]


def test_the_checks_catch_an_upward_import_and_a_circle():
    edges = {"readiness_xl.core.a": {"readiness_xl.workbook.b"},
             "readiness_xl.workbook.b": {"readiness_xl.workbook.c"},
             "readiness_xl.workbook.c": {"readiness_xl.workbook.b"},
             "readiness_xl.sample.s": {"readiness_xl.builder.t"},
             "readiness_xl.builder.t": {"readiness_xl.sample.u"},
             "readiness_xl.sample.u": set()}
    assert upward(edges) == ["readiness_xl.core.a (layer 1) imports readiness_xl.workbook.b (layer 2)"]
    assert cycles(edges) == [["readiness_xl.workbook.b", "readiness_xl.workbook.c"]]
    assert cycles(package_edges(edges)) == [["readiness_xl.builder", "readiness_xl.sample"]]


def test_imports_run_downward_only():
    assert upward(graph()) == []


def test_the_core_imports_nothing_above_it():
    edges = graph()
    above = {m: sorted(t for t in targets if layer(t)[0] > 1)
             for m, targets in edges.items() if layer(m)[1] == "readiness_xl.core"}
    assert {m: t for m, t in above.items() if t} == {}


def test_no_module_imports_itself_through_others():
    assert cycles(graph()) == []


def test_no_two_packages_import_each_other():
    assert cycles(package_edges(graph())) == []
