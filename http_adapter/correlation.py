"""The request's correlation id: the X-Correlation-ID header, or the contract's fallback."""

from __future__ import annotations

import time

from fastapi import Request
from starlette.types import Scope

from plant_store_client.logging_context import printable_correlation_id

HEADER = b"x-correlation-id"


def fallback_correlation_id() -> str:
    # The contract's fallback: the epoch time as a Python float with at most 6 decimals.
    return str(round(time.time(), 6))


def correlation_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == HEADER:
            return value.decode("latin-1") or fallback_correlation_id()
    return fallback_correlation_id()


def correlation_id(request: Request) -> str:
    """The header verbatim, as the contract's envelopes echo it. Stable for one request:
    computed once (by the observability middleware), then kept."""
    cached: str | None = getattr(request.state, "correlation_id", None)
    if cached is None:
        cached = correlation_id_of(request.scope)
        request.state.correlation_id = cached
    return cached


def forwarded_correlation_id(request: Request) -> str:
    """The form that goes to the store and the logs: bounded, printable."""
    return printable_correlation_id(correlation_id(request))
