"""The store's PostgreSQL connections: one asyncpg pool, opened on first use.

SQLAlchemy stays the source of the schema and of every statement (compiled once, see sql.py);
connections for the hot path come from asyncpg's own pool, which hands one out and takes it back
in a few microseconds, where an SQLAlchemy checkout costs about 7 % of the store's CPU under
load (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn

import asyncpg
import orjson
from sqlalchemy.engine import URL

# Errors that only ever mean the connection itself is gone (server restarted, network cut).
CONNECTION_LOST = (asyncpg.PostgresConnectionError, OSError)
# Every error the driver raises. Most leave the connection usable: the driver's InterfaceError
# also stands for requests it refuses before sending them (more than 32,767 arguments). They
# count as a lost connection only when the connection has in fact closed.
DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
)
CONNECT_TIMEOUT_SECONDS = 5
ACQUIRE_TIMEOUT_SECONDS = 30
# Distinct statements per connection: every prebuilt statement and the combinations deferred
# writes make (sql.py) stay prepared.
STATEMENT_CACHE_SIZE = 512


def asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _prepare(connection: asyncpg.Connection) -> None:
    # JSON parameters arrive as text (sql.py renders them); results decode with orjson.
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", encoder=str, decoder=orjson.loads, format="text"
        )


async def _reset(_connection: asyncpg.Connection) -> None:
    # The pool has already rolled back any open transaction; nothing here sets session state,
    # so the default reset (a RESET ALL / UNLISTEN round trip on every release) buys nothing.
    return


def _closed(connection: asyncpg.Connection) -> bool:
    try:
        return bool(connection.is_closed())
    except asyncpg.InterfaceError:
        # The pool detaches a connection from its proxy as soon as the connection closes.
        return True


class ConnectionLost(Exception):
    """The database connection went away during a call (the cause is chained)."""


class PostgresPool:
    """The pool, plus one connection of its own for the health probe: a probe that queued
    behind application traffic for a pooled connection would report a busy database as down."""

    def __init__(self, url: URL, size: int, lock_wait_ms: int) -> None:
        self._dsn = asyncpg_dsn(url)
        self.size = size
        # Bounds lock waits of statements outside a transaction; transactions set their own.
        self._server_settings = {"lock_timeout": str(lock_wait_ms)}
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._probe: asyncpg.Connection | None = None

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    # No connection is opened here: the store starts while the database is down.
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=0,
                        max_size=self.size,
                        # Keep connections (and their prepared statements) while idle.
                        max_inactive_connection_lifetime=0,
                        init=_prepare,
                        reset=_reset,
                        timeout=CONNECT_TIMEOUT_SECONDS,
                        statement_cache_size=STATEMENT_CACHE_SIZE,
                        server_settings=self._server_settings,
                    )
        return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        pool = await self._opened()
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS) as connection:
            try:
                yield connection
            except DRIVER_ERRORS as error:
                if isinstance(error, CONNECTION_LOST) or _closed(connection):
                    await self._lost(pool, connection, error)
                if isinstance(error, asyncpg.InternalClientError):
                    # A protocol state the driver cannot recover from: this connection only.
                    connection.terminate()
                raise

    @staticmethod
    async def _lost(
        pool: asyncpg.Pool, connection: asyncpg.Connection, error: Exception
    ) -> NoReturn:
        # A lost connection usually means the server restarted: every pooled connection is
        # stale, so replace them all instead of failing on each.
        if not _closed(connection):
            connection.terminate()
        await pool.expire_connections()
        raise ConnectionLost from error

    async def ping(self) -> None:
        """`SELECT 1` on the probe's own connection, opened again after any failure."""
        try:
            if self._probe is None or self._probe.is_closed():
                self._probe = await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT_SECONDS)
            await self._probe.fetchval("SELECT 1")
        except BaseException:
            # Cancelled or failed halfway, the connection's state is unknown: start afresh.
            self._drop_probe()
            raise

    def _drop_probe(self) -> None:
        if self._probe is not None:
            self._probe.terminate()
            self._probe = None

    def checked_out(self) -> int:
        if self._pool is None:
            return 0
        return int(self._pool.get_size() - self._pool.get_idle_size())

    async def close(self) -> None:
        self._drop_probe()
        if self._pool is None:
            return
        try:
            await asyncio.wait_for(self._pool.close(), CONNECT_TIMEOUT_SECONDS)
        except TimeoutError:
            self._pool.terminate()
        self._pool = None
