"""Hiring's exactly-once promises under racing requests from several store processes."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import grpc
from plant.store.v1 import billing_pb2, billing_pb2_grpc, hiring_pb2, hiring_pb2_grpc
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from plant_store_client.wire.documents import to_json
from store_service.db.models import (
    HiredInstance,
    NotificationEvent,
    Subscription,
    TrialTransition,
    table_of,
)
from tests.flows import API, TRADING_CONFIG, draft, finalize, hire
from tests.json_text import json_text, member_text
from tests.processes import replicas, run_cli
from tests.races import (
    RACERS,
    count,
    counts_by,
    event_counts,
    statuses,
    subscriptions_locked,
    two_stacks,
)
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


async def test_racing_identical_finalizes_activate_each_trial_once(
    postgres_url: str, engine: AsyncEngine
) -> None:
    async with two_stacks(postgres_url) as stacks:
        hired = {f"racer-{i}": await hire(stacks.first, f"racer-{i}") for i in range(4)}
        answers = await stacks.race_each_behind(
            engine,
            subscriptions_locked(h["subscription_id"] for h in hired.values()),
            hired,
            lambda client, owner: finalize(client, hired[owner], owner),
        )
        stored = {
            owner: (
                await stacks.first.get(
                    f"{API}/hired-agents/by-subscription/{agent['subscription_id']}",
                    params={"customer_id": owner},
                )
            ).json()
            for owner, agent in hired.items()
        }
    for owner, responses in answers.items():
        assert statuses(responses) == {200}, [r.text for r in responses]
        # Every caller is told the trial that is stored, started once.
        assert {r.json()["trial_start_at"] for r in responses} == {stored[owner]["trial_start_at"]}
        assert {r.json()["trial_status"] for r in responses} == {"active"}
    transitions = table_of(TrialTransition)
    per_instance = await counts_by(engine, transitions.c.hired_instance_id)
    instance_ids = {agent["hired_instance_id"] for agent in hired.values()}
    assert per_instance == dict.fromkeys(instance_ids, 1)
    activated = await event_counts(engine, "trial_activated", per="hired_instance_id")
    assert activated == dict.fromkeys(instance_ids, 1)


async def test_drafts_queued_behind_a_writer_update_what_it_left(
    postgres_url: str, engine: AsyncEngine
) -> None:
    """Identical drafts that keep the config wait behind a writer that changes it: each must
    keep the config that writer committed, not the one it saw before waiting."""
    config = TRADING_CONFIG | {"allowed_coins": ["ETH"], "default_coin": "ETH"}
    instances = table_of(HiredInstance)
    async with two_stacks(postgres_url) as stacks:
        hired = {f"racer-{i}": await hire(stacks.first, f"racer-{i}") for i in range(3)}
        answers = await stacks.race_each_behind(
            engine,
            subscriptions_locked(h["subscription_id"] for h in hired.values()),
            hired,
            lambda client, owner: draft(
                client, hired[owner]["subscription_id"], owner, nickname="Renamed", config=None
            ),
            update(instances).values(config=to_json(config)),
        )
    for responses in answers.values():
        assert statuses(responses) == {200}
        assert [(r.json()["nickname"], member_text(r.content, "config")) for r in responses] == [
            ("Renamed", json_text(config))
        ] * RACERS
    async with engine.connect() as connection:
        stored = (await connection.execute(select(instances))).mappings().all()
    assert [(row["nickname"], row["config"]) for row in stored] == [
        ("Renamed", to_json(config))
    ] * 3


async def test_racing_trial_end_calls_end_each_trial_once(
    postgres_url: str, engine: AsyncEngine
) -> None:
    async with two_stacks(postgres_url) as stacks:
        hired = [await hire(stacks.first, f"racer-{i}") for i in range(3)]
        for index, agent in enumerate(hired):
            assert (await finalize(stacks.first, agent, f"racer-{index}")).status_code == 200
        later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
        answers = await stacks.race(
            lambda client: client.post(f"{API}/hired-agents/process-trial-end", json={"now": later})
        )
    assert statuses(answers) == {200}
    assert sum(r.json()["processed"] for r in answers) == len(hired)
    instance_ids = {agent["hired_instance_id"] for agent in hired}
    ended = await event_counts(engine, "trial_ended", per="hired_instance_id")
    assert ended == dict.fromkeys(instance_ids, 1)
    transitions = table_of(TrialTransition)
    ending = await counts_by(
        engine, transitions.c.hired_instance_id, transitions.c.cause == "process_trial_end"
    )
    assert ending == dict.fromkeys(instance_ids, 1)
