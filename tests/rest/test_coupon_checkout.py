"""REST contract 4.3.1 and 5.9-5.10, 5.15-5.16: coupon checkout, end to end on both databases."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.harness import Stack, stack

CHECKOUT = "/api/v1/payments/coupon/checkout"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def body(**overrides: Any) -> dict[str, Any]:
    return {"coupon_code": "WAOOAW100", "agent_id": "AGT-TRD-1", "duration": "monthly"} | overrides


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    async with stack(database_url, store={"seller_gstin": "27WAOOAW1234F1Z5"}) as running:
        yield running


async def test_checkout_creates_a_paid_order_and_active_subscription(plant: Stack) -> None:
    response = await plant.http.post(CHECKOUT, json=body(customer_id="cust-1", duration="Monthly"))
    assert response.status_code == 200
    answer = response.json()
    assert re.fullmatch(f"ORDER-{UUID}", answer["order_id"])
    assert re.fullmatch(f"SUB-{UUID}", answer["subscription_id"])
    assert answer == {
        "order_id": answer["order_id"],
        "subscription_id": answer["subscription_id"],
        "payment_provider": "coupon",
        "amount": 0,
        "currency": "INR",
        "coupon_code": "WAOOAW100",
        "agent_id": "AGT-TRD-1",
        "duration": "Monthly",
        "subscription_status": "active",
        "trial_status": "not_started",
    }
    subscription = (
        await plant.http.get(f"/api/v1/payments/subscriptions/{answer['subscription_id']}")
    ).json()
    assert subscription["status"] == "active"
    assert subscription["duration"] == "Monthly"
    assert subscription["cancel_at_period_end"] is False
    assert subscription["ended_at"] is None


async def test_checkout_issues_receipt_invoice_and_event_in_one_go(plant: Stack) -> None:
    answer = (
        await plant.http.post(CHECKOUT, json=body(customer_id="cust-1", gstin="29abcde1234f1z5"))
    ).json()
    order_id = answer["order_id"]
    receipt = await plant.http.get(f"/api/v1/receipts/by-order/{order_id}?customer_id=cust-1")
    assert receipt.status_code == 200
    assert receipt.json()["receipt_number"].startswith("RCT-")
    invoice = (
        await plant.http.get(f"/api/v1/invoices/by-order/{order_id}?customer_id=cust-1")
    ).json()
    assert invoice["invoice_number"].startswith("INV-")
    assert (invoice["seller_gstin"], invoice["customer_gstin"]) == (
        "27WAOOAW1234F1Z5",
        "29ABCDE1234F1Z5",
    )
    assert invoice["tax_type"] == "igst"
    events = await plant.events(event_type="payment_success")
    assert events == [
        {
            "event_type": "payment_success",
            "customer_id": "cust-1",
            "subscription_id": answer["subscription_id"],
            "order_id": order_id,
            "hired_instance_id": None,
            "metadata": {
                "payment_provider": "coupon",
                "coupon_code": "WAOOAW100",
                "agent_id": "AGT-TRD-1",
                "duration": "monthly",
                "amount": 0,
                "currency": "INR",
            },
        }
    ]


async def test_without_customer_no_documents_and_event_has_null_customer(plant: Stack) -> None:
    answer = (await plant.http.post(CHECKOUT, json=body(customer_id=""))).json()
    events = await plant.events(subscription_id=answer["subscription_id"])
    assert [e["customer_id"] for e in events] == [None]
    receipts = await plant.http.get(f"/api/v1/receipts/by-order/{answer['order_id']}?customer_id=x")
    assert receipts.status_code == 404


@pytest.mark.parametrize(
    ("overrides", "status", "detail"),
    [
        ({"coupon_code": "NOPE"}, 400, "Invalid coupon code."),
        ({"coupon_code": " waoaw100 "}, 400, "Invalid coupon code."),
        ({"gstin": "NOT-A-GSTIN"}, 400, "Invalid GSTIN."),
        ({"duration": "weekly"}, 400, "Unsupported duration."),
    ],
)
async def test_refusals_write_nothing(
    plant: Stack, overrides: dict[str, Any], status: int, detail: str
) -> None:
    response = await plant.http.post(CHECKOUT, json=body(customer_id="c-refused") | overrides)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    listed = await plant.http.get("/api/v1/payments/subscriptions/by-customer/c-refused")
    assert listed.json() == []
    assert await plant.events() == []


async def test_coupon_is_trimmed_and_durations_are_case_insensitive(plant: Stack) -> None:
    response = await plant.http.post(
        CHECKOUT, json=body(coupon_code="  WAOOAW100 ", duration=" YEARLY ")
    )
    assert response.status_code == 200
    assert response.json()["coupon_code"] == "WAOOAW100"
    assert response.json()["duration"] == " YEARLY "


async def test_validation_errors_use_the_422_envelope(plant: Stack) -> None:
    response = await plant.http.post(CHECKOUT, json={"agent_id": 5, "duration": ""})
    assert response.status_code == 422
    assert response.json()["violations"] == [
        "body -> coupon_code: Field required",
        "body -> agent_id: Input should be a valid string",
        "body -> duration: String should have at least 1 character",
    ]


async def test_same_key_and_payload_replays_the_first_answer(plant: Stack) -> None:
    headers = {"Idempotency-Key": "k1"}
    first = await plant.http.post(CHECKOUT, json=body(customer_id="c"), headers=headers)
    again = await plant.http.post(
        CHECKOUT, json=body(customer_id="c"), headers={"Idempotency-Key": " k1 "}
    )
    assert again.status_code == 200
    assert again.json() == first.json()
    listed = (await plant.http.get("/api/v1/payments/subscriptions/by-customer/c")).json()
    assert len(listed) == 1
    assert len(await plant.events(event_type="payment_success")) == 1


@pytest.mark.parametrize(
    "changed", [{"duration": "yearly"}, {"gstin": "29ABCDE1234F1Z5"}, {"customer_id": None}]
)
async def test_same_key_with_another_payload_is_a_conflict(
    plant: Stack, changed: dict[str, Any]
) -> None:
    headers = {"Idempotency-Key": "k2"}
    await plant.http.post(CHECKOUT, json=body(customer_id=""), headers=headers)
    other = await plant.http.post(CHECKOUT, json=body(customer_id="") | changed, headers=headers)
    assert (other.status_code, other.json()) == (
        409,
        {"detail": "Idempotency-Key reuse with different payload."},
    )


async def test_keys_are_scoped_per_customer(plant: Stack) -> None:
    headers = {"Idempotency-Key": "shared"}
    first = await plant.http.post(CHECKOUT, json=body(customer_id="a"), headers=headers)
    second = await plant.http.post(CHECKOUT, json=body(customer_id="b"), headers=headers)
    assert first.json()["order_id"] != second.json()["order_id"]


async def test_an_empty_key_means_no_key(plant: Stack) -> None:
    headers = {"Idempotency-Key": ""}
    first = await plant.http.post(CHECKOUT, json=body(), headers=headers)
    second = await plant.http.post(CHECKOUT, json=body(), headers=headers)
    assert first.json()["order_id"] != second.json()["order_id"]


async def test_idempotency_is_checked_before_the_duration(plant: Stack) -> None:
    headers = {"Idempotency-Key": "k3"}
    await plant.http.post(CHECKOUT, json=body(), headers=headers)
    response = await plant.http.post(CHECKOUT, json=body(duration="weekly"), headers=headers)
    assert response.status_code == 409


async def test_payment_mode_errors(database_url: str) -> None:
    cases = [
        (
            {"payments_mode": "razorpay"},
            403,
            "Coupon checkout is disabled when PAYMENTS_MODE is not 'coupon'.",
        ),
        ({"payments_mode": "cash"}, 500, "Invalid PAYMENTS_MODE; expected 'razorpay' or 'coupon'."),
        ({"environment": "Production"}, 500, "PAYMENTS_MODE=coupon is not allowed in production."),
    ]
    for adapter, status, detail in cases:
        async with stack(database_url, adapter=adapter) as plant:
            response = await plant.http.post(CHECKOUT, json=body(coupon_code="NOPE"))
            assert (response.status_code, response.json()) == (status, {"detail": detail})


async def test_no_invoice_when_invoicing_is_off(database_url: str) -> None:
    async with stack(database_url, store={"issue_gst_invoice": False}) as plant:
        order_id = (await plant.http.post(CHECKOUT, json=body(customer_id="c"))).json()["order_id"]
        receipt = await plant.http.get(f"/api/v1/receipts/by-order/{order_id}?customer_id=c")
        invoice = await plant.http.get(f"/api/v1/invoices/by-order/{order_id}?customer_id=c")
    assert receipt.status_code == 200
    assert (invoice.status_code, invoice.json()) == (404, {"detail": "Invoice not found"})
