"""The deadline of the call being served, recorded by the rpc layer and read by the database's
lock waits (db/lock_waits.py), so neither layer imports the other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The monotonic time by which the current call must have answered; None without a deadline.
_call_deadline: ContextVar[float | None] = ContextVar("call_deadline", default=None)


@contextmanager
def call_deadline(seconds: float | None) -> Iterator[None]:
    """The current call must answer within `seconds` (None: no deadline)."""
    token = _call_deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _call_deadline.reset(token)


def seconds_left() -> float | None:
    """What is left of the current call's deadline; None without one."""
    deadline = _call_deadline.get()
    return None if deadline is None else deadline - time.monotonic()
