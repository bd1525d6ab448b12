"""Agent type definitions: protobuf messages <-> the JSON documents of the REST contract."""

from __future__ import annotations

from typing import Any

from plant.store.v1 import catalog_pb2 as pb

from plant_store_client.reasons import Reason
from plant_store_client.wire.errors import InvalidWireValue

Document = dict[str, Any]

FIELD_TYPES = {
    pb.FIELD_TYPE_TEXT: "text",
    pb.FIELD_TYPE_ENUM: "enum",
    pb.FIELD_TYPE_LIST: "list",
    pb.FIELD_TYPE_OBJECT: "object",
    pb.FIELD_TYPE_BOOLEAN: "boolean",
    pb.FIELD_TYPE_NUMBER: "number",
}
FIELD_TYPE_VALUES = {name: value for value, name in FIELD_TYPES.items()}


def _field_document(field: pb.SchemaFieldDefinition, path: str) -> Document:
    if field.type not in FIELD_TYPES:
        raise InvalidWireValue(
            Reason.AGENT_TYPE_INVALID, f"{path}.type must be set", field=f"{path}.type"
        )
    return {
        "key": field.key,
        "label": field.label,
        "type": FIELD_TYPES[field.type],
        "required": field.required,
        "description": field.description if field.HasField("description") else None,
        "options": list(field.options.values) if field.HasField("options") else None,
        "item_type": FIELD_TYPES.get(field.item_type),
    }


def _schema_document(schema: pb.JsonSchemaDefinition, path: str) -> Document:
    return {
        "fields": [
            _field_document(field, f"{path}.fields[{index}]")
            for index, field in enumerate(schema.fields)
        ]
    }


def _template_document(template: pb.GoalTemplateDefinition, path: str) -> Document:
    return {
        "goal_template_id": template.goal_template_id,
        "name": template.name,
        "default_frequency": template.default_frequency,
        "settings_schema": _schema_document(template.settings_schema, f"{path}.settings_schema"),
        "skill_binding": template.skill_binding if template.HasField("skill_binding") else None,
    }


def to_document(definition: pb.AgentTypeDefinition) -> Document:
    """The stored JSON form, with the REST contract's defaults for absent parts."""
    enforcement = (
        {
            "approval_required": definition.enforcement_defaults.approval_required,
            "deterministic": definition.enforcement_defaults.deterministic,
        }
        if definition.HasField("enforcement_defaults")
        else {"approval_required": True, "deterministic": False}
    )
    return {
        "agent_type_id": definition.agent_type_id,
        "version": definition.version,
        "config_schema": _schema_document(definition.config_schema, "config_schema"),
        "goal_templates": [
            _template_document(template, f"goal_templates[{index}]")
            for index, template in enumerate(definition.goal_templates)
        ],
        "enforcement_defaults": enforcement,
    }


def _field_message(field: Document) -> pb.SchemaFieldDefinition:
    message = pb.SchemaFieldDefinition(
        key=field["key"],
        label=field["label"],
        type=FIELD_TYPE_VALUES[field["type"]],
        required=field["required"],
        description=field["description"],
        item_type=FIELD_TYPE_VALUES.get(field["item_type"] or "", pb.FIELD_TYPE_UNSPECIFIED),
    )
    if field["options"] is not None:
        message.options.values.extend(field["options"])
    return message


def _schema_message(schema: Document) -> pb.JsonSchemaDefinition:
    return pb.JsonSchemaDefinition(fields=[_field_message(field) for field in schema["fields"]])


def to_message(document: Document) -> pb.AgentTypeDefinition:
    return pb.AgentTypeDefinition(
        agent_type_id=document["agent_type_id"],
        version=document["version"],
        config_schema=_schema_message(document["config_schema"]),
        goal_templates=[
            pb.GoalTemplateDefinition(
                goal_template_id=template["goal_template_id"],
                name=template["name"],
                default_frequency=template["default_frequency"],
                settings_schema=_schema_message(template["settings_schema"]),
                skill_binding=template["skill_binding"],
            )
            for template in document["goal_templates"]
        ],
        enforcement_defaults=pb.EnforcementDefaults(**document["enforcement_defaults"]),
    )
