"""Pure billing rules: plans, coupon, GSTIN, GST arithmetic, numbers, signatures, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_service.domain import billing
from store_service.domain.errors import DomainError


@pytest.mark.parametrize(
    ("duration", "days", "price"),
    [("monthly", 30, 12000), (" Quarterly ", 90, 36000), ("YEARLY", 365, 144000)],
)
def test_plans(duration: str, days: int, price: int) -> None:
    plan = billing.plan_for(duration)
    assert (plan.period, plan.price_inr) == (timedelta(days=days), price)


@pytest.mark.parametrize("duration", ["weekly", "", "month ly"])
def test_unsupported_durations(duration: str) -> None:
    with pytest.raises(DomainError) as refused:
        billing.plan_for(duration)
    assert (refused.value.reason, refused.value.message) == (
        "UNSUPPORTED_DURATION",
        "Unsupported duration.",
    )


def test_coupon_is_trimmed_and_case_sensitive() -> None:
    assert billing.require_coupon("  WAOOAW100\t") == "WAOOAW100"
    with pytest.raises(DomainError):
        billing.require_coupon("waooaw100")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [(None, None), ("", None), ("   ", None), (" 29abcde1234f1z5 ", "29ABCDE1234F1Z5")],
)
def test_gstin_normalisation(raw: str | None, normalised: str | None) -> None:
    assert billing.normalise_gstin(raw) == normalised


@pytest.mark.parametrize(
    "raw", ["NOT-A-GSTIN", "29ABCDE1234F1Z", "29ABCDE1234F1Z55", "29ABCDE1234F1Z!"]
)
def test_invalid_gstins(raw: str) -> None:
    with pytest.raises(DomainError) as refused:
        billing.normalise_gstin(raw)
    assert refused.value.message == "Invalid GSTIN."


@pytest.mark.parametrize(
    ("subtotal", "gstin", "expected"),
    [
        (12000, "27ABCDE1234F1Z5", ("cgst_sgst", "27", 1080, 1080, 0, 14160)),
        (111, "27ABCDE1234F1Z5", ("cgst_sgst", "27", 9, 10, 0, 130)),
        (12000, "29ABCDE1234F1Z5", ("igst", "29", 0, 0, 2160, 14160)),
        (12000, "X9ABCDE1234F1Z5", ("none", None, 0, 0, 0, 12000)),
        (12000, None, ("none", None, 0, 0, 0, 12000)),
        (0, "29ABCDE1234F1Z5", ("igst", "29", 0, 0, 0, 0)),
    ],
)
def test_gst_breakdown(subtotal: int, gstin: str | None, expected: tuple[object, ...]) -> None:
    taxes = billing.gst_breakdown(subtotal, gstin, "27")
    assert (
        taxes.tax_type,
        taxes.customer_state_code,
        taxes.cgst,
        taxes.sgst,
        taxes.igst,
        taxes.total,
    ) == expected


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["27", "29"]))
def test_gst_adds_up(subtotal: int, state: str) -> None:
    taxes = billing.gst_breakdown(subtotal, f"{state}ABCDE1234F1Z5", "27")
    gst = subtotal * 18 // 100
    assert taxes.cgst + taxes.sgst + taxes.igst == gst
    assert taxes.total == subtotal + gst
    assert 0 <= taxes.sgst - taxes.cgst <= 1


def test_document_numbers_pad_to_four_digits_and_grow() -> None:
    day = datetime(2026, 2, 10, tzinfo=UTC)
    assert billing.document_number("RCT", day, 7) == "RCT-20260210-0007"
    assert billing.document_number("INV", day, 12345) == "INV-20260210-12345"


def test_checkout_signature_is_lowercase_hex_hmac() -> None:
    good = hmac.new(b"s", b"order_1|pay_1", hashlib.sha256).hexdigest()
    assert billing.checkout_signature_valid("s", "order_1", "order_1", "pay_1", f" {good} ")
    assert not billing.checkout_signature_valid("s", "order_1", "order_1", "pay_1", good.upper())
    assert not billing.checkout_signature_valid("s", "order_1", "order_1", "pay_2", good)


def test_a_genuine_signature_of_another_order_does_not_confirm_this_one() -> None:
    """The triplet of a real payment for order_1, presented for an order created as order_2."""
    genuine = hmac.new(b"s", b"order_1|pay_1", hashlib.sha256).hexdigest()
    assert not billing.checkout_signature_valid("s", "order_2", "order_1", "pay_1", genuine)


def test_webhook_signature_covers_the_exact_bytes() -> None:
    body = b'{"a": 1}'
    good = hmac.new(b"w", body, hashlib.sha256).hexdigest()
    assert billing.webhook_signature_valid("w", body, good)
    assert not billing.webhook_signature_valid("w", b'{"a":1}', good)


def _payment(order_id: object, event: str = "payment.captured") -> dict[str, object]:
    return {"event": event, "payload": {"payment": {"entity": {"order_id": order_id}}}}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_payment("order_1"), "order_1"),
        (_payment("order_1", "order.paid"), "order_1"),
        (_payment("order_1", "payment.failed"), None),
        (_payment("  "), None),
        (_payment(7), None),
        ({"event": "payment.captured", "payload": {"payment": None}}, None),
        ({"event": "payment.captured"}, None),
    ],
)
def test_paid_order_of_a_webhook(document: dict[str, object], expected: str | None) -> None:
    assert billing.paid_razorpay_order_id(document) == expected


def test_webhook_json_must_be_utf8_json() -> None:
    assert billing.parse_webhook(json.dumps([1]).encode()) == {}
    for body in (b"\xff", b"{nope"):
        with pytest.raises(DomainError) as refused:
            billing.parse_webhook(body)
        assert refused.value.message == "Invalid webhook JSON"
