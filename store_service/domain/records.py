"""Typed rows: one record per table, as statements return them and message builders read them.

Each mirrors its model in db/models.py field for field (tests/unit/test_records.py holds them to
it), so `mypy --strict` checks every column a service or message builder reads, without this
layer importing the database's. Statements that return fewer columns, or joined ones, have
records of their own after the tables' ones, named for what they hold (not `...Row`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict


class AgentTypeRow(TypedDict):
    """A row of agent_types."""

    agent_type_id: str
    position: int
    document: str
    created_at: datetime
    updated_at: datetime


class AgentTypeVersionRow(TypedDict):
    """A row of agent_type_versions."""

    row_id: str
    agent_type_id: str
    version: str
    document: str
    created_at: datetime
    updated_at: datetime


class SubscriptionRow(TypedDict):
    """A row of subscriptions."""

    subscription_id: str
    agent_id: str
    duration: str
    customer_id: str | None
    status: str
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    ended_at: datetime | None


class OrderRow(TypedDict):
    """A row of orders."""

    order_id: str
    payment_provider: str
    subscription_id: str
    amount: int
    currency: str
    agent_id: str
    duration: str
    customer_id: str | None
    gstin: str | None
    status: str
    created_at: datetime
    paid_at: datetime | None
    razorpay_order_id: str | None


class RazorpayPaymentRow(TypedDict):
    """A row of razorpay_payments."""

    razorpay_payment_id: str
    order_id: str
    confirmed_at: datetime


class IdempotencyRecordRow(TypedDict):
    """A row of idempotency_records."""

    scope_key: str
    fingerprint: str
    response: bytes | None
    created_at: datetime


class HiredInstanceRow(TypedDict):
    """A row of hired_instances."""

    hired_instance_id: str
    subscription_id: str
    agent_id: str
    customer_id: str | None
    nickname: str | None
    theme: str | None
    config: str
    configured: bool
    goals_completed: bool
    active: bool
    trial_status: str
    trial_start_at: datetime | None
    trial_end_at: datetime | None
    created_at: datetime
    updated_at: datetime


class GoalInstanceRow(TypedDict):
    """A row of goal_instances."""

    hired_instance_id: str
    goal_instance_id: str
    goal_template_id: str
    frequency: str
    settings: str
    created_at: datetime
    updated_at: datetime


class DeliverableRow(TypedDict):
    """A row of deliverables."""

    deliverable_id: str
    hired_instance_id: str
    goal_instance_id: str
    goal_template_id: str
    period_key: str
    title: str
    payload: str
    review_status: str
    review_notes: str | None
    approval_id: str | None
    execution_status: str
    executed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DeliverableReviewRow(TypedDict):
    """A row of deliverable_reviews."""

    review_id: int
    deliverable_id: str
    customer_id: str
    decision: str
    notes: str | None
    approval_id: str | None
    reviewed_at: datetime


class DeliverableExecutionRow(TypedDict):
    """A row of deliverable_executions."""

    execution_id: int
    deliverable_id: str
    customer_id: str
    approval_id: str
    action: str
    correlation_id: str
    executed_at: datetime


class EnforcementDenialRow(TypedDict):
    """A row of enforcement_denials."""

    denial_id: int
    deliverable_id: str
    customer_id: str
    reason: str
    details: str
    correlation_id: str
    denied_at: datetime


class TrialTransitionRow(TypedDict):
    """A row of trial_transitions."""

    transition_id: int
    hired_instance_id: str
    from_status: str
    to_status: str
    cause: str
    occurred_at: datetime


class ReceiptRow(TypedDict):
    """A row of receipts."""

    receipt_id: str
    receipt_number: str
    order_id: str
    customer_id: str
    subscription_id: str
    currency: str
    total_amount: int
    payment_status: str
    items: list[dict[str, Any]]
    created_at: datetime


class InvoiceRow(TypedDict):
    """A row of invoices."""

    invoice_id: str
    invoice_number: str
    order_id: str
    customer_id: str
    subscription_id: str
    currency: str
    seller_legal_name: str
    seller_gstin: str | None
    seller_state_code: str
    customer_business_name: str | None
    customer_business_address: str | None
    customer_gstin: str | None
    customer_state_code: str | None
    subtotal_amount: int
    cgst_amount: int
    sgst_amount: int
    igst_amount: int
    total_amount: int
    tax_regime: str
    tax_type: str
    items: list[dict[str, Any]]
    created_at: datetime


class NumberSequenceRow(TypedDict):
    """A row of number_sequences."""

    kind: str
    day: str
    last_value: int


class NumberDayStartRow(TypedDict):
    """A row of number_day_starts."""

    kind: str
    day: str
    start_value: int


class NotificationEventRow(TypedDict):
    """A row of notification_events."""

    event_id: int
    created_at: datetime
    event_type: str
    customer_id: str | None
    subscription_id: str | None
    order_id: str | None
    hired_instance_id: str | None
    metadata: str
    delivered_at: datetime | None


class DueSubscription(TypedDict):
    """A subscription whose period end is due, as period end claims it."""

    subscription_id: str
    customer_id: str | None


class StoredAnswer(TypedDict):
    """What an idempotency record keeps for a repeat: the request's fingerprint and, once it
    is answered, its answer."""

    fingerprint: str
    response: bytes | None


class DrawnNumber(TypedDict):
    """A document number drawn for a kind: its value within the day."""

    kind: str
    last_value: int


class InstanceWithSubscription(HiredInstanceRow):
    """An instance with the state of its subscription (None for both when it has none)."""

    subscription_status: str | None
    subscription_ended_at: datetime | None


class InstanceWithDefinition(InstanceWithSubscription):
    """An instance locked for a goal write, with its agent type's definition as SQL chose it."""

    definition_type: str | None
    definition: str | None


class SubscriptionLockForDraft(TypedDict):
    """A subscription locked for a draft, with the id of its instance if it has one."""

    subscription_status: str
    subscription_ended_at: datetime | None
    subscription_customer_id: str | None
    hired_instance_id: str | None


class TrialEntry(TypedDict):
    """The trial projection of an instance (without its configuration)."""

    subscription_id: str
    hired_instance_id: str
    customer_id: str | None
    trial_status: str
    trial_start_at: datetime | None
    trial_end_at: datetime | None
    configured: bool
    goals_completed: bool


class CatalogEntry(TypedDict):
    """An agent type's stored definition, as catalog lists read it."""

    agent_type_id: str
    document: str


class LockedDeliverable(DeliverableRow):
    """A deliverable with its instance's owner and subscription state (all None without an
    instance), as review and execution lock it."""

    owner_instance_id: str | None
    owner_customer_id: str | None
    subscription_status: str | None
    subscription_ended_at: datetime | None


class InstanceWithGoal(InstanceWithSubscription):
    """An instance with its subscription's state and one of its goals (goal columns all None
    when it has none)."""

    goal_hired_instance_id: str | None
    goal_goal_instance_id: str | None
    goal_goal_template_id: str | None
    goal_frequency: str | None
    goal_settings: str | None
    goal_created_at: datetime | None
    goal_updated_at: datetime | None


class EligibleInstance(TypedDict):
    """An instance the goal scheduler generates drafts for: what a draft is made of, and its
    place in the scheduler's order."""

    hired_instance_id: str
    agent_id: str
    config: str
    created_at: datetime
