"""The seeded agent types, as the REST contract prints them, and a new type's defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# The two definitions exactly as the contract's section 6 prints them.
SEEDS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "seed_agent_types.json").read_text()
)
MARKETING, TRADING = SEEDS


def with_defaults(agent_type_id: str, version: str = "1.0.0") -> dict[str, Any]:
    return {
        "agent_type_id": agent_type_id,
        "version": version,
        "config_schema": {"fields": []},
        "goal_templates": [],
        "enforcement_defaults": {"approval_required": True, "deterministic": False},
    }
