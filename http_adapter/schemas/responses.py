"""Response bodies of the REST contract: the one place each response's fields are written.

They document, and schemathesis checks, what each endpoint answers; the renderer of each body
is derived from its model (http_adapter/renderers.py: field order, and how each value is read
from the store's message). Routes return the rendered JSON as a response, so FastAPI does not
run these models on the hot path. An `EnumTable` or `Source` in a field's `Annotated` metadata
tells the renderer where a value comes from; pydantic leaves both out of the JSON schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel

from http_adapter.renderers import Source
from plant_store_client.wire.enums import (
    EXECUTION_STATUS,
    PAYMENT_PROVIDER,
    REVIEW_STATUS,
    SUBSCRIPTION_STATUS,
    TAX_TYPE,
    TRIAL_STATUS,
)

SubscriptionStatus = Annotated[
    Literal["pending_payment", "active", "canceled"], SUBSCRIPTION_STATUS
]
TrialStatusName = Annotated[
    Literal["not_started", "active", "ended_converted", "ended_not_converted"], TRIAL_STATUS
]


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


# Rendered from the store's CheckoutWithCouponResponse: its order, its subscription, the trimmed
# coupon code and the trial status. (A comment, not a docstring: that would enter the document.)
class CouponCheckout(BaseModel):
    order_id: Annotated[str, Source("order.order_id")]
    subscription_id: Annotated[str, Source("subscription.subscription_id")]
    payment_provider: Annotated[
        Literal["coupon"], PAYMENT_PROVIDER, Source("order.payment_provider")
    ]
    amount: Annotated[int, Source("order.amount")]
    currency: Annotated[str, Source("order.currency")]
    coupon_code: str
    agent_id: Annotated[str, Source("order.agent_id")]
    duration: Annotated[str, Source("order.duration")]
    subscription_status: Annotated[SubscriptionStatus, Source("subscription.status")]
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
    review_status: Annotated[Literal["pending_review", "approved", "rejected"], REVIEW_STATUS]
    review_notes: str | None
    approval_id: str | None
    execution_status: Annotated[Literal["not_executed", "executed"], EXECUTION_STATUS]
    executed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Deliverables(BaseModel):
    hired_instance_id: str
    deliverables: list[Deliverable]


class Reviewed(BaseModel):
    deliverable_id: str
    review_status: Annotated[Literal["approved", "rejected"], REVIEW_STATUS]
    approval_id: str | None
    updated_at: datetime


class Executed(BaseModel):
    deliverable_id: str
    execution_status: Annotated[Literal["executed"], EXECUTION_STATUS]
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
    tax_type: Annotated[Literal["none", "cgst_sgst", "igst"], TAX_TYPE]
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
