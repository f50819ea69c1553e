"""No import cycles among portal modules, counting imports made inside functions (issue 25.7).

A cycle hidden in function-level imports (guidance.services <-> outreach.services was one)
works until someone moves an import to the top. Three kinds of import are not counted: those
under ``if TYPE_CHECKING:`` (never run); a view module importing its own feature package's
``bp`` (Flask's blueprint idiom: the package imports its views last); and ``from portal
import create_app`` (the factory composes every module, so whatever starts an app, a worker
or a script, imports it as an entry point, not as a dependency).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module_names(package: str) -> dict[str, Path]:
    names = {}
    for path in (ROOT / package).rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _runtime_nodes(tree: ast.AST):
    """Walk the tree, skipping ``if TYPE_CHECKING:`` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _not_a_dependency(importer: str, package: str, imported: str) -> bool:
    """``from portal.feature import bp`` inside portal.feature's own modules."""
    return (imported == "bp" and importer.startswith(package + ".")) or (package, imported) == (
        "portal", "create_app")


def import_graph(package: str = "portal") -> dict[str, set[str]]:
    """Return module -> the package's modules it imports (anywhere in its code)."""
    modules = _module_names(package)
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in modules:
                        edges.add(full)
                    elif node.module in modules and not _not_a_dependency(name, node.module, alias.name):
                        edges.add(node.module)
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a path of module names, or None."""
    done: set[str] = set()
    for start in sorted(graph):
        path: list[str] = []
        stack = [(start, iter(sorted(graph[start])))]
        on_path = {start}
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return path[path.index(child):] + [child]
            elif child not in done:
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
                on_path.add(child)
    return None


def test_portal_has_no_import_cycle():
    assert find_cycle(import_graph("portal")) is None


def test_guidance_never_imports_outreach():
    graph = import_graph("portal")
    guidance = {name: edges for name, edges in graph.items() if name.startswith("portal.guidance")}
    assert {name: sorted(e for e in edges if e.startswith("portal.outreach"))
            for name, edges in guidance.items() if any(e.startswith("portal.outreach") for e in edges)} == {}


@pytest.mark.parametrize(("graph", "cycle"), [
    ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, None),
])
def test_find_cycle_finds_what_is_there(graph, cycle):
    assert find_cycle(graph) == cycle


def test_a_function_level_import_counts(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("def f():\n    from pkg.two import g\n")
    (package / "two.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import three\n"
        "def g():\n    from pkg import one\n")
    (package / "three.py").write_text("import pkg.two\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    graph = import_graph("pkg")
    assert graph["pkg.one"] == {"pkg.two"}
    assert graph["pkg.two"] == {"pkg.one"}  # the TYPE_CHECKING import is not counted
    assert find_cycle(graph) == ["pkg.one", "pkg.two", "pkg.one"]
