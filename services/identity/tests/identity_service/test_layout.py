"""The package's shape (the one other services copy): imports form no cycle, and only the
HTTP edge imports aiohttp and only the stores import pymongo."""

from __future__ import annotations

import ast
from pathlib import Path

import jumo_identity

PACKAGE = Path(jumo_identity.__file__).parent
HTTP_EDGE = {"__main__", "app", "typedefs", "api", "api_auth"}
STORES = {"store", "store_auth"}


def _imports(module: Path) -> set[str]:
    """Every module ``module`` imports (``from jumo_identity import x`` names ``x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "jumo_identity":
                found |= {f"jumo_identity.{alias.name}" for alias in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    return {path.stem: _imports(path) for path in PACKAGE.glob("*.py")}


def _own(imports: set[str]) -> set[str]:
    return {name.split(".")[1] for name in imports if name.startswith("jumo_identity.")}


def test_identity_modules_import_each_other_without_a_cycle() -> None:
    graph = {name: _own(imports) for name, imports in _graph().items()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for imported in graph.get(name, set()):
            visit(imported, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())


def test_only_the_http_edge_imports_aiohttp_and_only_stores_import_pymongo() -> None:
    for name, imports in _graph().items():
        roots = {imported.split(".")[0] for imported in imports}
        if name not in HTTP_EDGE:
            assert "aiohttp" not in roots, f"{name}.py imports aiohttp"
        if name not in STORES:
            assert "pymongo" not in roots, f"{name}.py imports pymongo"
