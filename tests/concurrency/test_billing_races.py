"""Billing's exactly-once promises under racing requests from several store processes."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from datetime import timedelta

import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import (
    HiredInstance,
    IdempotencyRecord,
    Invoice,
    NotificationEvent,
    Order,
    Receipt,
    Subscription,
    table_of,
)
from tests.support.processes import replicas, run_cli
from tests.support.races import count
from tests.support.seeds import START, instance_row, subscription_row


async def event_counts(engine: AsyncEngine, event_type: str) -> dict[str, int]:
    events = table_of(NotificationEvent)
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(events.c.subscription_id, func.count())
            .where(events.c.event_type == event_type)
            .group_by(events.c.subscription_id)
        )
    return {subscription_id: n for subscription_id, n in rows}


async def test_identical_idempotent_checkouts_create_one_order(
    postgres_url: str, engine: AsyncEngine
) -> None:
    body = {
        "coupon_code": "WAOOAW100",
        "agent_id": "AGT-1",
        "duration": "monthly",
        "customer_id": "racer",
    }
    async with replicas(postgres_url, 2) as running:
        clients = [httpx.AsyncClient(base_url=r.http_url, timeout=30) for r in running]
        try:
            responses = await asyncio.gather(
                *(
                    clients[i % 2].post(
                        "/api/v1/payments/coupon/checkout",
                        json=body,
                        headers={"Idempotency-Key": "same-key"},
                    )
                    for i in range(24)
                )
            )
        finally:
            for client in clients:
                await client.aclose()
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["order_id"] for r in responses}) == 1
    assert await count(engine, Order) == 1
    assert await count(engine, Subscription) == 1
    assert await count(engine, Receipt) == 1
    assert await count(engine, Invoice) == 1
    assert await count(engine, IdempotencyRecord) == 1
    assert sum((await event_counts(engine, "payment_success")).values()) == 1


async def test_concurrent_checkouts_number_documents_without_gaps(
    postgres_url: str, engine: AsyncEngine
) -> None:
    body = {"coupon_code": "WAOOAW100", "agent_id": "AGT-1", "duration": "monthly"}
    async with replicas(postgres_url, 2) as running:
        clients = [httpx.AsyncClient(base_url=r.http_url, timeout=30) for r in running]
        try:
            responses = await asyncio.gather(
                *(
                    clients[i % 2].post(
                        "/api/v1/payments/coupon/checkout",
                        json=body | {"customer_id": f"c{i}"},
                    )
                    for i in range(40)
                )
            )
        finally:
            for client in clients:
                await client.aclose()
    assert {r.status_code for r in responses} == {200}
    for model, column in ((Receipt, "receipt_number"), (Invoice, "invoice_number")):
        table = table_of(model)
        async with engine.connect() as connection:
            numbers = (await connection.execute(select(table.c[column]))).scalars().all()
        per_day: dict[str, list[int]] = defaultdict(list)
        for number in numbers:
            _, day, sequence = number.split("-")
            per_day[day].append(int(sequence))
        assert sum(len(s) for s in per_day.values()) == 40
        for sequences in per_day.values():
            assert sorted(sequences) == list(range(1, len(sequences) + 1))


async def test_two_period_end_jobs_cancel_each_subscription_once(
    postgres_url: str, engine: AsyncEngine
) -> None:
    subscriptions, instances = table_of(Subscription), table_of(HiredInstance)
    async with engine.begin() as connection:
        await connection.execute(
            insert(subscriptions),
            [
                subscription_row(
                    i, current_period_end=START + timedelta(days=30), cancel_at_period_end=True
                )
                for i in range(300)
            ],
        )
        await connection.execute(insert(instances), [instance_row(i) for i in range(0, 300, 3)])
    async with replicas(postgres_url, 2) as running:
        results = await asyncio.gather(
            *(
                run_cli(
                    "period-end",
                    "--target",
                    replica.store_target,
                    "--now",
                    "2026-06-01T00:00:00Z",
                    "--batch-size",
                    "7",
                )
                for replica in running
            )
        )
    processed = [json.loads(output.strip().splitlines()[-1])["processed"] for _, output in results]
    assert [code for code, _ in results] == [0, 0], results
    assert sum(processed) == 300
    assert await count(engine, Subscription, subscriptions.c.status == "canceled") == 300
    effective = await event_counts(engine, "cancel_effective")
    assert len(effective) == 300 and set(effective.values()) == {1}
    deactivated = await event_counts(engine, "hired_agent_deactivated")
    assert len(deactivated) == 100 and set(deactivated.values()) == {1}
    assert await count(engine, HiredInstance, instances.c.active.is_(False)) == 100
