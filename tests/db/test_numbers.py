"""Document numbers: unique and increasing per kind and day on both backends; on PostgreSQL
drawn without waiting on any row, and a day in progress goes on across the migration."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import insert, select

from store_service.db.database import Database
from store_service.db.engine import create_engine
from store_service.db.migrate import migrate
from store_service.db.models import NumberSequence, table_of
from store_service.db.postgres_pool import asyncpg_dsn
from store_service.deadlines import call_deadline
from store_service.services.numbers import next_numbers
from tests.support.databases import PostgresDatabases
from tests.support.flows import subscribe
from tests.support.harness import stack

DAY = datetime(2026, 11, 26, 12, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 27, 12, tzinfo=UTC)
# Only bounds the test if the code under test does not: a hang would fail it, not stall it.
HANG_GUARD_SECONDS = 20


async def draw(database: Database, prefixes: tuple[str, ...], now: datetime = DAY) -> list[str]:
    async with database.transaction() as tx:
        numbers = await next_numbers(tx, prefixes, now)
        await tx.commit()
    return numbers


def sequence_number(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


async def test_each_counter_advances_by_one_per_draw(database: Database) -> None:
    assert await draw(database, ("RCT", "INV")) == ["RCT-20261126-0001", "INV-20261126-0001"]
    assert await draw(database, ("RCT",)) == ["RCT-20261126-0002"]
    assert await draw(database, ("RCT", "INV")) == ["RCT-20261126-0003", "INV-20261126-0002"]


async def test_each_day_counts_from_one(database: Database) -> None:
    assert await draw(database, ("RCT",)) == ["RCT-20261126-0001"]
    assert await draw(database, ("RCT",)) == ["RCT-20261126-0002"]
    assert await draw(database, ("RCT", "INV"), NEXT_DAY) == [
        "RCT-20261127-0001",
        "INV-20261127-0001",
    ]


async def test_a_kind_that_starts_later_in_the_day_counts_from_one(database: Database) -> None:
    assert await draw(database, ("RCT",)) == ["RCT-20261126-0001"]
    assert await draw(database, ("RCT", "INV")) == ["RCT-20261126-0002", "INV-20261126-0001"]


async def test_a_rolled_back_draw_is_never_issued_again(database: Database) -> None:
    async with database.transaction() as tx:
        await next_numbers(tx, ("RCT", "INV"), DAY)
    after = [await draw(database, ("RCT", "INV")) for _ in range(2)]
    receipts = [sequence_number(numbers[0]) for numbers in after]
    assert receipts[0] < receipts[1]
    if database.dialect == "sqlite":
        assert after[0] == ["RCT-20261126-0001", "INV-20261126-0001"]  # counters: gap-free


async def test_concurrent_draws_get_distinct_consecutive_numbers(database: Database) -> None:
    drawn = await asyncio.gather(*(draw(database, ("RCT", "INV")) for _ in range(12)))
    receipts = sorted(numbers[0] for numbers in drawn)
    invoices = sorted(numbers[1] for numbers in drawn)
    assert receipts == [f"RCT-20261126-{n:04d}" for n in range(1, 13)]
    assert invoices == [f"INV-20261126-{n:04d}" for n in range(1, 13)]


async def test_drawing_does_not_wait_for_a_session_holding_the_days_rows(
    postgres_url: str,
) -> None:
    database = Database.from_url(postgres_url, pool_size=2, lock_wait_seconds=600)
    try:
        assert await draw(database, ("RCT", "INV")) == ["RCT-20261126-0001", "INV-20261126-0001"]
        holder = await asyncpg.connect(asyncpg_dsn(database.engine.url))
        try:
            async with holder.transaction():
                for table in ("number_sequences", "number_day_starts"):
                    await holder.execute(f"SELECT 1 FROM {table} FOR UPDATE")
                with call_deadline(HANG_GUARD_SECONDS):
                    numbers = await asyncio.wait_for(
                        draw(database, ("RCT", "INV")), HANG_GUARD_SECONDS
                    )
                assert numbers == ["RCT-20261126-0002", "INV-20261126-0002"]
        finally:
            await holder.close()
    finally:
        await database.dispose()


async def test_a_day_in_progress_goes_on_after_the_migration(postgres: PostgresDatabases) -> None:
    async with postgres.fresh() as url:
        engine = create_engine(url)
        try:
            await migrate(engine, "upgrade", "0003")
            async with engine.begin() as connection:
                await connection.execute(
                    insert(table_of(NumberSequence)).values(
                        kind="RCT", day="20261126", last_value=41
                    )
                )
            await migrate(engine)
        finally:
            await engine.dispose()
        database = Database.from_url(url, pool_size=1)
        try:
            assert await draw(database, ("RCT", "INV")) == [
                "RCT-20261126-0042",
                "INV-20261126-0001",
            ]
        finally:
            await database.dispose()


async def test_the_downgrade_hands_the_counters_the_highest_numbers_issued(
    postgres_url: str,
) -> None:
    async with stack(postgres_url) as plant:
        for customer in ("c1", "c2"):
            await subscribe(plant.http, customer)
    engine = create_engine(postgres_url)
    try:
        await migrate(engine, "downgrade", "0003")
        async with engine.connect() as connection:
            counters = {
                (row.kind, row.last_value)
                for row in await connection.execute(select(table_of(NumberSequence)))
            }
    finally:
        await engine.dispose()
    assert counters == {("RCT", 2), ("INV", 2)}
