"""Rules of the agent type catalog."""

from __future__ import annotations

from typing import Any

from plant_store_client.reasons import Reason
from store_service.domain.errors import invalid


def require_agent_type_id(raw: str) -> str:
    """The trimmed id; blank ids are refused."""
    agent_type_id = raw.strip()
    if not agent_type_id:
        raise invalid(Reason.AGENT_TYPE_ID_REQUIRED, "agent_type_id is required")
    return agent_type_id


def require_matching_id(key: str, document_id: str) -> None:
    """A definition may only be stored under its own (trimmed) id."""
    if document_id.strip() != key:
        raise invalid(
            Reason.AGENT_TYPE_ID_MISMATCH,
            "agent_type_id mismatch",
            agent_type_id=key,
            document_agent_type_id=document_id,
        )


def _require_text(document: dict[str, Any], key: str, path: str) -> None:
    if not document.get(key):
        raise invalid(
            Reason.AGENT_TYPE_INVALID, f"{path}{key} must not be empty", field=f"{path}{key}"
        )


def _check_schema(schema: dict[str, Any], path: str) -> None:
    for index, field in enumerate(schema["fields"]):
        for key in ("key", "label"):
            _require_text(field, key, f"{path}.fields[{index}].")


def validate_definition(document: dict[str, Any]) -> None:
    """The constraints the REST contract's request schema puts on a definition."""
    for key in ("agent_type_id", "version"):
        _require_text(document, key, "")
    _check_schema(document["config_schema"], "config_schema")
    for index, template in enumerate(document["goal_templates"]):
        path = f"goal_templates[{index}]."
        for key in ("goal_template_id", "name", "default_frequency"):
            _require_text(template, key, path)
        _check_schema(template["settings_schema"], f"{path}settings_schema")
