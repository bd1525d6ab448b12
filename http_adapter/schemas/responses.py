"""Response bodies of the REST contract, for the OpenAPI document.

Routes render their JSON directly (http_adapter/rendering.py) and return it as a response, so
FastAPI does not run these models on the hot path; they document, and schemathesis checks, what
each endpoint answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

SubscriptionStatus = Literal["pending_payment", "active", "canceled"]
TrialStatusName = Literal["not_started", "active", "ended_converted", "ended_not_converted"]


class Subscription(BaseModel):
    subscription_id: str
    agent_id: str
    duration: str
    customer_id: str | None
    status: SubscriptionStatus
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    ended_at: datetime | None


class CouponCheckout(BaseModel):
    order_id: str
    subscription_id: str
    payment_provider: Literal["coupon"]
    amount: int
    currency: str
    coupon_code: str
    agent_id: str
    duration: str
    subscription_status: SubscriptionStatus
    trial_status: TrialStatusName


class RazorpayOrder(BaseModel):
    order_id: str
    subscription_id: str
    payment_provider: Literal["razorpay"]
    currency: str
    amount: int
    razorpay_key_id: str
    razorpay_order_id: str


class RazorpayConfirmation(BaseModel):
    order_id: str
    subscription_id: str
    payment_provider: Literal["razorpay"]
    subscription_status: Literal["active"]


class WebhookAnswer(BaseModel):
    ok: bool
    ignored: bool | None = None
    already_paid: bool | None = None


class Processed(BaseModel):
    processed: int
    now: datetime


class HiredAgentInstance(BaseModel):
    hired_instance_id: str
    subscription_id: str
    agent_id: str
    agent_type_id: str | None
    customer_id: str | None
    nickname: str | None
    theme: str | None
    config: dict[str, Any]
    configured: bool
    goals_completed: bool
    active: bool
    subscription_status: SubscriptionStatus | None
    subscription_ended_at: datetime | None
    retention_expires_at: datetime | None
    trial_status: TrialStatusName
    trial_start_at: datetime | None
    trial_end_at: datetime | None
    created_at: datetime
    updated_at: datetime


class GoalInstance(BaseModel):
    goal_instance_id: str
    hired_instance_id: str
    goal_template_id: str
    frequency: str
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class Goals(BaseModel):
    hired_instance_id: str
    goals: list[GoalInstance]


class DeletedGoal(BaseModel):
    deleted: bool
    goal_instance_id: str


class Deliverable(BaseModel):
    deliverable_id: str
    hired_instance_id: str
    goal_instance_id: str
    goal_template_id: str
    title: str
    payload: dict[str, Any]
    review_status: Literal["pending_review", "approved", "rejected"]
    review_notes: str | None
    approval_id: str | None
    execution_status: Literal["not_executed", "executed"]
    executed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Deliverables(BaseModel):
    hired_instance_id: str
    deliverables: list[Deliverable]


class Reviewed(BaseModel):
    deliverable_id: str
    review_status: Literal["approved", "rejected"]
    approval_id: str | None
    updated_at: datetime


class Executed(BaseModel):
    deliverable_id: str
    execution_status: Literal["executed"]
    executed_at: datetime
    updated_at: datetime


class DueDrafts(BaseModel):
    generated: int
    deliverable_ids: list[str]


class TrialStatus(BaseModel):
    subscription_id: str
    hired_instance_id: str
    trial_status: TrialStatusName
    trial_start_at: datetime | None
    trial_end_at: datetime | None
    configured: bool
    goals_completed: bool


class Trials(BaseModel):
    trials: list[TrialStatus]


class LineItem(BaseModel):
    description: str
    quantity: int
    unit_amount: int


class Receipt(BaseModel):
    receipt_id: str
    receipt_number: str
    created_at: datetime
    customer_id: str
    order_id: str
    subscription_id: str
    currency: str
    total_amount: int
    payment_status: Literal["paid"]
    items: list[LineItem]


class Receipts(BaseModel):
    receipts: list[Receipt]


class Invoice(BaseModel):
    invoice_id: str
    invoice_number: str
    created_at: datetime
    customer_id: str
    order_id: str
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
    tax_regime: Literal["GST"]
    tax_type: Literal["none", "cgst_sgst", "igst"]
    items: list[LineItem]


class Invoices(BaseModel):
    invoices: list[Invoice]


class PlainError(BaseModel):
    """FastAPI's plain error body: every business error of the contract (2.1)."""

    detail: str


class Problem(BaseModel):
    """The contract's RFC 7807 body (2.4, 2.5)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    correlation_id: str


class ValidationProblem(Problem):
    """The contract's 422 body (RFC 7807 with violations), documented in place of FastAPI's."""

    violations: list[str]


class PolicyProblem(Problem):
    """The contract's 403 policy denial (2.3)."""

    reason: str
    details: dict[str, str]
