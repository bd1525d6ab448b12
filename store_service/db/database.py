"""The store's handle on its database: an engine plus the unit-of-work boundary."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import StaticPool

from store_service.db.engine import create_engine
from store_service.db.postgres_pool import PostgresPool
from store_service.db.sql import PostgresTransaction, SqlAlchemyTransaction, Transaction


class UnitOfWork(Transaction, Protocol):
    """A transaction that is rolled back on leaving unless committed."""

    async def commit(self) -> None: ...


class PostgresUnit(PostgresTransaction):
    def __init__(self, driver: Any, sa_dialect: Dialect) -> None:
        super().__init__(driver, sa_dialect)
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
    """PostgreSQL through an asyncpg pool (postgres_pool.py); SQLite through SQLAlchemy's engine.

    The engine also serves migrations and the schema check on both."""

    def __init__(self, engine: AsyncEngine, *, pool_size: int = 20) -> None:
        self.engine = engine
        self.pool_size = pool_size
        self._postgres = (
            PostgresPool(engine.url, pool_size) if engine.dialect.name == "postgresql" else None
        )
        # An in-memory database is one shared connection: its users must take turns.
        self._turns = asyncio.Lock() if isinstance(engine.sync_engine.pool, StaticPool) else None

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 20) -> Database:
        return cls(create_engine(url, pool_size=pool_size), pool_size=pool_size)

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
                yield connection
            return
        async with self._turns, self.engine.connect() as connection:
            yield connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """One unit of work: rolled back on leaving unless the caller committed it."""
        if self._postgres is not None:
            async with self._postgres.connection() as driver:
                unit = PostgresUnit(driver, self.engine.dialect)
                await unit.start()
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
        if self._postgres is not None:
            async with self._postgres.connection() as driver:
                await driver.fetchval("SELECT 1")
            return
        async with self._embedded() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._postgres is not None:
            await self._postgres.close()
        await self.engine.dispose()
