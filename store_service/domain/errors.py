"""Domain errors: each carries a kind (how bad), a stable reason (what) and a human message."""

from __future__ import annotations

from enum import Enum

from plant_store_client.reasons import Reason


class ErrorKind(Enum):
    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    FAILED_PRECONDITION = "failed_precondition"
    PERMISSION_DENIED = "permission_denied"
    ABORTED = "aborted"
    UNAVAILABLE = "unavailable"
    # The store's own fault (a database error no rule explains): nothing the caller can change.
    INTERNAL = "internal"


class DomainError(Exception):
    """A rule said no. `reason` (plant_store_client.reasons) is what clients switch on."""

    def __init__(
        self,
        kind: ErrorKind,
        reason: Reason,
        message: str,
        metadata: dict[str, str] | None = None,
        *,
        keeps_writes: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.message = message
        self.metadata = metadata or {}
        # The refusal itself is on record (an audit row, a failure event): commit what the
        # transaction wrote, then answer with the error.
        self.keeps_writes = keeps_writes


def invalid(reason: Reason, message: str, **metadata: str) -> DomainError:
    return DomainError(ErrorKind.INVALID_ARGUMENT, reason, message, metadata)


def not_found(reason: Reason, message: str, **metadata: str) -> DomainError:
    return DomainError(ErrorKind.NOT_FOUND, reason, message, metadata)


def already_exists(reason: Reason, message: str, **metadata: str) -> DomainError:
    return DomainError(ErrorKind.ALREADY_EXISTS, reason, message, metadata)


def failed_precondition(reason: Reason, message: str, **metadata: str) -> DomainError:
    return DomainError(ErrorKind.FAILED_PRECONDITION, reason, message, metadata)


def permission_denied(reason: Reason, message: str, **metadata: str) -> DomainError:
    return DomainError(ErrorKind.PERMISSION_DENIED, reason, message, metadata)


def aborted(reason: Reason, message: str, **metadata: str) -> DomainError:
    return DomainError(ErrorKind.ABORTED, reason, message, metadata)
