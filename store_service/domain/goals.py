"""Goal validation against the agent type's goal templates (5.5)."""

from __future__ import annotations

from typing import Any

from plant_store_client.reasons import Reason
from store_service.domain.conversions import python_float
from store_service.domain.errors import invalid
from store_service.domain.hiring import agent_type_for
from store_service.domain.values import nonblank

FREQUENCIES = frozenset({"daily", "weekly", "monthly", "on_demand"})


def normalise_frequency(raw: str) -> str:
    frequency = raw.strip().lower()
    if frequency not in FREQUENCIES:
        raise invalid(Reason.UNSUPPORTED_FREQUENCY, "Unsupported frequency.")
    return frequency


def require_agent_type(agent_id: str) -> str:
    agent_type = agent_type_for(agent_id)
    if agent_type is None:
        raise invalid(Reason.UNKNOWN_AGENT_TYPE, "Unknown agent type; cannot validate goals.")
    return agent_type


def find_template(definition: dict[str, Any] | None, template_id: str) -> dict[str, Any]:
    if definition is None:
        raise invalid(Reason.AGENT_TYPE_DEFINITION_MISSING, "Agent type definition not found.")
    for template in definition.get("goal_templates", []):
        if template.get("goal_template_id") == template_id:
            return dict(template)
    raise invalid(Reason.UNKNOWN_GOAL_TEMPLATE, "Unknown goal_template_id for this agent type.")


def _missing(field_type: str, value: Any) -> bool:
    if field_type in ("text", "enum"):
        return not nonblank(value)
    if field_type == "number":
        return python_float(value) is None
    if field_type == "boolean":
        return not isinstance(value, bool)
    if field_type == "list":
        return not (isinstance(value, list) and value)
    if field_type == "object":
        return not isinstance(value, dict)
    return value is None


def require_settings(template: dict[str, Any], settings: dict[str, Any]) -> None:
    fields = template.get("settings_schema", {}).get("fields", [])
    missing = [
        field["key"]
        for field in fields
        if field.get("required") and _missing(field.get("type", ""), settings.get(field["key"]))
    ]
    if missing:
        keys = ", ".join(missing)
        raise invalid(
            Reason.MISSING_REQUIRED_SETTINGS, f"Missing required settings: {keys}", keys=keys
        )
