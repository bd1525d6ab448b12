"""Hiring's exactly-once promises under racing requests from several store processes."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import grpc
from plant.store.v1 import billing_pb2, billing_pb2_grpc, hiring_pb2, hiring_pb2_grpc
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import (
    HiredInstance,
    NotificationEvent,
    Subscription,
    TrialTransition,
    table_of,
)
from store_service.wire.documents import to_json
from tests.concurrency.test_billing_races import count
from tests.processes import replicas, run_cli
from tests.seeds import START, instance_row, subscription_row


async def test_racing_drafts_for_one_subscription_make_one_instance(
    postgres_url: str, engine: AsyncEngine
) -> None:
    async with replicas(postgres_url, 2) as running:
        channels = [grpc.aio.insecure_channel(r.store_target) for r in running]
        billing = billing_pb2_grpc.BillingServiceStub(channels[0])
        hiring = [hiring_pb2_grpc.HiringServiceStub(c) for c in channels]
        subscriptions = []
        for index in range(10):
            checkout = await billing.CheckoutWithCoupon(
                billing_pb2.CheckoutWithCouponRequest(
                    coupon_code="WAOOAW100",
                    agent_id="AGT-1",
                    duration="monthly",
                    customer_id=f"c{index}",
                )
            )
            subscriptions.append((checkout.subscription.subscription_id, f"c{index}"))
        answers = await asyncio.gather(
            *(
                hiring[attempt % 2].UpsertDraftHiredAgent(
                    hiring_pb2.UpsertDraftHiredAgentRequest(
                        subscription_id=subscription_id,
                        agent_id="AGT-1",
                        customer_id=customer,
                        nickname=f"n{attempt}",
                        theme="dark",
                        config_json=to_json({"try": attempt}),
                    )
                )
                for subscription_id, customer in subscriptions
                for attempt in range(6)
            )
        )
        for channel in channels:
            await channel.close()
    per_subscription: dict[str, set[str]] = {}
    for answer in answers:
        agent = answer.hired_agent
        per_subscription.setdefault(agent.subscription_id, set()).add(agent.hired_instance_id)
    assert all(len(ids) == 1 for ids in per_subscription.values())
    assert await count(engine, HiredInstance) == 10


async def test_two_trial_end_jobs_end_each_trial_once(
    postgres_url: str, engine: AsyncEngine
) -> None:
    subscriptions, instances = table_of(Subscription), table_of(HiredInstance)
    async with engine.begin() as connection:
        await connection.execute(
            insert(subscriptions),
            [
                subscription_row(i)
                if i % 4
                else subscription_row(i, status="canceled", ended_at=START)
                for i in range(200)
            ],
        )
        await connection.execute(
            insert(instances),
            [
                instance_row(
                    i,
                    nickname="n",
                    theme="dark",
                    configured=True,
                    goals_completed=True,
                    trial_status="active",
                    trial_start_at=START,
                    trial_end_at=START + timedelta(days=7, minutes=i),
                )
                for i in range(200)
            ],
        )
    async with replicas(postgres_url, 2) as running:
        results = await asyncio.gather(
            *(
                run_cli(
                    "trial-end",
                    "--target",
                    replica.store_target,
                    "--now",
                    "2026-02-01T00:00:00Z",
                    "--batch-size",
                    "9",
                )
                for replica in running
            )
        )
    assert [code for code, _ in results] == [0, 0], results
    processed = [json.loads(out.strip().splitlines()[-1])["processed"] for _, out in results]
    assert sum(processed) == 200
    transitions, events = table_of(TrialTransition), table_of(NotificationEvent)
    async with engine.connect() as connection:
        per_instance = (
            await connection.execute(
                select(transitions.c.hired_instance_id, func.count()).group_by(
                    transitions.c.hired_instance_id
                )
            )
        ).all()
        ended = await connection.scalar(
            select(func.count()).select_from(events).where(events.c.event_type == "trial_ended")
        )
    assert len(per_instance) == 200 and {n for _, n in per_instance} == {1}
    assert ended == 200
    assert await count(engine, HiredInstance, instances.c.trial_status == "ended_converted") == 150
    assert (
        await count(engine, HiredInstance, instances.c.trial_status == "ended_not_converted") == 50
    )
