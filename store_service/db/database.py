"""The store's handle on its database: an engine plus the unit-of-work boundary."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import StaticPool

from store_service.db.engine import create_engine
from store_service.db.sql import PostgresTransaction, SqlAlchemyTransaction, Transaction

# Errors that mean the connection itself is gone (server restarted, network cut).
CONNECTION_LOST = (asyncpg.InterfaceError, asyncpg.PostgresConnectionError, OSError)


class UnitOfWork(Transaction, Protocol):
    """A transaction that is rolled back on leaving unless committed."""

    async def commit(self) -> None: ...


class PostgresUnit(PostgresTransaction):
    def __init__(self, driver: Any, connection: AsyncConnection) -> None:
        super().__init__(driver, connection.dialect)
        self._transaction = driver.transaction()
        self.committed = False

    async def start(self) -> None:
        await self._transaction.start()

    async def commit(self) -> None:
        await self.flush()
        await self._transaction.commit()
        self.committed = True

    async def rollback(self) -> None:
        if not self.committed and not self.driver.is_closed():
            await self._transaction.rollback()


class SqlAlchemyUnit(SqlAlchemyTransaction):
    async def commit(self) -> None:
        await self.flush()
        await self.connection.commit()


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # An in-memory database is one shared connection: its users must take turns.
        self._turns = asyncio.Lock() if isinstance(engine.sync_engine.pool, StaticPool) else None

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 20) -> Database:
        return cls(create_engine(url, pool_size=pool_size))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if self._turns is None:
            yield
            return
        async with self._turns:
            yield

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        async with self._turn(), self.engine.connect() as connection:
            try:
                yield connection
            except CONNECTION_LOST:
                # A lost connection usually means the server restarted: every pooled
                # connection is stale, so start a fresh pool instead of failing on each.
                await connection.invalidate()
                await self.engine.dispose(close=False)
                raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """One unit of work: rolled back on leaving unless the caller committed it."""
        async with self._connection() as connection:
            if self.dialect == "postgresql":
                raw = await connection.get_raw_connection()
                unit = PostgresUnit(raw.driver_connection, connection)
                await unit.start()
                try:
                    yield unit
                finally:
                    await unit.rollback()
                return
            await connection.begin()
            try:
                yield SqlAlchemyUnit(connection)
            finally:
                if connection.in_transaction():
                    await connection.rollback()

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[Transaction]:
        """Reads outside an explicit transaction where the database allows it (no BEGIN)."""
        async with self._connection() as connection:
            if self.dialect == "postgresql":
                raw = await connection.get_raw_connection()
                yield PostgresTransaction(raw.driver_connection, connection.dialect)
                return
            try:
                yield SqlAlchemyTransaction(connection)
            finally:
                if connection.in_transaction():
                    await connection.rollback()

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Transaction]:
        """Every statement commits on its own: for work whose writes are each atomic and
        idempotent, where a transaction would only add BEGIN and COMMIT round trips."""
        async with self._connection() as connection:
            if self.dialect == "postgresql":
                raw = await connection.get_raw_connection()
                statements = PostgresTransaction(raw.driver_connection, connection.dialect)
                yield statements
                await statements.flush()
                return
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
        async with self._turn(), self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
