"""The import graph of ``sfn_notebook`` has no cycles.

Counted: every import that runs, at module level or inside a function (a function-level
import that closes a cycle only hides it from the interpreter, and the layers still reach into
each other). Not counted: imports under ``if TYPE_CHECKING:``, which never run and only name
types for annotations. An import of a package's submodule is an edge to that submodule (its
package's ``__init__`` is not an extra edge).
"""

from __future__ import annotations

import ast
from pathlib import Path

import sfn_notebook

ROOT = Path(sfn_notebook.__file__).parent


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the ``sfn_notebook`` modules it imports (see the module docstring)."""
    paths = {_module(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in paths}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]

        def visit(node: ast.AST, module: str = module, package: str = package) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    for other in child.orelse:
                        visit(other)
                elif isinstance(child, ast.Import):
                    graph[module].update(a.name for a in child.names if a.name in paths)
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        up = package.split(".")[: len(package.split(".")) - child.level + 1]
                        base = ".".join([*up, *([child.module] if child.module else [])])
                    for alias in child.names:
                        target = f"{base}.{alias.name}"
                        if target in paths:
                            graph[module].add(target)
                        elif base in paths:
                            graph[module].add(base)
                else:
                    visit(child)

        visit(ast.parse(path.read_text(encoding="utf-8")))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
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


def test_the_walker_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = import_graph()
    assert "sfn_notebook.runtime.registry" in graph["sfn_notebook.runtime.runtime"]
    # TYPE_CHECKING imports are not edges: tasks.py names Runtime only for annotations.
    assert "sfn_notebook.runtime.runtime" not in graph["sfn_notebook.runtime.tasks"]


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def _private_uses(path: Path) -> list[str]:
    """Private names of other modules or objects that ``path`` uses: ``from m import _x`` and
    ``obj._x`` where ``obj`` is not ``self``/``cls`` (dunders are not private)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            found += [f"import {a.name}" for a in node.names if a.name.startswith("_")]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


def test_the_runtime_parts_use_each_other_through_public_names() -> None:
    uses = {
        path.name: _private_uses(path)
        for path in sorted((ROOT / "runtime").glob("*.py"))
        if _private_uses(path)
    }
    assert uses == {}
