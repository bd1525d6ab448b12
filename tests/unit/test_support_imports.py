"""Tests and bench/ share helpers through tests.support alone: no module imports a test module
(whose helpers would come with its tests, and move or break with them) or a conftest."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]
SUPPORT = "tests.support"


def imported_modules(source: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from tests import x` may name a module: count each name as one.
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_tests_and_bench_import_only_the_support_package_of_tests() -> None:
    sources = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    outside = {
        f"{source.relative_to(ROOT)}: {module}"
        for source in sources
        for module in imported_modules(source)
        if module.split(".")[0] == "tests"
        and module != SUPPORT
        and not module.startswith(f"{SUPPORT}.")
    }
    assert sources, "no module found"
    assert outside == set()
