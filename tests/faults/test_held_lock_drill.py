"""Fault drill: another session holds rows locked while clients run complete flows.

Real store and adapter processes on PostgreSQL (the drills' stack). The session holds one
customer's subscription and the day's document-number rows, which every checkout used to need.
While they are held, flows that touch no held row are all answered; requests for the held
subscription get a retryable 503 (not the 504 of a caller's deadline), the store stays SERVING,
and once the rows are released the refused request goes through. Behaviour only: no durations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from plant_store_client.probe import check_health
from store_service.db.postgres_pool import asyncpg_dsn
from tests.faults import test_drills
from tests.faults.test_drills import Ledger, Stack, assert_everything_acknowledged_is_stored, load
from tests.flows import draft, ok, subscribe

# The drills' store and adapter processes on one fresh database.
stack = test_drills.processes
HELD_SECONDS = 6


@asynccontextmanager
async def rows_held_locked(database_url: str, subscription_id: str) -> AsyncIterator[None]:
    holder = await asyncpg.connect(asyncpg_dsn(make_url(database_url)))
    try:
        async with holder.transaction():
            await holder.execute(
                "SELECT 1 FROM subscriptions WHERE subscription_id = $1 FOR UPDATE",
                subscription_id,
            )
            for table in ("number_sequences", "number_day_starts"):
                await holder.execute(f"SELECT 1 FROM {table} FOR UPDATE")
            yield
    finally:
        await holder.close()


async def knock(url: str, subscription_id: str, answers: list[httpx.Response]) -> None:
    """Keeps asking for the held subscription's draft, as a retrying client would."""
    async with httpx.AsyncClient(base_url=url, timeout=15) as http:
        while True:
            answers.append(await draft(http, subscription_id, "held-customer"))
            await asyncio.sleep(0.2)


async def test_held_rows_refuse_only_their_requests_and_starve_nothing_else(
    stack: Stack, engine: AsyncEngine
) -> None:
    async with httpx.AsyncClient(base_url=stack.http_url, timeout=15) as http:
        held = await subscribe(http, "held-customer")  # also starts the day's numbers
    ledger, stop, knocks, health = Ledger(), asyncio.Event(), list[httpx.Response](), []
    async with rows_held_locked(stack.database_url, held):
        traffic = asyncio.create_task(load(stack.http_url, ledger, stop))
        knocking = [asyncio.create_task(knock(stack.http_url, held, knocks)) for _ in range(2)]
        for _ in range(HELD_SECONDS * 2):
            health.append(await check_health(stack.store_target))
            await asyncio.sleep(0.5)
        stop.set()
        await traffic
        for task in knocking:
            task.cancel()
        await asyncio.gather(*knocking, return_exceptions=True)
        answered_while_held = dict(ledger.statuses)
    async with httpx.AsyncClient(base_url=stack.http_url, timeout=15) as http:
        ok(await draft(http, held, "held-customer"))
    assert set(health) == {"SERVING"}
    assert set(answered_while_held) == {200} and ledger.orders, answered_while_held
    assert knocks and {answer.status_code for answer in knocks} == {503}
    assert {answer.headers["retry-after"] for answer in knocks} == {"1"}
    await assert_everything_acknowledged_is_stored(engine, ledger)
