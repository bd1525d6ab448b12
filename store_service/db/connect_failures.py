"""Why a database cannot be used, in one line an operator can act on.

Unreachable, missing and refusing are different fixes (network, `createdb`, credentials): each
is told apart here from the driver's error, wherever SQLAlchemy or asyncpg wrapped it.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator

import asyncpg
from sqlalchemy.engine import make_url

from store_service.database_urls import masked

AUTHENTICATION_FAILED = (
    asyncpg.InvalidPasswordError,
    asyncpg.InvalidAuthorizationSpecificationError,
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _server(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return f"SQLite file {parsed.database or ':memory:'!r}"
    host = parsed.host or parsed.query.get("host") or "localhost"
    return f"{host}:{parsed.port or 5432}"


def _reason(error: BaseException, url: str) -> str | None:
    parsed = make_url(url)
    server = _server(url)
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return (
            f"database {parsed.database!r} does not exist on {server} (create it, or fix the URL)"
        )
    if isinstance(error, AUTHENTICATION_FAILED):
        # The server's message names the user, never the password.
        return f"authentication failed on {server}: {error}"
    if isinstance(error, socket.gaierror):
        return f"unreachable: host name of {server} not found ({error.strerror})"
    if isinstance(error, ConnectionRefusedError):
        return f"unreachable: {server} refused the connection (is the server running there?)"
    if isinstance(error, TimeoutError):
        return f"unreachable: no answer from {server} in time"
    if isinstance(error, OSError):
        return f"unreachable: {server}: {error.strerror or error}"
    if isinstance(error, sqlite3.OperationalError):
        return f"cannot open the {server}: {error}"
    if isinstance(error, asyncpg.PostgresError):
        return f"refused by {server}: {error}"
    return None


def connect_failure(error: BaseException, url: str) -> str | None:
    """One line saying why the database at `url` cannot be used (its password masked), or None
    when `error` is not about reaching or entering the database."""
    for each in _chain(error):
        reason = _reason(each, url)
        if reason is not None:
            return f"DATABASE_URL={masked(url)}: {reason}"
    return None
