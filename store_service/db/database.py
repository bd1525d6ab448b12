"""The store's handle on its database: an engine plus the unit-of-work boundary."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol, cast

import aiosqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import StaticPool

from store_service.db.engine import create_engine
from store_service.db.lock_waits import DEFAULT_LOCK_WAIT_SECONDS, lock_wait_ms, whole_ms
from store_service.db.postgres_pool import PostgresPool
from store_service.db.sql import PostgresTransaction, SqlAlchemyTransaction, Transaction


class UnitOfWork(Transaction, Protocol):
    """A transaction that is rolled back on leaving unless committed."""

    async def commit(self) -> None: ...


class PostgresUnit(PostgresTransaction):
    def __init__(self, driver: Any, sa_dialect: Dialect) -> None:
        super().__init__(driver, sa_dialect)
        self.committed = False

    async def start(self, lock_wait_ms: int) -> None:
        # One round trip, as BEGIN alone would take: the bound lasts until COMMIT or ROLLBACK.
        await self.driver.execute(f"BEGIN; SET LOCAL lock_timeout = {int(lock_wait_ms)}")

    async def commit(self) -> None:
        await self.flush()
        await self.driver.execute("COMMIT")
        self.committed = True

    async def rollback(self) -> None:
        if not self.committed and not self.driver.is_closed():
            await self.driver.execute("ROLLBACK")


class SqlAlchemyUnit(SqlAlchemyTransaction):
    async def commit(self) -> None:
        await self.flush()
        await self.connection.commit()


class Database:
    """PostgreSQL through an asyncpg pool (postgres_pool.py); SQLite through SQLAlchemy's engine.

    The engine also serves migrations and the schema check on both. No lock wait lasts longer
    than `lock_wait_seconds`, nor past half of what is left of the caller's deadline
    (lock_waits.py)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        pool_size: int = 20,
        lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
    ) -> None:
        self.engine = engine
        self.pool_size = pool_size
        self.lock_wait_seconds = lock_wait_seconds
        self._postgres = (
            PostgresPool(engine.url, pool_size, self._ceiling_ms)
            if engine.dialect.name == "postgresql"
            else None
        )
        # An in-memory database is one shared connection: its users must take turns.
        self._turns = asyncio.Lock() if isinstance(engine.sync_engine.pool, StaticPool) else None

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        pool_size: int = 20,
        lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
    ) -> Database:
        return cls(
            create_engine(url, pool_size=pool_size),
            pool_size=pool_size,
            lock_wait_seconds=lock_wait_seconds,
        )

    @property
    def _ceiling_ms(self) -> int:
        return whole_ms(self.lock_wait_seconds)

    def waits_within_deadline_outside_transactions(self) -> bool:
        """Whether statements outside a transaction, whose lock waits only the session's
        ceiling bounds, can wait that long without running past the caller's deadline."""
        return lock_wait_ms(self.lock_wait_seconds) >= self._ceiling_ms

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def checked_out(self) -> int:
        """Connections in use right now."""
        if self._postgres is not None:
            return self._postgres.checked_out()
        return int(getattr(self.engine.sync_engine.pool, "checkedout", lambda: 0)())

    @asynccontextmanager
    async def _embedded(self) -> AsyncIterator[AsyncConnection]:
        if self._turns is None:
            async with self.engine.connect() as connection:
                await self._bound_busy_waits(connection)
                yield connection
            return
        async with self._turns, self.engine.connect() as connection:
            yield connection

    async def _bound_busy_waits(self, connection: AsyncConnection) -> None:
        """SQLite's lock wait is its busy timeout: bounded like PostgreSQL's lock_timeout."""
        raw = await connection.get_raw_connection()
        driver = cast(aiosqlite.Connection, raw.driver_connection)
        cursor = await driver.execute(
            f"PRAGMA busy_timeout = {lock_wait_ms(self.lock_wait_seconds)}"
        )
        await cursor.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """One unit of work: rolled back on leaving unless the caller committed it."""
        if self._postgres is not None:
            async with self._postgres.connection() as driver:
                unit = PostgresUnit(driver, self.engine.dialect)
                await unit.start(lock_wait_ms(self.lock_wait_seconds))
                try:
                    yield unit
                finally:
                    await unit.rollback()
            return
        async with self._embedded() as connection:
            await connection.begin()
            try:
                yield SqlAlchemyUnit(connection)
            finally:
                if connection.in_transaction():
                    await connection.rollback()

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[Transaction]:
        """Reads outside an explicit transaction where the database allows it (no BEGIN)."""
        if self._postgres is not None:
            async with self._postgres.connection() as driver:
                yield PostgresTransaction(driver, self.engine.dialect)
            return
        async with self._embedded() as connection:
            try:
                yield SqlAlchemyTransaction(connection)
            finally:
                if connection.in_transaction():
                    await connection.rollback()

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Transaction]:
        """Every statement commits on its own: for work whose writes are each atomic and
        idempotent, where a transaction would only add BEGIN and COMMIT round trips."""
        if self._postgres is not None:
            async with self._postgres.connection() as driver:
                statements = PostgresTransaction(driver, self.engine.dialect)
                yield statements
                await statements.flush()
            return
        async with self._embedded() as connection:
            await connection.begin()
            try:
                embedded = SqlAlchemyTransaction(connection)
                yield embedded
                await embedded.flush()
                await connection.commit()
            finally:
                if connection.in_transaction():
                    await connection.rollback()

    async def ping(self) -> None:
        """Whether the database answers, without waiting for a pooled connection."""
        if self._postgres is not None:
            await self._postgres.ping()
            return
        if self._turns is not None:
            # An in-memory database lives in this process: it answers while the process runs.
            return
        async with aiosqlite.connect(self.engine.url.database or "") as connection:
            await connection.execute("SELECT 1")

    async def dispose(self) -> None:
        if self._postgres is not None:
            await self._postgres.close()
        await self.engine.dispose()
