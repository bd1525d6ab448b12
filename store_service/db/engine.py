"""Creates the async engine for a database URL; the only place that knows the dialects apart."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiosqlite
import orjson
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

# aiosqlite logs every statement with its parameters at DEBUG: values never reach a log line,
# whatever LOG_LEVEL says.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, open transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; the busy timeout makes writers queue, not fail.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Take the write lock up front: a deferred transaction that reads and then writes fails with
    # SQLITE_BUSY instead of waiting when another writer got there first.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _opening_sqlite_file(path: str) -> Any:
    """The connector of a file database: aiosqlite's own, except that a file that cannot be
    opened is reported only after aiosqlite's thread for it has ended."""

    async def connect() -> aiosqlite.Connection:
        connection = aiosqlite.connect(path)
        # A thread that never blocks the interpreter's exit (what SQLAlchemy's connector does).
        connection._thread.daemon = True
        try:
            return await connection
        except BaseException:
            # aiosqlite stops a connection that failed to open without waiting for its thread,
            # which then answers from the thread; on a loop closed meanwhile that answer is a
            # traceback of its own after the one line the command printed. Wait for it here.
            await asyncio.to_thread(connection._thread.join, THREAD_END_SECONDS)
            raise

    return connect


# How long a failed SQLite open waits for its aiosqlite thread (it ends within milliseconds).
THREAD_END_SECONDS = 5.0


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    options: dict[str, Any] = {
        "json_serializer": _json_dumps,
        "json_deserializer": orjson.loads,
        # An error's text would otherwise quote its statement's values: customers' documents,
        # secrets in goal settings.
        "hide_parameters": True,
    }
    if url.startswith("sqlite"):
        in_memory = url.rstrip("/").endswith(":memory:") or url in ("sqlite+aiosqlite://",)
        if in_memory:
            # One shared connection, or every checkout would see its own empty database.
            options |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        elif not make_url(url).query:
            options["async_creator"] = _opening_sqlite_file(make_url(url).database or "")
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    options |= {
        # A fixed set of connections: overflow connections would be opened and closed under
        # load, paying connection set-up and statement preparation again each time.
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_timeout": 30,
        "pool_pre_ping": False,
        "pool_recycle": 1800,
        # Fail fast when the server is down, so callers get UNAVAILABLE instead of a hang.
        "connect_args": {"timeout": 5},
    }
    return create_async_engine(url, **options)
