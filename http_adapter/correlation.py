"""The request's correlation id: the X-Correlation-ID header, or the contract's fallback."""

from __future__ import annotations

import time

from fastapi import Request

HEADER = "x-correlation-id"


def fallback_correlation_id() -> str:
    # The contract's fallback: the epoch time as a Python float with at most 6 decimals.
    return str(round(time.time(), 6))


def correlation_id(request: Request) -> str:
    """Stable for one request: computed once, then kept on the request."""
    cached: str | None = getattr(request.state, "correlation_id", None)
    if cached is None:
        cached = request.headers.get(HEADER) or fallback_correlation_id()
        request.state.correlation_id = cached
    return cached
