"""Hired agent and goal request bodies (contract 4.4, 4.5)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from http_adapter.schemas.documents import JsonObject


class DraftRequest(BaseModel):
    subscription_id: str = Field(min_length=1)
    agent_id: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)
    nickname: str | None = None
    theme: str | None = None
    config: JsonObject | None = None


class FinalizeRequest(BaseModel):
    customer_id: str = Field(min_length=1)
    goals_completed: bool = False


class GoalRequest(BaseModel):
    customer_id: str = Field(min_length=1)
    goal_instance_id: str | None = None
    goal_template_id: str = Field(min_length=1)
    frequency: str = Field(min_length=1)
    settings: JsonObject = Field(default_factory=dict)
