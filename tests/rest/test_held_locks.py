"""A row held locked by another session refuses only the requests that need it, with a retryable
503 (gRPC UNAVAILABLE LOCK_TIMEOUT) while their caller still listens; everything else is
answered meanwhile, health stays SERVING, and the refused requests go through after release.
PostgreSQL: the row locks are its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import grpc
import pytest
from plant.store.v1 import hiring_pb2, hiring_pb2_grpc

from http_adapter.errors import error_info
from plant_store_client.probe import check_health
from store_service.db.postgres_pool import asyncpg_dsn
from tests.flows import API, TRADING_AGENT, TRADING_CONFIG, add_goal, draft, hire, ok, subscribe
from tests.harness import Stack, stack

POOL_SIZE = 3
LOCK_WAIT_SECONDS = 0.5


@pytest.fixture
async def plant(postgres_url: str) -> AsyncIterator[Stack]:
    store = {"db_pool_size": POOL_SIZE, "lock_wait_seconds": LOCK_WAIT_SECONDS}
    async with stack(postgres_url, store=store) as running:
        yield running


@asynccontextmanager
async def subscription_held_locked(plant: Stack, subscription_id: str) -> AsyncIterator[None]:
    holder = await asyncpg.connect(asyncpg_dsn(plant.store.database.engine.url))
    try:
        async with holder.transaction():
            await holder.execute(
                "SELECT 1 FROM subscriptions WHERE subscription_id = $1 FOR UPDATE",
                subscription_id,
            )
            yield
    finally:
        await holder.close()


async def unrelated_flow(plant: Stack, customer_id: str) -> None:
    """Checkout, draft, a goal and a read: rows of its own only."""
    hired = await hire(plant.http, customer_id)
    ok(await add_goal(plant.http, hired, customer_id))
    ok(await plant.http.get(f"{API}/agent-types"))


async def test_requests_behind_a_held_row_get_a_retryable_503_and_the_rest_go_through(
    plant: Stack,
) -> None:
    held = await subscribe(plant.http, "cust-held")
    target = f"127.0.0.1:{plant.store.port}"
    async with subscription_held_locked(plant, held):
        # More contended requests than the store has connections, beside unrelated flows.
        contended = [
            asyncio.create_task(draft(plant.http, held, "cust-held")) for _ in range(2 * POOL_SIZE)
        ]
        await asyncio.gather(*(unrelated_flow(plant, f"cust-free-{n}") for n in range(3)))
        assert await check_health(target) == "SERVING"
        refused = await asyncio.gather(*contended)
        assert {response.status_code for response in refused} == {503}
        assert all(response.headers["retry-after"] == "1" for response in refused)
        assert refused[0].json()["title"] == "Service Unavailable"
        hiring = hiring_pb2_grpc.HiringServiceStub(plant.channel)
        with pytest.raises(grpc.aio.AioRpcError) as unavailable:
            await hiring.UpsertDraftHiredAgent(
                hiring_pb2.UpsertDraftHiredAgentRequest(
                    subscription_id=held, agent_id=TRADING_AGENT, customer_id="cust-held"
                ),
                timeout=10,
            )
        assert unavailable.value.code() == grpc.StatusCode.UNAVAILABLE
        info = error_info(unavailable.value)
        assert info is not None and info.reason == "LOCK_TIMEOUT"
        assert plant.store.database.checked_out() == 0
    hired = ok(await draft(plant.http, held, "cust-held", config=TRADING_CONFIG))
    assert hired["subscription_id"] == held


async def test_a_review_behind_a_held_row_answers_within_a_deadline_tighter_than_the_ceiling(
    postgres_url: str,
) -> None:
    # The ceiling alone would outlast the adapter's deadline: the deadline must decide.
    store = {"lock_wait_seconds": 600}
    async with stack(postgres_url, store=store, adapter={"store_deadline_seconds": 4}) as plant:
        hired = await hire(plant.http, "cust-review")
        ok(await add_goal(plant.http, hired, "cust-review"))
        listed = ok(
            await plant.http.get(
                f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables",
                params={"customer_id": "cust-review"},
            )
        )
        deliverable_id = listed["deliverables"][0]["deliverable_id"]
        review = {"customer_id": "cust-review", "decision": "approved"}
        holder = await asyncpg.connect(asyncpg_dsn(plant.store.database.engine.url))
        try:
            async with holder.transaction():
                await holder.execute(
                    "SELECT 1 FROM deliverables WHERE deliverable_id = $1 FOR UPDATE",
                    deliverable_id,
                )
                refused = await plant.http.post(
                    f"{API}/deliverables/{deliverable_id}/review", json=review
                )
                assert refused.status_code == 503, refused.text
                assert refused.headers["retry-after"] == "1"
        finally:
            await holder.close()
        ok(await plant.http.post(f"{API}/deliverables/{deliverable_id}/review", json=review))
