"""Deliverable and scheduler request bodies (contract 4.6)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from http_adapter.times import ClientInstant


class ReviewRequest(BaseModel):
    customer_id: str = Field(min_length=1)
    decision: Literal["approved", "rejected"]
    notes: str | None = None
    approval_id: str | None = None


class ExecuteRequest(BaseModel):
    customer_id: str = Field(min_length=1)
    approval_id: str | None = None


class RunDueRequest(BaseModel):
    now: ClientInstant | None = None
    hired_instance_id: str | None = None
