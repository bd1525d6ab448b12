"""Document numbers: several counters advance in one statement, each gap-free, on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from store_service.db.database import Database
from store_service.services.numbers import next_numbers

DAY = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def draw(database: Database, prefixes: tuple[str, ...]) -> list[str]:
    async with database.transaction() as tx:
        numbers = await next_numbers(tx, prefixes, DAY)
        await tx.commit()
    return numbers


async def test_each_counter_advances_by_one_per_draw(database: Database) -> None:
    assert await draw(database, ("RCT", "INV")) == ["RCT-20261126-0001", "INV-20261126-0001"]
    assert await draw(database, ("RCT",)) == ["RCT-20261126-0002"]
    assert await draw(database, ("RCT", "INV")) == ["RCT-20261126-0003", "INV-20261126-0002"]


async def test_a_rolled_back_draw_gives_its_numbers_back(database: Database) -> None:
    async with database.transaction() as tx:
        await next_numbers(tx, ("RCT", "INV"), DAY)
    assert await draw(database, ("RCT", "INV")) == ["RCT-20261126-0001", "INV-20261126-0001"]


async def test_concurrent_draws_get_distinct_consecutive_numbers(database: Database) -> None:
    drawn = await asyncio.gather(*(draw(database, ("RCT", "INV")) for _ in range(12)))
    receipts = sorted(numbers[0] for numbers in drawn)
    invoices = sorted(numbers[1] for numbers in drawn)
    assert receipts == [f"RCT-20261126-{n:04d}" for n in range(1, 13)]
    assert invoices == [f"INV-20261126-{n:04d}" for n in range(1, 13)]
