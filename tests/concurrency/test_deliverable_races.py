"""One draft per goal and period, while listings and two scheduler processes race."""

from __future__ import annotations

import asyncio
import json

import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import Deliverable, GoalInstance, HiredInstance, Subscription, table_of
from store_service.wire.documents import to_json
from tests.flows import TRADING_CONFIG
from tests.processes import replicas, run_cli
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
        total = await connection.scalar(select(func.count()).select_from(deliverables))
        duplicates = (
            await connection.execute(
                select(deliverables.c.hired_instance_id, deliverables.c.goal_instance_id)
                .group_by(
                    deliverables.c.hired_instance_id,
                    deliverables.c.goal_instance_id,
                    deliverables.c.period_key,
                )
                .having(func.count() > 1)
            )
        ).all()
    assert total == 240
    assert duplicates == []
    assert generated <= 240
