"""Billing rules: durations and prices, coupons, GSTIN, GST, document numbers, signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from plant_store_client.reasons import Reason
from store_service.domain.errors import invalid
from store_service.domain.values import trim

COUPON_CODE = "WAOOAW100"
CURRENCY = "INR"
GST_BASIS_POINTS = 1800
GSTIN_PATTERN = re.compile(r"[0-9A-Z]{15}")
# Webhook events that mean "the order is paid"; others are acknowledged and ignored.
PAYMENT_EVENTS = frozenset({"payment.captured", "order.paid"})


@dataclass(frozen=True, slots=True)
class Plan:
    period: timedelta
    price_inr: int


PLANS = {
    "monthly": Plan(timedelta(days=30), 12_000),
    "quarterly": Plan(timedelta(days=90), 36_000),
    "yearly": Plan(timedelta(days=365), 144_000),
}


def plan_for(duration: str) -> Plan:
    plan = PLANS.get(duration.strip().lower())
    if plan is None:
        raise invalid(Reason.UNSUPPORTED_DURATION, "Unsupported duration.", duration=duration)
    return plan


def require_coupon(code: str) -> str:
    trimmed = code.strip()
    if trimmed != COUPON_CODE:
        raise invalid(Reason.INVALID_COUPON_CODE, "Invalid coupon code.")
    return trimmed


def normalise_gstin(gstin: str | None) -> str | None:
    value = trim(gstin).upper()
    if not value:
        return None
    if not GSTIN_PATTERN.fullmatch(value):
        raise invalid(Reason.INVALID_GSTIN, "Invalid GSTIN.")
    return value


def state_code_of(gstin: str | None) -> str | None:
    prefix = trim(gstin)[:2]
    return prefix if len(prefix) == 2 and prefix.isdigit() else None


@dataclass(frozen=True, slots=True)
class GstBreakdown:
    tax_type: str
    customer_state_code: str | None
    cgst: int
    sgst: int
    igst: int
    total: int


def gst_breakdown(subtotal: int, customer_gstin: str | None, seller_state: str) -> GstBreakdown:
    """GST at 18 % in integer arithmetic; none at all without a customer state code."""
    state = state_code_of(customer_gstin)
    if state is None:
        return GstBreakdown("none", None, 0, 0, 0, subtotal)
    gst = subtotal * GST_BASIS_POINTS // 10_000
    if state == seller_state:
        cgst = gst // 2
        return GstBreakdown("cgst_sgst", state, cgst, gst - cgst, 0, subtotal + gst)
    return GstBreakdown("igst", state, 0, 0, gst, subtotal + gst)


def line_item(agent_id: str, duration: str, amount: int) -> dict[str, Any]:
    return {
        "description": f"WAOOAW agent hire: {agent_id} ({duration})",
        "quantity": 1,
        "unit_amount": amount,
    }


def document_number(prefix: str, issued_at: datetime, sequence: int) -> str:
    return f"{prefix}-{issued_at.strftime('%Y%m%d')}-{sequence:04d}"


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def checkout_signature_valid(
    secret: str,
    order_razorpay_id: str | None,
    razorpay_order_id: str,
    razorpay_payment_id: str,
    signature: str,
) -> bool:
    """Whether the checkout's signed ids are the ones Razorpay issued for this order.

    The HMAC is checked over the order's own Razorpay id, and the id the request names must be
    that one: a genuine triplet from another order's payment fails here (contract 7.2-21). An
    order without a Razorpay id has no payment to prove.
    """
    expected = _hmac_hex(secret, f"{order_razorpay_id}|{razorpay_payment_id}".encode())
    return razorpay_order_id == order_razorpay_id and hmac.compare_digest(
        expected.encode(), signature.strip().encode()
    )


def webhook_signature_valid(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(_hmac_hex(secret, body).encode(), signature.strip().encode())


def parse_webhook(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid(Reason.INVALID_WEBHOOK_JSON, "Invalid webhook JSON") from None
    return document if isinstance(document, dict) else {}


def paid_razorpay_order_id(document: dict[str, Any]) -> str | None:
    """The Razorpay order a payment webhook concerns; None when it is not a usable payment."""
    if document.get("event") not in PAYMENT_EVENTS:
        return None
    node: Any = document
    for key in ("payload", "payment", "entity"):
        node = node.get(key) if isinstance(node, dict) else None
    order_id = node.get("order_id") if isinstance(node, dict) else None
    if not isinstance(order_id, str) or not order_id.strip():
        return None
    return order_id.strip()
