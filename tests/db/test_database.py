"""The store's connections: counted while held, given back when the unit ends; after the
server drops them they are replaced, not handed out again."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import func, literal, select

from store_service.db.database import Database
from store_service.db.postgres_pool import ConnectionLost
from store_service.db.sql import Statement
from tests.support.databases import TestDatabases

ONE = Statement(select(literal(1)))
BACKEND = Statement(select(func.pg_backend_pid()))


async def test_connections_are_counted_while_held_and_given_back(database: Database) -> None:
    assert database.checked_out() == 0
    async with database.transaction(), database.reader():
        assert database.checked_out() == 2
    assert database.checked_out() == 0


async def test_abandoned_units_roll_back_and_their_connections_come_back_clean(
    database: Database,
) -> None:
    for _ in range(5):  # more units than connections: each connection was reused
        with pytest.raises(RuntimeError):
            async with database.transaction() as tx:
                await tx.scalar(ONE)
                raise RuntimeError("abandoned")
    async with database.transaction() as tx:
        assert await tx.scalar(ONE) == 1
        await tx.commit()
    assert database.checked_out() == 0


async def test_connections_the_server_dropped_are_replaced(test_databases: TestDatabases) -> None:
    async with test_databases.postgres() as url:
        database = Database.from_url(url, pool_size=2)
        try:
            async with database.reader() as tx, database.autocommit() as other:
                assert await tx.scalar(ONE) == await other.scalar(ONE) == 1
            admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            finally:
                await admin.close()
            # One use may still meet a dead connection the driver had not noticed yet (and fail
            # as "unreachable"); that failure replaces all of them, so no later use fails.
            failures = 0
            for _ in range(6):
                try:
                    async with database.reader() as tx, database.autocommit() as other:
                        assert await tx.scalar(ONE) == await other.scalar(ONE) == 1
                except ConnectionLost:
                    failures += 1
                    assert failures == 1
        finally:
            await database.dispose()


async def test_a_statement_the_driver_refuses_keeps_its_connection(
    test_databases: TestDatabases,
) -> None:
    async with test_databases.postgres() as url:
        database = Database.from_url(url, pool_size=1)
        try:
            async with database.reader() as tx:
                backend = await tx.scalar(BACKEND)
            # 40,000 bind parameters: asyncpg refuses before sending, the connection is fine.
            oversized = select(literal(1)).where(literal(1).in_(list(range(40_000))))
            with pytest.raises(asyncpg.InterfaceError):
                async with database.reader() as tx:
                    await tx.scalar(oversized)
            async with database.reader() as tx:
                assert await tx.scalar(BACKEND) == backend
        finally:
            await database.dispose()
