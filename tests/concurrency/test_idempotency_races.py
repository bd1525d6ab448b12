"""Keyed REST writes raced across two store processes on PostgreSQL: one effect, one answer."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import (
    DeliverableExecution,
    DeliverableReview,
    NotificationEvent,
    TrialTransition,
)
from tests.support.flows import API, add_goal, hire, ok
from tests.support.processes import replicas
from tests.support.races import count

RACERS = 12


async def race(
    clients: list[httpx.AsyncClient], method: str, path: str, **request: Any
) -> set[tuple[int, bytes]]:
    """The distinct answers of RACERS identical keyed requests spread over both replicas."""
    headers = {"Idempotency-Key": f"race:{path}"}
    answers = await asyncio.gather(
        *(
            clients[i % len(clients)].request(method, path, headers=headers, **request)
            for i in range(RACERS)
        )
    )
    return {(answer.status_code, answer.content) for answer in answers}


async def test_keyed_writes_raced_over_two_stores_take_effect_once(
    postgres_url: str, engine: AsyncEngine
) -> None:
    customer = {"customer_id": "racer"}
    async with replicas(postgres_url, 2) as running:
        clients = [httpx.AsyncClient(base_url=r.http_url, timeout=60) for r in running]
        try:
            hired = await hire(clients[0], "racer")
            ok(await add_goal(clients[0], hired, "racer", goal_instance_id="trade-1"))
            instance = f"{API}/hired-agents/{hired['hired_instance_id']}"
            [deliverable] = ok(await clients[0].get(f"{instance}/deliverables", params=customer))[
                "deliverables"
            ]
            deliverable_path = f"{API}/deliverables/{deliverable['deliverable_id']}"

            finalized = await race(
                clients, "POST", f"{instance}/finalize", json=customer | {"goals_completed": True}
            )
            cancelled = await race(
                clients,
                "POST",
                f"{API}/payments/subscriptions/{hired['subscription_id']}/cancel",
                params=customer,
            )
            reviewed = await race(
                clients,
                "POST",
                f"{deliverable_path}/review",
                json=customer | {"decision": "approved"},
            )
            [(_, review)] = reviewed
            approval = {"approval_id": httpx.Response(200, content=review).json()["approval_id"]}
            executed = await race(
                clients, "POST", f"{deliverable_path}/execute", json=customer | approval
            )
        finally:
            for client in clients:
                await client.aclose()

    for answers in (finalized, cancelled, reviewed, executed):
        assert len(answers) == 1
        [(status, _)] = answers
        assert status == 200
    assert await count(engine, TrialTransition) == 1
    assert await count(engine, DeliverableReview) == 1
    assert await count(engine, DeliverableExecution) == 1
    for event_type in ("trial_activated", "cancel_scheduled"):
        assert (
            await count(engine, NotificationEvent, NotificationEvent.event_type == event_type) == 1
        )
