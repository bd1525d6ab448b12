"""Agent type definitions (contract section 4.1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FieldType = Literal["text", "enum", "list", "object", "boolean", "number"]


class SchemaFieldDefinition(BaseModel):
    key: str = Field(min_length=1)
    label: str = Field(min_length=1)
    type: FieldType
    required: bool = False
    description: str | None = None
    options: list[str] | None = None
    item_type: FieldType | None = None


class JsonSchemaDefinition(BaseModel):
    fields: list[SchemaFieldDefinition] = Field(default_factory=list)


class GoalTemplateDefinition(BaseModel):
    goal_template_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    default_frequency: str = Field(min_length=1)
    settings_schema: JsonSchemaDefinition = Field(default_factory=JsonSchemaDefinition)
    skill_binding: str | None = None


class EnforcementDefaults(BaseModel):
    approval_required: bool = True
    deterministic: bool = False


class AgentTypeDefinition(BaseModel):
    agent_type_id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    config_schema: JsonSchemaDefinition = Field(default_factory=JsonSchemaDefinition)
    goal_templates: list[GoalTemplateDefinition] = Field(default_factory=list)
    enforcement_defaults: EnforcementDefaults = Field(default_factory=EnforcementDefaults)
