"""Lock waits end within the caller's deadline (or the ceiling) and give their connection back;
the health probe never queues behind them for a pooled connection. PostgreSQL: the row locks
under test are its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy import text

from store_service.db.database import Database
from store_service.db.lock_waits import lock_wait_ms
from store_service.db.postgres_pool import asyncpg_dsn
from store_service.deadlines import call_deadline

LOCK_SEEDED_ROW = text(
    "SELECT 1 FROM agent_types WHERE agent_type_id = 'marketing.healthcare.v1' FOR UPDATE"
)
TOUCH_SEEDED_ROW = text(
    "UPDATE agent_types SET position = position WHERE agent_type_id = 'marketing.healthcare.v1'"
)
# Only bounds the test if the code under test does not: a hang would fail it, not stall it.
HANG_GUARD_SECONDS = 20


@asynccontextmanager
async def row_held_locked(database: Database) -> AsyncIterator[None]:
    """Another session holds the seeded row locked until the block ends."""
    holder = await asyncpg.connect(asyncpg_dsn(database.engine.url))
    try:
        async with holder.transaction():
            assert await holder.fetchval(str(LOCK_SEEDED_ROW)) == 1
            yield
    finally:
        await holder.close()


async def lock_the_row(database: Database) -> None:
    async with database.transaction() as tx:
        await tx.scalar(LOCK_SEEDED_ROW)
        await tx.commit()


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    # A ceiling far beyond any deadline used here, so the deadline is what ends the waits.
    opened = Database.from_url(postgres_url, pool_size=2, lock_wait_seconds=600)
    try:
        yield opened
    finally:
        await opened.dispose()


@pytest.mark.unit
def test_a_lock_wait_takes_at_most_half_of_the_remaining_deadline() -> None:
    assert lock_wait_ms(2.0) == 2000
    with call_deadline(1.0):
        assert 1 <= lock_wait_ms(2.0) <= 500
    with call_deadline(60.0):
        assert lock_wait_ms(2.0) == 2000
    with call_deadline(-1.0):
        assert lock_wait_ms(2.0) == 1  # a passed deadline still must not mean "wait forever"
    with call_deadline(None):
        assert lock_wait_ms(2.0) == 2000


async def test_a_transaction_stops_waiting_for_a_held_row_within_the_deadline(
    database: Database,
) -> None:
    async with row_held_locked(database):
        with call_deadline(2.0), pytest.raises(asyncpg.LockNotAvailableError):
            await asyncio.wait_for(lock_the_row(database), HANG_GUARD_SECONDS)
        assert database.checked_out() == 0
    await lock_the_row(database)


async def test_a_statement_outside_a_transaction_waits_at_most_the_ceiling(
    postgres_url: str,
) -> None:
    database = Database.from_url(postgres_url, pool_size=2, lock_wait_seconds=0.5)
    try:

        async def touch() -> None:
            async with database.autocommit() as statements:
                await statements.execute(TOUCH_SEEDED_ROW)

        async with row_held_locked(database):
            with pytest.raises(asyncpg.LockNotAvailableError):
                await asyncio.wait_for(touch(), HANG_GUARD_SECONDS)
        await touch()
    finally:
        await database.dispose()


async def test_the_health_probe_answers_while_every_pooled_connection_waits(
    database: Database,
) -> None:
    answered_while_held: list[bool] = []
    async with row_held_locked(database):
        waiters = [asyncio.create_task(lock_the_row(database)) for _ in range(database.pool_size)]
        for _ in range(HANG_GUARD_SECONDS * 100):
            if database.checked_out() == database.pool_size:
                break
            await asyncio.sleep(0.01)
        probe = asyncio.create_task(database.ping())
        done, _ = await asyncio.wait({probe}, timeout=HANG_GUARD_SECONDS)
        answered_while_held.append(probe in done and database.checked_out() == database.pool_size)
    await asyncio.gather(*waiters)
    await probe
    assert answered_while_held == [True]
