"""Turns domain and database failures into gRPC statuses with google.rpc.ErrorInfo."""

from __future__ import annotations

import logging

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from store_service.domain.errors import DomainError, ErrorKind

ERROR_DOMAIN = "plant.store.v1"

logger = logging.getLogger(__name__)

CODES = {
    ErrorKind.INVALID_ARGUMENT: code_pb2.INVALID_ARGUMENT,
    ErrorKind.NOT_FOUND: code_pb2.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    ErrorKind.FAILED_PRECONDITION: code_pb2.FAILED_PRECONDITION,
    ErrorKind.PERMISSION_DENIED: code_pb2.PERMISSION_DENIED,
    ErrorKind.ABORTED: code_pb2.ABORTED,
    ErrorKind.UNAVAILABLE: code_pb2.UNAVAILABLE,
    ErrorKind.UNIMPLEMENTED: code_pb2.UNIMPLEMENTED,
}

# SQLSTATE classes that mean "try again": serialization failure, deadlock.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
# "The database is not there right now": tx exceptions, shutdowns, start-up, missing
# database, too many connections.
UNREACHABLE_SQLSTATE_CLASS = "08"
UNREACHABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "3D000", "53300"})


def build_status(
    code: int, reason: str, message: str, metadata: dict[str, str] | None = None
) -> grpc.Status:
    info = error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata or {})
    detail = any_pb2.Any()
    detail.Pack(info)
    return rpc_status.to_status(status_pb2.Status(code=code, message=message, details=[detail]))


def domain_status(error: DomainError) -> grpc.Status:
    return build_status(CODES[error.kind], error.reason, error.message, error.metadata)


def _sqlstate(error: DBAPIError) -> str | None:
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return str(state) if state else None


def _unreachable(error: DBAPIError | OSError) -> bool:
    if isinstance(error, OSError | InterfaceError | OperationalError):
        return True
    state = _sqlstate(error) or ""
    return (
        error.connection_invalidated
        or state.startswith(UNREACHABLE_SQLSTATE_CLASS)
        or state in UNREACHABLE_SQLSTATES
    )


def database_status(error: DBAPIError | OSError) -> grpc.Status:
    """A database failure: retryable when the database was unreachable or the race was lost."""
    if isinstance(error, DBAPIError) and _sqlstate(error) in RETRYABLE_SQLSTATES:
        return build_status(code_pb2.ABORTED, "TRANSACTION_CONFLICT", "Concurrent update; retry")
    if _unreachable(error):
        logger.warning("database unavailable: %s", error)
        return build_status(code_pb2.UNAVAILABLE, "DATABASE_UNAVAILABLE", "Database unavailable")
    logger.exception("database error", exc_info=error)
    return build_status(code_pb2.INTERNAL, "DATABASE_ERROR", "Database error")


def internal_status() -> grpc.Status:
    return build_status(code_pb2.INTERNAL, "INTERNAL", "Internal error")
