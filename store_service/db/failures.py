"""What a database failure means for the caller, told by its SQLSTATE or SQLite code.

Units of work turn every driver failure into a `DomainError` here, so no layer above the
database sees a driver exception: a lost race or an unreachable database is retryable, a value
the database refused is the client's to fix, anything else is the store's fault.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TypeAlias

import asyncpg
from sqlalchemy.exc import DBAPIError

from plant_store_client.logging_context import failure
from plant_store_client.reasons import Reason
from store_service.db.postgres_pool import ConnectionLost
from store_service.domain.errors import DomainError, ErrorKind

logger = logging.getLogger(__name__)

# SQLSTATE classes that mean "try again": serialization failure, deadlock.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
# lock_not_available: a lock wait ran out of its bound (lock_waits.py), nothing was written;
# SQLite says SQLITE_BUSY when its busy timeout (the same bound) runs out.
LOCK_TIMEOUT_SQLSTATE = "55P03"
# "The database is not there right now": connection exceptions, shutdowns, start-up, missing
# database, too many connections.
UNREACHABLE_SQLSTATE_CLASS = "08"
UNREACHABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "3D000", "53300"})
# Values the database refused: data exceptions (too long, bad encoding, NUL bytes, …), values
# past a limit of the database (an index row too long) and NOT NULL / CHECK violations. A
# client sent something no rule let through.
INVALID_SQLSTATE_CLASSES = ("22", "54")
INVALID_SQLSTATES = frozenset({"23502", "23514"})
CONFLICT_SQLSTATES = frozenset({"23505"})
# SQLite's primary result codes for "the database file cannot be used right now": busy, locked,
# read-only, I/O error, disk full, cannot open, lock protocol. Any other code (a statement with
# too many variables, say) is about the request, not the database's availability.
UNREACHABLE_SQLITE_CODES = frozenset({5, 6, 8, 10, 13, 14, 15})

DATABASE_ERRORS = (
    DBAPIError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    ConnectionLost,
    OSError,
)
DatabaseError: TypeAlias = (
    DBAPIError
    | asyncpg.PostgresError
    | asyncpg.InterfaceError
    | asyncpg.InternalClientError
    | ConnectionLost
    | OSError
)


def _origin(error: DatabaseError) -> object:
    """The driver's own exception: its codes say what happened."""
    if isinstance(error, DBAPIError):
        return error.orig
    if isinstance(error, ConnectionLost):
        return error.__cause__
    return error


def _sqlstate(error: DatabaseError) -> str:
    origin = _origin(error)
    state = getattr(origin, "sqlstate", None) or getattr(origin, "pgcode", None)
    return str(state) if state else ""


def _sqlite_code(error: DatabaseError) -> int | None:
    code = getattr(_origin(error), "sqlite_errorcode", None)
    # Extended result codes keep the primary code in their low byte.
    return code & 0xFF if isinstance(code, int) else None


def _lock_timeout(error: DatabaseError, state: str) -> bool:
    return state == LOCK_TIMEOUT_SQLSTATE or _sqlite_code(error) == sqlite3.SQLITE_BUSY


def _unreachable(error: DatabaseError, state: str) -> bool:
    """Only a lost or unobtainable connection; the driver refusing a request is not one."""
    if isinstance(error, ConnectionLost | OSError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if _sqlite_code(error) in UNREACHABLE_SQLITE_CODES:
        return True
    return state.startswith(UNREACHABLE_SQLSTATE_CLASS) or state in UNREACHABLE_SQLSTATES


def _described(error: DatabaseError, state: str) -> str:
    """What a log line says about a database failure: its kind and codes, never its text."""
    code = _sqlite_code(error)
    return (
        failure(error)["error"]
        + (f" SQLSTATE {state}" if state else "")
        + (f" SQLite {code}" if code else "")
    )


def lost_a_race(error: DatabaseError) -> bool:
    """A deadlock or serialization failure: the database rolled the whole transaction back, so
    running the same work again is safe."""
    return _sqlstate(error) in RETRYABLE_SQLSTATES


def as_domain_error(error: DatabaseError) -> DomainError:
    """A database failure: retryable when the database was unreachable or the race was lost."""
    state = _sqlstate(error)
    if state in RETRYABLE_SQLSTATES:
        return DomainError(
            ErrorKind.ABORTED, Reason.TRANSACTION_CONFLICT, "Concurrent update; retry"
        )
    if _lock_timeout(error, state):
        return DomainError(
            ErrorKind.UNAVAILABLE,
            Reason.LOCK_TIMEOUT,
            "The data is locked by another transaction; retry",
        )
    if state.startswith(INVALID_SQLSTATE_CLASSES) or state in INVALID_SQLSTATES:
        return DomainError(ErrorKind.INVALID_ARGUMENT, Reason.INVALID_VALUE, "A value was refused")
    if state in CONFLICT_SQLSTATES:
        return DomainError(ErrorKind.ALREADY_EXISTS, Reason.ALREADY_EXISTS, "It already exists")
    if _unreachable(error, state):
        logger.warning("database unavailable: %s", _described(error, state))
        return DomainError(
            ErrorKind.UNAVAILABLE, Reason.DATABASE_UNAVAILABLE, "Database unavailable"
        )
    logger.error("database error: %s", _described(error, state), extra=failure(error))
    return DomainError(ErrorKind.INTERNAL, Reason.DATABASE_ERROR, "Database error")
