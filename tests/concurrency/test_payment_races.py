"""Razorpay confirm and webhook under racing requests through two adapters and two stores.

Every test inspects every answer (the contract's success or its error, nothing else) and then
counts per order what the tables and the outbox hold: one paid order, one receipt, one invoice
and one payment_success for each order that was paid, nothing for the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest
from plant.store.v1 import billing_pb2 as pb
from plant.store.v1 import billing_pb2_grpc
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import (
    Invoice,
    NotificationEvent,
    Order,
    RazorpayPayment,
    Receipt,
    Subscription,
    table_of,
)
from tests.support.processes import replicas

KEY_SECRET, WEBHOOK_SECRET = "key-secret", "hook-secret"
ENV = {
    "PAYMENTS_MODE": "razorpay",
    "RAZORPAY_KEY_SECRET": KEY_SECRET,
    "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET,
}
CONFIRM = "/api/v1/payments/razorpay/confirm"
WEBHOOK = "/api/v1/payments/razorpay/webhook"
REFUSED = (400, {"detail": "Invalid Razorpay signature"})
PAID_BY_WEBHOOK, ALREADY_PAID = (200, {"ok": True}), (200, {"ok": True, "already_paid": True})
orders, events = table_of(Order), table_of(NotificationEvent)


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PendingOrder:
    order_id: str
    subscription_id: str
    razorpay_order_id: str

    def confirm(self, payment_id: str) -> dict[str, str]:
        signed = f"{self.razorpay_order_id}|{payment_id}".encode()
        return {
            "order_id": self.order_id,
            "razorpay_order_id": self.razorpay_order_id,
            "razorpay_payment_id": payment_id,
            "razorpay_signature": sign(KEY_SECRET, signed),
        }

    def confirmed(self) -> tuple[int, dict[str, str]]:
        return 200, {
            "order_id": self.order_id,
            "subscription_id": self.subscription_id,
            "payment_provider": "razorpay",
            "subscription_status": "active",
        }

    def webhook(self) -> bytes:
        entity = {"id": f"pay_{self.order_id}", "order_id": self.razorpay_order_id}
        return json.dumps(
            {"event": "payment.captured", "payload": {"payment": {"entity": entity}}}
        ).encode()


@dataclass
class Racers:
    """Two adapters, each in front of its own store process, on one PostgreSQL database."""

    clients: list[httpx.AsyncClient]
    billing: billing_pb2_grpc.BillingServiceStub
    engine: AsyncEngine

    async def orders(self, count: int) -> list[PendingOrder]:
        created = []
        for index in range(count):
            quote = await self.billing.QuoteRazorpayOrder(
                pb.QuoteRazorpayOrderRequest(agent_id="AGT-1", duration="monthly")
            )
            await self.billing.CreateRazorpayOrder(
                pb.CreateRazorpayOrderRequest(
                    order_id=quote.order_id,
                    subscription_id=quote.subscription_id,
                    agent_id="AGT-1",
                    duration="monthly",
                    customer_id=f"buyer-{index}",
                    razorpay_order_id=f"order_rzp_{index}",
                )
            )
            created.append(
                PendingOrder(quote.order_id, quote.subscription_id, f"order_rzp_{index}")
            )
        return created

    async def post_all(self, requests: list[dict[str, Any]]) -> list[tuple[int, Any]]:
        """Sends every request at once, alternating between the two adapters."""
        responses = await asyncio.gather(
            *(self.clients[i % 2].post(**request) for i, request in enumerate(requests))
        )
        return [(response.status_code, response.json()) for response in responses]

    async def per_order(self, model: type, *where: Any) -> Counter[str]:
        table: Table = table_of(model)
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(table.c.order_id).where(*where))
        return Counter(order_id for (order_id,) in rows)

    async def assert_paid_once(self, paid: set[str], unpaid: set[str]) -> None:
        once = Counter(paid)
        assert await self.per_order(Order, orders.c.status == "paid") == once
        assert await self.per_order(Receipt) == once
        assert await self.per_order(Invoice) == once
        assert await self.per_order(
            NotificationEvent, events.c.event_type == "payment_success"
        ) == (once)
        subscriptions = table_of(Subscription)
        async with self.engine.connect() as connection:
            statuses = dict(
                (
                    await connection.execute(
                        select(orders.c.order_id, subscriptions.c.status).join(
                            subscriptions,
                            subscriptions.c.subscription_id == orders.c.subscription_id,
                        )
                    )
                ).all()
            )
        assert {statuses[o] for o in paid} <= {"active"}
        assert {statuses[o] for o in unpaid} <= {"pending_payment"}


@pytest.fixture
async def racers(postgres_url: str, engine: AsyncEngine) -> AsyncIterator[Racers]:
    async with replicas(postgres_url, 2, env=ENV) as running:
        clients = [httpx.AsyncClient(base_url=r.http_url, timeout=60) for r in running]
        async with grpc.aio.insecure_channel(running[0].store_target) as channel:
            try:
                yield Racers(clients, billing_pb2_grpc.BillingServiceStub(channel), engine)
            finally:
                for client in clients:
                    await client.aclose()


def confirm_request(order: PendingOrder, payment_id: str) -> dict[str, Any]:
    return {"url": CONFIRM, "json": order.confirm(payment_id)}


def webhook_request(order: PendingOrder) -> dict[str, Any]:
    body = order.webhook()
    return {
        "url": WEBHOOK,
        "content": body,
        "headers": {"X-Razorpay-Signature": sign(WEBHOOK_SECRET, body)},
    }


async def test_identical_confirms_pay_each_order_once(racers: Racers) -> None:
    pending = await racers.orders(6)
    requests = [confirm_request(o, f"pay_{o.order_id}") for o in pending for _ in range(8)]
    answers = await racers.post_all(requests)
    for order, index in zip(pending, range(0, len(answers), 8), strict=True):
        assert answers[index : index + 8] == [order.confirmed()] * 8
    await racers.assert_paid_once({o.order_id for o in pending}, set())
    assert await racers.per_order(RazorpayPayment) == Counter(o.order_id for o in pending)


async def test_identical_webhooks_pay_each_order_once(racers: Racers) -> None:
    pending = await racers.orders(6)
    answers = await racers.post_all([webhook_request(o) for o in pending for _ in range(8)])
    for index in range(0, len(answers), 8):
        assert (
            sorted(answers[index : index + 8], key=lambda a: len(a[1]))
            == [PAID_BY_WEBHOOK] + [ALREADY_PAID] * 7
        )
    await racers.assert_paid_once({o.order_id for o in pending}, set())


async def test_racing_confirms_and_webhooks_pay_each_order_once(racers: Racers) -> None:
    pending = await racers.orders(12)
    requests = [
        request
        for o in pending
        for request in (
            confirm_request(o, f"pay_{o.order_id}"),
            webhook_request(o),
            confirm_request(o, f"pay_{o.order_id}"),
            webhook_request(o),
        )
    ]
    answers = await racers.post_all(requests)
    paid_by_webhook = set()
    for order, index in zip(pending, range(0, len(answers), 4), strict=True):
        confirms, webhooks = answers[index : index + 4 : 2], answers[index + 1 : index + 4 : 2]
        assert confirms == [order.confirmed()] * 2
        assert all(answer in (PAID_BY_WEBHOOK, ALREADY_PAID) for answer in webhooks)
        assert webhooks.count(PAID_BY_WEBHOOK) <= 1
        if PAID_BY_WEBHOOK in webhooks:
            paid_by_webhook.add(order.order_id)
    await racers.assert_paid_once({o.order_id for o in pending}, set())
    # The payment event says who won: "via webhook" exactly where a webhook answered {"ok": true}.
    async with racers.engine.connect() as connection:
        rows = await connection.execute(
            select(events.c.order_id, events.c["metadata"]).where(
                events.c.event_type == "payment_success"
            )
        )
        via_webhook = {
            order_id for order_id, metadata in rows if json.loads(metadata).get("via") == "webhook"
        }
    assert via_webhook == paid_by_webhook


async def test_one_payment_id_racing_for_two_orders_pays_one(racers: Racers) -> None:
    """Each pair of orders gets confirms with one payment id, validly signed for both orders."""
    pending = await racers.orders(12)
    pairs = list(zip(pending[::2], pending[1::2], strict=True))
    requests = [
        confirm_request(order, f"pay_shared_{n}")
        for n, pair in enumerate(pairs)
        for _ in range(3)
        for order in pair
    ]
    answers = await racers.post_all(requests)
    paid, unpaid = set(), set()
    for (first, second), index in zip(pairs, range(0, len(answers), 6), strict=True):
        for_first, for_second = answers[index : index + 6 : 2], answers[index + 1 : index + 6 : 2]
        if for_first[0] == first.confirmed():
            winner, loser = first, second
        else:
            winner, loser = second, first
            for_first, for_second = for_second, for_first
        assert for_first == [winner.confirmed()] * 3
        assert for_second == [REFUSED] * 3
        paid.add(winner.order_id)
        unpaid.add(loser.order_id)
    await racers.assert_paid_once(paid, unpaid)
    failed = await racers.per_order(NotificationEvent, events.c.event_type == "payment_failed")
    assert failed == Counter({order_id: 3 for order_id in unpaid})
    assert set(await racers.per_order(RazorpayPayment)) == paid
