"""Store messages -> the REST contract's JSON, field by field in the documented order.

Documents (config, settings, payload) are the store's JSON text, spliced in unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from google.protobuf.message import Message
from plant.store.v1 import billing_pb2, deliverables_pb2, hiring_pb2

from plant_store_client.wire.enums import (
    EXECUTION_STATUS,
    REVIEW_STATUS,
    SUBSCRIPTION_STATUS,
    TAX_TYPE,
    TRIAL_STATUS,
)
from plant_store_client.wire.values import optional_instant


def iso(value: datetime | None) -> str | None:
    """A datetime exactly as pydantic v2 writes it (UTC as Z, other offsets kept), without
    pydantic's per-call cost: isoformat differs from it only in writing UTC as +00:00."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def time_of(owner: Message, field: str) -> str | None:
    return iso(optional_instant(owner, field))


def optional(owner: Message, field: str) -> Any:
    return getattr(owner, field) if owner.HasField(field) else None


def subscription(message: billing_pb2.Subscription) -> dict[str, Any]:
    return {
        "subscription_id": message.subscription_id,
        "agent_id": message.agent_id,
        "duration": message.duration,
        "customer_id": optional(message, "customer_id"),
        "status": SUBSCRIPTION_STATUS.name(message.status),
        "current_period_start": time_of(message, "current_period_start"),
        "current_period_end": time_of(message, "current_period_end"),
        "cancel_at_period_end": message.cancel_at_period_end,
        "ended_at": time_of(message, "ended_at"),
    }


def _items(items: Any) -> list[dict[str, Any]]:
    return [
        {"description": i.description, "quantity": i.quantity, "unit_amount": i.unit_amount}
        for i in items
    ]


def receipt(message: billing_pb2.Receipt) -> dict[str, Any]:
    return {
        "receipt_id": message.receipt_id,
        "receipt_number": message.receipt_number,
        "created_at": time_of(message, "created_at"),
        "customer_id": message.customer_id,
        "order_id": message.order_id,
        "subscription_id": message.subscription_id,
        "currency": message.currency,
        "total_amount": message.total_amount,
        "payment_status": message.payment_status,
        "items": _items(message.items),
    }


def invoice(message: billing_pb2.Invoice) -> dict[str, Any]:
    return {
        "invoice_id": message.invoice_id,
        "invoice_number": message.invoice_number,
        "created_at": time_of(message, "created_at"),
        "customer_id": message.customer_id,
        "order_id": message.order_id,
        "subscription_id": message.subscription_id,
        "currency": message.currency,
        "seller_legal_name": message.seller_legal_name,
        "seller_gstin": optional(message, "seller_gstin"),
        "seller_state_code": message.seller_state_code,
        "customer_business_name": optional(message, "customer_business_name"),
        "customer_business_address": optional(message, "customer_business_address"),
        "customer_gstin": optional(message, "customer_gstin"),
        "customer_state_code": optional(message, "customer_state_code"),
        "subtotal_amount": message.subtotal_amount,
        "cgst_amount": message.cgst_amount,
        "sgst_amount": message.sgst_amount,
        "igst_amount": message.igst_amount,
        "total_amount": message.total_amount,
        "tax_regime": message.tax_regime,
        "tax_type": TAX_TYPE.name(message.tax_type),
        "items": _items(message.items),
    }


def hired_agent(message: hiring_pb2.HiredAgentInstance) -> dict[str, Any]:
    return {
        "hired_instance_id": message.hired_instance_id,
        "subscription_id": message.subscription_id,
        "agent_id": message.agent_id,
        "agent_type_id": optional(message, "agent_type_id"),
        "customer_id": optional(message, "customer_id"),
        "nickname": optional(message, "nickname"),
        "theme": optional(message, "theme"),
        "config": orjson.Fragment(message.config_json),
        "configured": message.configured,
        "goals_completed": message.goals_completed,
        "active": message.active,
        "subscription_status": SUBSCRIPTION_STATUS.optional_name(message.subscription_status),
        "subscription_ended_at": time_of(message, "subscription_ended_at"),
        "retention_expires_at": time_of(message, "retention_expires_at"),
        "trial_status": TRIAL_STATUS.name(message.trial_status),
        "trial_start_at": time_of(message, "trial_start_at"),
        "trial_end_at": time_of(message, "trial_end_at"),
        "created_at": time_of(message, "created_at"),
        "updated_at": time_of(message, "updated_at"),
    }


def goal(message: hiring_pb2.GoalInstance) -> dict[str, Any]:
    return {
        "goal_instance_id": message.goal_instance_id,
        "hired_instance_id": message.hired_instance_id,
        "goal_template_id": message.goal_template_id,
        "frequency": message.frequency,
        "settings": orjson.Fragment(message.settings_json),
        "created_at": time_of(message, "created_at"),
        "updated_at": time_of(message, "updated_at"),
    }


def trial(message: hiring_pb2.TrialStatusEntry) -> dict[str, Any]:
    return {
        "subscription_id": message.subscription_id,
        "hired_instance_id": message.hired_instance_id,
        "trial_status": TRIAL_STATUS.name(message.trial_status),
        "trial_start_at": time_of(message, "trial_start_at"),
        "trial_end_at": time_of(message, "trial_end_at"),
        "configured": message.configured,
        "goals_completed": message.goals_completed,
    }


def processed(count: int, sent: datetime | None, response: Message) -> dict[str, Any]:
    """The answer of the processing endpoints: `now` echoed as sent, else the store's time."""
    return {"processed": count, "now": iso(sent) if sent else time_of(response, "now")}


def deliverable(message: deliverables_pb2.Deliverable) -> dict[str, Any]:
    return {
        "deliverable_id": message.deliverable_id,
        "hired_instance_id": message.hired_instance_id,
        "goal_instance_id": message.goal_instance_id,
        "goal_template_id": message.goal_template_id,
        "title": message.title,
        "payload": orjson.Fragment(message.payload_json),
        "review_status": REVIEW_STATUS.name(message.review_status),
        "review_notes": optional(message, "review_notes"),
        "approval_id": optional(message, "approval_id"),
        "execution_status": EXECUTION_STATUS.name(message.execution_status),
        "executed_at": time_of(message, "executed_at"),
        "created_at": time_of(message, "created_at"),
        "updated_at": time_of(message, "updated_at"),
    }
