"""One draft per goal and period, while listings and two scheduler processes race."""

from __future__ import annotations

import asyncio
import json

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from plant_store_client.wire.documents import to_json
from store_service.db.models import (
    Deliverable,
    DeliverableExecution,
    DeliverableReview,
    GoalInstance,
    HiredInstance,
    NotificationEvent,
    Subscription,
    table_of,
)
from tests.flows import API, TRADING_CONFIG, add_goal, finalize, hire, ok
from tests.processes import replicas, run_cli
from tests.races import RACERS, count, rows_locked, statuses, two_stacks
from tests.seeds import START, instance_row, subscription_row


async def seed(engine: AsyncEngine, count: int) -> None:
    """`count` finalized trading instances with a daily and an on-demand goal each."""
    async with engine.begin() as connection:
        await connection.execute(
            insert(table_of(Subscription)),
            [subscription_row(i, agent_id="AGT-TRD-1") for i in range(count)],
        )
        await connection.execute(
            insert(table_of(HiredInstance)),
            [
                instance_row(
                    i,
                    agent_id="AGT-TRD-1",
                    nickname="n",
                    theme="dark",
                    config=to_json(TRADING_CONFIG),
                    configured=True,
                    goals_completed=True,
                    trial_status="active",
                    trial_start_at=START,
                    trial_end_at=START,
                )
                for i in range(count)
            ],
        )
        await connection.execute(
            insert(table_of(GoalInstance)),
            [
                {
                    "hired_instance_id": f"HAI-{i:04d}",
                    "goal_instance_id": goal,
                    "goal_template_id": template,
                    "frequency": frequency,
                    "settings": to_json({"coin": "BTC", "side": "buy", "units": 1}),
                    "created_at": START,
                    "updated_at": START,
                }
                for i in range(count)
                for goal, template, frequency in (
                    ("g-daily", "trading.guardrail_report.v1", "daily"),
                    ("g-once", "trading.trade_intent_draft.v1", "on_demand"),
                )
            ],
        )


async def test_listing_and_two_schedulers_make_one_draft_per_goal_period(
    postgres_url: str, engine: AsyncEngine
) -> None:
    await seed(engine, 120)
    now = "2026-03-01T10:00:00+00:00"
    async with replicas(postgres_url, 2) as running:
        clients = [httpx.AsyncClient(base_url=r.http_url, timeout=60) for r in running]
        listings = [
            clients[i % 2].get(
                f"/api/v1/hired-agents/HAI-{i % 120:04d}/deliverables",
                params={"customer_id": f"c{i % 120}", "as_of": now},
            )
            for i in range(0, 240, 3)
        ]
        jobs = [
            run_cli(
                "run-due",
                "--target",
                replica.store_target,
                "--now",
                now,
                "--page-size",
                "25",
                "--quiet",
            )
            for replica in running
        ]
        job_results, listing_results = await asyncio.gather(
            asyncio.gather(*jobs), asyncio.gather(*listings)
        )
        for client in clients:
            await client.aclose()
    assert [code for code, _ in job_results] == [0, 0], job_results
    assert {response.status_code for response in listing_results} == {200}
    generated = sum(json.loads(out.strip().splitlines()[-1])["generated"] for _, out in job_results)
    deliverables = table_of(Deliverable)
    async with engine.connect() as connection:
        drafts = (
            await connection.execute(
                select(
                    deliverables.c.deliverable_id,
                    deliverables.c.hired_instance_id,
                    deliverables.c.goal_instance_id,
                )
            )
        ).all()
    # The unique key (instance, goal, period) cannot repeat by construction; one draft per goal
    # is the promise, so compare the whole multiset (a second period's draft would show here).
    assert sorted((hid, goal) for _, hid, goal in drafts) == sorted(
        (f"HAI-{i:04d}", goal) for i in range(120) for goal in ("g-daily", "g-once")
    )
    stored = {did: (hid, goal) for did, hid, goal in drafts}
    listed_instances = set()
    for response in listing_results:
        hid = response.url.path.split("/")[-2]
        listed_instances.add(hid)
        listed = response.json()["deliverables"]
        assert sorted(stored[d["deliverable_id"]] for d in listed) == [
            (hid, "g-daily"),
            (hid, "g-once"),
        ]
    # Instances nobody listed can only have been drafted by the jobs.
    assert 2 * (120 - len(listed_instances)) <= generated <= 240


async def test_racing_identical_reviews_and_executions_agree_with_what_is_stored(
    postgres_url: str, engine: AsyncEngine
) -> None:
    """Identical approvals issue one approval id that every caller is told; identical
    executions each succeed once and leave one history row each, the last one stored."""
    async with two_stacks(postgres_url) as stacks:
        owners: dict[str, str] = {}
        for i in range(3):
            owner = f"racer-{i}"
            hired = await hire(stacks.first, owner)
            ok(await add_goal(stacks.first, hired, owner))
            [listed] = ok(
                await stacks.first.get(
                    f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables",
                    params={"customer_id": owner},
                )
            )["deliverables"]
            owners[listed["deliverable_id"]] = owner
        locked = rows_locked(Deliverable, "deliverable_id", owners)
        reviewed = await stacks.race_each_behind(
            engine,
            locked,
            owners,
            lambda client, deliverable_id: client.post(
                f"{API}/deliverables/{deliverable_id}/review",
                json={"customer_id": owners[deliverable_id], "decision": "approved"},
            ),
        )
        approvals = {d: {r.json()["approval_id"] for r in rs} for d, rs in reviewed.items()}
        executed = await stacks.race_each_behind(
            engine,
            locked,
            owners,
            lambda client, deliverable_id: client.post(
                f"{API}/deliverables/{deliverable_id}/execute",
                json={
                    "customer_id": owners[deliverable_id],
                    "approval_id": min(approvals[deliverable_id]),
                },
            ),
        )
    deliverables, reviews = table_of(Deliverable), table_of(DeliverableReview)
    executions = table_of(DeliverableExecution)
    async with engine.connect() as connection:
        stored = {
            row["deliverable_id"]: row
            for row in (await connection.execute(select(deliverables))).mappings()
        }
        reviewed_with = (
            await connection.execute(select(reviews.c.deliverable_id, reviews.c.approval_id))
        ).all()
        history = (
            (await connection.execute(select(executions).order_by(executions.c.execution_id)))
            .mappings()
            .all()
        )
    for deliverable_id in owners:
        assert statuses(reviewed[deliverable_id]) == {200}
        assert approvals[deliverable_id] == {stored[deliverable_id]["approval_id"]}
        assert statuses(executed[deliverable_id]) == {200}
        recorded = [row for row in history if row["deliverable_id"] == deliverable_id]
        assert len(recorded) == RACERS
        answered = {r.json()["executed_at"] for r in executed[deliverable_id]}
        assert answered == {
            row["executed_at"].isoformat().replace("+00:00", "Z") for row in recorded
        }
        # The deliverable keeps the execution recorded last.
        assert stored[deliverable_id]["executed_at"] == recorded[-1]["executed_at"]
    assert sorted(reviewed_with) == sorted(
        (deliverable_id, stored[deliverable_id]["approval_id"])
        for deliverable_id in owners
        for _ in range(RACERS)
    )
    # Reviews and executions emit no events.
    assert (
        await count(
            engine, NotificationEvent, table_of(NotificationEvent).c.hired_instance_id.is_not(None)
        )
        == 0
    )


async def test_racing_run_due_calls_make_one_draft_per_goal_period(
    postgres_url: str, engine: AsyncEngine
) -> None:
    async with two_stacks(postgres_url) as stacks:
        for i in range(3):
            owner = f"racer-{i}"
            hired = await hire(stacks.first, owner)
            ok(
                await add_goal(
                    stacks.first,
                    hired,
                    owner,
                    goal_template_id="trading.guardrail_report.v1",
                    frequency="daily",
                )
            )
            ok(await finalize(stacks.first, hired, owner))
        answers = await stacks.race(
            lambda client: client.post(
                f"{API}/scheduler/goals/run-due", json={"now": "2026-03-01T10:00:00Z"}
            )
        )
    assert statuses(answers) == {200}
    answered = [i for r in answers for i in r.json()["deliverable_ids"]]
    assert sum(r.json()["generated"] for r in answers) == len(answered) == 3
    deliverables = table_of(Deliverable)
    async with engine.connect() as connection:
        stored = (await connection.execute(select(deliverables.c.deliverable_id))).scalars().all()
    assert sorted(stored) == sorted(answered)
