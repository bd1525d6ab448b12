"""docs/schema.md stays true: its diagram is the models', and every migration has its section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from store_service.db.diagram import DOCUMENT, diagram, with_diagram

# The document against the models and migrations: no database, unlike its neighbours.
pytestmark = pytest.mark.unit

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def test_the_diagram_is_drawn_from_the_current_models() -> None:
    document = DOCUMENT.read_text()
    assert with_diagram(document, diagram()) == document, "run `make schema-doc` and commit"


def test_the_diagram_names_every_table_and_reference() -> None:
    drawn = diagram()
    assert "    hired_instances {" in drawn
    assert '    subscriptions ||--o| hired_instances : "subscription_id"' in drawn
    assert '    hired_instances ||--o{ goal_instances : "hired_instance_id"' in drawn


def test_every_migration_has_a_section() -> None:
    revisions = {
        match.group(1)
        for source in VERSIONS.glob("*.py")
        if (match := re.search(r'^revision: str = "([^"]+)"', source.read_text(), re.MULTILINE))
    }
    sections = set(re.findall(r"^### (\S+) — ", DOCUMENT.read_text(), re.MULTILINE))
    assert revisions, "no migration found"
    assert revisions - sections == set(), "add a section to docs/schema.md for each migration"
