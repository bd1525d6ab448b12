"""REST contract 4.3.2-4.3.4 and 5.18: Razorpay order, confirm and webhook on both databases."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.harness import Stack, stack
from tests.support.json_text import json_text
from tests.support.razorpay_signing import (
    KEY_ID,
    KEY_SECRET,
    WEBHOOK_SECRET,
    checkout_signature,
    sign,
    webhook_body,
)
from tests.support.razorpay_stand_in import RazorpayStandIn, razorpay_stand_in

ORDER = "/api/v1/payments/razorpay/order"
CONFIRM = "/api/v1/payments/razorpay/confirm"
WEBHOOK = "/api/v1/payments/razorpay/webhook"


@dataclass
class Razorpay:
    plant: Stack
    api: RazorpayStandIn

    async def order(self, customer_id: str | None = "cust-r", duration: str = "monthly") -> Any:
        body = {"agent_id": "AGT-MKT-1", "duration": duration, "customer_id": customer_id}
        response = await self.plant.http.post(ORDER, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def confirm(self, order: dict[str, Any], **overrides: Any) -> Any:
        body = {
            "order_id": order["order_id"],
            "razorpay_order_id": order["razorpay_order_id"],
            "razorpay_payment_id": "pay_1",
            "razorpay_signature": checkout_signature(order["razorpay_order_id"], "pay_1"),
            "customer_id": "cust-r",
        } | overrides
        return await self.plant.http.post(CONFIRM, json=body)

    async def webhook(self, body: bytes, signature: str | None = None) -> Any:
        headers = {"X-Razorpay-Signature": signature or sign(WEBHOOK_SECRET, body)}
        return await self.plant.http.post(WEBHOOK, content=body, headers=headers)


@pytest.fixture
async def razorpay(database_url: str) -> AsyncIterator[Razorpay]:
    with razorpay_stand_in() as api:
        async with stack(
            database_url,
            store={"razorpay_key_secret": KEY_SECRET, "razorpay_webhook_secret": WEBHOOK_SECRET},
            adapter={
                "payments_mode": "razorpay",
                "razorpay_key_id": KEY_ID,
                "razorpay_key_secret": KEY_SECRET,
                "razorpay_api_base": api.base_url,
            },
        ) as plant:
            yield Razorpay(plant, api)


async def test_order_creates_a_razorpay_order_and_a_pending_subscription(
    razorpay: Razorpay,
) -> None:
    order = await razorpay.order()
    assert order == {
        "order_id": order["order_id"],
        "subscription_id": order["subscription_id"],
        "payment_provider": "razorpay",
        "currency": "INR",
        "amount": 12000,
        "razorpay_key_id": KEY_ID,
        "razorpay_order_id": "order_rzp1",
    }
    [sent] = razorpay.api.received
    assert sent["path"] == "/v1/orders"
    expected_auth = base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
    assert sent["authorization"] == f"Basic {expected_auth}"
    assert sent["json"] == {
        "amount": 1_200_000,
        "currency": "INR",
        "receipt": order["order_id"],
        "payment_capture": 1,
    }
    subscription = (
        await razorpay.plant.http.get(f"/api/v1/payments/subscriptions/{order['subscription_id']}")
    ).json()
    assert subscription["status"] == "pending_payment"
    assert await razorpay.plant.events() == []


@pytest.mark.parametrize(("duration", "amount"), [("Quarterly", 36000), (" yearly", 144000)])
async def test_prices_follow_the_duration(razorpay: Razorpay, duration: str, amount: int) -> None:
    order = await razorpay.order(duration=duration)
    assert order["amount"] == amount
    assert razorpay.api.received[-1]["json"]["amount"] == amount * 100


async def test_razorpay_failures_store_nothing(razorpay: Razorpay) -> None:
    razorpay.api.status = 401
    failed = await razorpay.plant.http.post(
        ORDER, json={"agent_id": "A", "duration": "monthly", "customer_id": "gone"}
    )
    assert (failed.status_code, failed.json()) == (
        502,
        {"detail": "Razorpay order create failed (401)"},
    )
    razorpay.api.status, razorpay.api.body = 200, {"id": ""}
    invalid = await razorpay.plant.http.post(
        ORDER, json={"agent_id": "A", "duration": "monthly", "customer_id": "gone"}
    )
    assert (invalid.status_code, invalid.json()) == (
        502,
        {"detail": "Razorpay order create returned invalid response"},
    )
    razorpay.api.body = b"not json"
    broken = await razorpay.plant.http.post(
        ORDER, json={"agent_id": "A", "duration": "monthly", "customer_id": "gone"}
    )
    assert broken.status_code == 500
    assert broken.json()["title"] == "Internal Server Error"
    listed = await razorpay.plant.http.get("/api/v1/payments/subscriptions/by-customer/gone")
    assert listed.json() == []


async def test_unsupported_duration_is_refused_before_calling_razorpay(razorpay: Razorpay) -> None:
    response = await razorpay.plant.http.post(ORDER, json={"agent_id": "A", "duration": "daily"})
    assert (response.status_code, response.json()) == (400, {"detail": "Unsupported duration."})
    assert razorpay.api.received == []


async def test_confirm_pays_once_and_replays(razorpay: Razorpay) -> None:
    order = await razorpay.order()
    first = await razorpay.confirm(order)
    assert (first.status_code, first.json()) == (
        200,
        {
            "order_id": order["order_id"],
            "subscription_id": order["subscription_id"],
            "payment_provider": "razorpay",
            "subscription_status": "active",
        },
    )
    again = await razorpay.confirm(order)
    assert again.json() == first.json()
    events = await razorpay.plant.events(event_type="payment_success")
    assert [json_text(e["metadata"]) for e in events] == [
        json_text(
            {
                "payment_provider": "razorpay",
                "agent_id": "AGT-MKT-1",
                "duration": "monthly",
                "amount": 12000,
                "currency": "INR",
            }
        )
    ]
    receipt = (
        await razorpay.plant.http.get(
            f"/api/v1/receipts/by-order/{order['order_id']}?customer_id=cust-r"
        )
    ).json()
    assert receipt["total_amount"] == 12000
    invoice = (
        await razorpay.plant.http.get(
            f"/api/v1/invoices/by-order/{order['order_id']}?customer_id=cust-r"
        )
    ).json()
    assert (invoice["tax_type"], invoice["total_amount"], invoice["customer_gstin"]) == (
        "none",
        12000,
        None,
    )


async def test_confirm_activates_the_orders_own_subscription(razorpay: Razorpay) -> None:
    older, newer = await razorpay.order(), await razorpay.order()
    await razorpay.confirm(older)
    get = razorpay.plant.http.get
    assert (await get(f"/api/v1/payments/subscriptions/{older['subscription_id']}")).json()[
        "status"
    ] == "active"
    assert (await get(f"/api/v1/payments/subscriptions/{newer['subscription_id']}")).json()[
        "status"
    ] == "pending_payment"


async def test_a_bad_signature_is_refused_and_recorded(razorpay: Razorpay) -> None:
    order = await razorpay.order()
    response = await razorpay.confirm(order, razorpay_signature="bad")
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Invalid Razorpay signature"},
    )
    upper = checkout_signature(order["razorpay_order_id"], "pay_1").upper()
    assert (await razorpay.confirm(order, razorpay_signature=upper)).status_code == 400
    failed = await razorpay.plant.events(event_type="payment_failed")
    assert len(failed) == 2
    assert failed[0]["order_id"] == order["order_id"]
    assert failed[0]["metadata"]["reason"] == "invalid_checkout_signature"
    subscription = (
        await razorpay.plant.http.get(f"/api/v1/payments/subscriptions/{order['subscription_id']}")
    ).json()
    assert subscription["status"] == "pending_payment"


async def subscription_status(razorpay: Razorpay, subscription_id: str) -> str:
    response = await razorpay.plant.http.get(f"/api/v1/payments/subscriptions/{subscription_id}")
    status: str = response.json()["status"]
    return status


async def test_a_paid_orders_checkout_does_not_pay_another_order(razorpay: Razorpay) -> None:
    """Contract 7.2-21: the genuine triplet of a monthly payment, sent for a yearly order."""
    monthly, yearly = await razorpay.order(), await razorpay.order(duration="yearly")
    assert (await razorpay.confirm(monthly)).status_code == 200
    for _ in range(2):
        replayed = await razorpay.confirm(monthly, order_id=yearly["order_id"])
        assert (replayed.status_code, replayed.json()) == (
            400,
            {"detail": "Invalid Razorpay signature"},
        )
    assert await subscription_status(razorpay, yearly["subscription_id"]) == "pending_payment"
    receipt = await razorpay.plant.http.get(
        f"/api/v1/receipts/by-order/{yearly['order_id']}?customer_id=cust-r"
    )
    assert receipt.status_code == 404
    failed = await razorpay.plant.events(event_type="payment_failed")
    assert [e["order_id"] for e in failed] == [yearly["order_id"]] * 2
    paid = await razorpay.plant.events(event_type="payment_success")
    assert [e["order_id"] for e in paid] == [monthly["order_id"]]


async def test_a_payment_id_confirms_one_order(razorpay: Razorpay) -> None:
    """Even signed for both orders, one payment id pays only the first order it confirms."""
    first, second = await razorpay.order(), await razorpay.order()
    for order in (first, second, first):
        signed = checkout_signature(order["razorpay_order_id"], "pay_shared")
        response = await razorpay.confirm(
            order, razorpay_payment_id="pay_shared", razorpay_signature=signed
        )
        expected = (200 if order is first else 400, order is first)
        assert (response.status_code, "subscription_id" in response.json()) == expected
    assert await subscription_status(razorpay, second["subscription_id"]) == "pending_payment"
    failed = await razorpay.plant.events(event_type="payment_failed")
    assert [e["order_id"] for e in failed] == [second["order_id"]]


async def test_a_confirm_after_the_webhook_still_claims_its_payment_id(razorpay: Razorpay) -> None:
    paid_by_webhook, other = await razorpay.order(), await razorpay.order()
    assert (await razorpay.webhook(webhook_body(paid_by_webhook["razorpay_order_id"]))).json() == {
        "ok": True
    }
    assert (await razorpay.confirm(paid_by_webhook)).status_code == 200
    reused = await razorpay.confirm(
        other, razorpay_signature=checkout_signature(other["razorpay_order_id"], "pay_1")
    )
    assert (reused.status_code, reused.json()) == (400, {"detail": "Invalid Razorpay signature"})
    assert await subscription_status(razorpay, other["subscription_id"]) == "pending_payment"


@pytest.mark.parametrize(
    ("make", "status", "detail"),
    [
        (lambda o: {"order_id": "ORDER-nope"}, 404, "Order not found."),
        (lambda o: {"customer_id": "someone-else"}, 403, "Order does not belong to customer"),
    ],
)
async def test_confirm_refusals(razorpay: Razorpay, make: Any, status: int, detail: str) -> None:
    order = await razorpay.order()
    response = await razorpay.confirm(order, **make(order))
    assert (response.status_code, response.json()) == (status, {"detail": detail})


async def test_confirm_of_a_coupon_order_is_a_conflict(database_url: str) -> None:
    async with stack(database_url) as coupon_mode:
        coupon = await coupon_mode.http.post(
            "/api/v1/payments/coupon/checkout",
            json={"coupon_code": "WAOOAW100", "agent_id": "A", "duration": "monthly"},
        )
    order = coupon.json()
    async with stack(
        database_url,
        store={"razorpay_key_secret": KEY_SECRET},
        adapter={"payments_mode": "razorpay"},
    ) as plant:
        response = await plant.http.post(
            CONFIRM,
            json={
                "order_id": order["order_id"],
                "razorpay_order_id": "x",
                "razorpay_payment_id": "y",
                "razorpay_signature": "z",
            },
        )
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Order is not a Razorpay order."},
    )


async def test_webhook_pays_once_then_reports_already_paid(razorpay: Razorpay) -> None:
    order = await razorpay.order()
    body = webhook_body(order["razorpay_order_id"])
    paid = await razorpay.webhook(body)
    assert (paid.status_code, paid.json()) == (200, {"ok": True})
    again = await razorpay.webhook(body)
    assert again.json() == {"ok": True, "already_paid": True}
    confirmed = await razorpay.confirm(order)
    assert confirmed.json()["subscription_status"] == "active"
    events = await razorpay.plant.events(event_type="payment_success")
    assert [e["metadata"]["via"] for e in events] == ["webhook"]
    receipts = (await razorpay.plant.http.get("/api/v1/receipts?customer_id=cust-r")).json()
    assert len(receipts["receipts"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        webhook_body("order_unknown"),
        webhook_body(""),
        webhook_body(123),
        webhook_body(None),
        b'{"event": "payment.captured", "payload": {"payment": null}}',
        b"[1, 2]",
    ],
)
async def test_webhooks_that_concern_no_known_order_are_ignored(
    razorpay: Razorpay, body: bytes
) -> None:
    response = await razorpay.webhook(body)
    assert (response.status_code, response.json()) == (200, {"ok": True, "ignored": True})


async def test_webhook_events_that_are_not_payments_are_ignored(razorpay: Razorpay) -> None:
    order = await razorpay.order()
    response = await razorpay.webhook(webhook_body(order["razorpay_order_id"], "payment.failed"))
    assert response.json() == {"ok": True, "ignored": True}
    subscription = (
        await razorpay.plant.http.get(f"/api/v1/payments/subscriptions/{order['subscription_id']}")
    ).json()
    assert subscription["status"] == "pending_payment"


async def test_webhook_refusals(razorpay: Razorpay) -> None:
    body = webhook_body("order_x")
    missing = await razorpay.plant.http.post(WEBHOOK, content=body)
    assert (missing.status_code, missing.json()) == (
        400,
        {"detail": "Missing X-Razorpay-Signature"},
    )
    bad = await razorpay.webhook(body, signature="bad")
    assert (bad.status_code, bad.json()) == (400, {"detail": "Invalid webhook signature"})
    garbage = b"\xff\xfe not json"
    broken = await razorpay.webhook(garbage)
    assert (broken.status_code, broken.json()) == (400, {"detail": "Invalid webhook JSON"})


async def test_missing_secrets_are_500s(database_url: str) -> None:
    with razorpay_stand_in() as api:
        async with stack(
            database_url,
            adapter={"payments_mode": "razorpay", "razorpay_api_base": api.base_url},
        ) as plant:
            no_key = await plant.http.post(ORDER, json={"agent_id": "A", "duration": "monthly"})
            assert (no_key.status_code, no_key.json()) == (
                500,
                {"detail": "Missing required env: RAZORPAY_KEY_ID"},
            )
            no_hook = await plant.http.post(
                WEBHOOK, content=b"{}", headers={"X-Razorpay-Signature": "s"}
            )
            assert (no_hook.status_code, no_hook.json()) == (
                500,
                {"detail": "Missing required env: RAZORPAY_WEBHOOK_SECRET"},
            )


async def test_razorpay_endpoints_are_disabled_in_coupon_mode(database_url: str) -> None:
    async with stack(database_url) as plant:
        for path, what in ((ORDER, "checkout"), (CONFIRM, "confirm"), (WEBHOOK, "webhook")):
            body = (
                {"agent_id": "A", "duration": "monthly"}
                if path == ORDER
                else {
                    "order_id": "o",
                    "razorpay_order_id": "r",
                    "razorpay_payment_id": "p",
                    "razorpay_signature": "s",
                }
            )
            response = await plant.http.post(path, json=body)
            assert (response.status_code, response.json()) == (
                403,
                {"detail": f"Razorpay {what} is disabled when PAYMENTS_MODE is not 'razorpay'."},
            )


async def test_confirm_without_the_key_secret_is_a_500_after_the_order_checks(
    database_url: str,
) -> None:
    with razorpay_stand_in() as api:
        adapter = {
            "payments_mode": "razorpay",
            "razorpay_key_id": KEY_ID,
            "razorpay_key_secret": KEY_SECRET,
            "razorpay_api_base": api.base_url,
        }
        async with stack(database_url, adapter=adapter) as plant:
            order = (
                await plant.http.post(ORDER, json={"agent_id": "A", "duration": "monthly"})
            ).json()
            body = {
                "order_id": order["order_id"],
                "razorpay_order_id": order["razorpay_order_id"],
                "razorpay_payment_id": "p",
                "razorpay_signature": "s",
            }
            missing = await plant.http.post(CONFIRM, json=body | {"order_id": "ORDER-x"})
            assert missing.status_code == 404
            response = await plant.http.post(CONFIRM, json=body)
            assert (response.status_code, response.json()) == (
                500,
                {"detail": "Missing required env: RAZORPAY_KEY_SECRET"},
            )
            no_secret = dict(adapter, razorpay_key_secret="")
        async with stack(database_url, adapter=no_secret) as plant:
            created = await plant.http.post(ORDER, json={"agent_id": "A", "duration": "monthly"})
            assert (created.status_code, created.json()) == (
                500,
                {"detail": "Missing required env: RAZORPAY_KEY_SECRET"},
            )
