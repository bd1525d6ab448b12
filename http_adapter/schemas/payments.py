"""Payment and subscription request bodies (contract 4.3)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from http_adapter.times import ClientInstant


class CouponCheckoutRequest(BaseModel):
    coupon_code: str = Field(min_length=1)
    agent_id: str = Field(min_length=1)
    duration: str = Field(min_length=1)
    customer_id: str | None = None
    gstin: str | None = None


class RazorpayOrderRequest(BaseModel):
    agent_id: str = Field(min_length=1)
    duration: str = Field(min_length=1)
    customer_id: str | None = None


class RazorpayConfirmRequest(BaseModel):
    order_id: str = Field(min_length=1)
    razorpay_order_id: str = Field(min_length=1)
    razorpay_payment_id: str = Field(min_length=1)
    razorpay_signature: str = Field(min_length=1)
    customer_id: str | None = None


class ProcessAtRequest(BaseModel):
    """The body of the operational processing endpoints: an optional effective time."""

    now: ClientInstant | None = None
