"""Who may import whom, read from the code: every import of every module (function-level ones
too), so no deployable leans on the other and the client stays usable without the store.

- http_adapter: itself, plant_store_client, plant.store.v1 and third-party packages;
- store_service: never http_adapter or plant_store_cli;
- plant_store_client: never store_service, http_adapter or plant_store_cli;
- plant_store_cli may import them all (it is the command above both deployables);
- inside the store, layers point one way: rpc -> services -> domain and db (db -> domain).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]
# Our own top-level packages (and the generated `plant`): anything else imported is the
# standard library or third-party.
OURS = frozenset(
    {
        "bench",
        "http_adapter",
        "migrations",
        "plant",
        "plant_store_cli",
        "plant_store_client",
        "store_service",
        "tests",
    }
)
FORBIDDEN = {
    # An allow-list: the adapter is a client of the store like any other.
    "http_adapter": OURS - {"http_adapter", "plant_store_client"},
    "store_service": frozenset({"http_adapter", "plant_store_cli"}),
    "plant_store_client": frozenset({"store_service", "http_adapter", "plant_store_cli"}),
}
# Inside the store: the modules each layer must not import (servicers never reach the
# database; nothing below the services calls back up).
STORE_LAYERS = {
    "store_service/rpc": ("store_service.db",),
    "store_service/services": ("store_service.rpc",),
    "store_service/db": ("store_service.services", "store_service.rpc"),
    "store_service/domain": ("store_service.db", "store_service.services", "store_service.rpc"),
}
# What of the generated `plant` package every one of them may use: the API.
GENERATED_API = "plant.store.v1"


def _imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            # `from store_service import db` imports the module store_service.db.
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def _top(module: str) -> str:
    return module.partition(".")[0]


def violations(package: str) -> list[str]:
    forbidden = FORBIDDEN[package]
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in _imported(ast.parse(path.read_text(), str(path))):
            top = _top(module)
            generated_api = module == GENERATED_API or module.startswith(GENERATED_API + ".")
            if top in forbidden and not generated_api:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_the_package_imports_only_what_it_may(package: str) -> None:
    assert violations(package) == []


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def layer_violations(layer: str) -> list[str]:
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for line, module in _imported(ast.parse(path.read_text(), str(path))):
            if _within(module, STORE_LAYERS[layer]):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("layer", sorted(STORE_LAYERS))
def test_the_store_layers_point_one_way(layer: str) -> None:
    assert layer_violations(layer) == []


def test_the_rules_see_every_import() -> None:
    # A rule that matched nothing would pass whatever the code did: each package does import
    # the ones its rules are about (the client package itself, the generated API).
    seen = {
        package: {
            _top(module)
            for path in (ROOT / package).rglob("*.py")
            for _, module in _imported(ast.parse(path.read_text()))
        }
        for package in FORBIDDEN
    }
    assert {"plant_store_client", "plant"} <= seen["http_adapter"]
    assert {"plant_store_client", "plant"} <= seen["store_service"]
    assert "plant" in seen["plant_store_client"]
    # And the store's servicers do call the services (the layer rules see their imports).
    rpc = {
        module
        for path in (ROOT / "store_service/rpc").rglob("*.py")
        for _, module in _imported(ast.parse(path.read_text()))
    }
    assert any(_within(module, ("store_service.services",)) for module in rpc)
