"""How long a statement may wait for a lock: never past what is left of its caller's deadline.

The store's interceptor records each call's deadline here; the database bounds every
transaction's lock waits by it (`SET LOCAL lock_timeout`), so a request stuck behind a held row
gives its connection back and answers a retryable error while its caller is still listening.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The monotonic time by which the current call must have answered; None without a deadline.
_call_deadline: ContextVar[float | None] = ContextVar("call_deadline", default=None)

DEFAULT_LOCK_WAIT_SECONDS = 2.0
# The share of the remaining deadline a lock wait may use: the rest is for the work after the
# lock is granted and for the answer (an error or not) to reach the caller in time.
SHARE_OF_DEADLINE = 0.5


@contextmanager
def call_deadline(seconds_left: float | None) -> Iterator[None]:
    """The current call must answer within `seconds_left` (None: no deadline)."""
    token = _call_deadline.set(None if seconds_left is None else time.monotonic() + seconds_left)
    try:
        yield
    finally:
        _call_deadline.reset(token)


def lock_wait_ms(ceiling_seconds: float) -> int:
    """The longest lock wait allowed now, in whole milliseconds.

    At most the ceiling; with a deadline, at most half of what is left of it.
    """
    bound = ceiling_seconds
    deadline = _call_deadline.get()
    if deadline is not None:
        bound = min(bound, (deadline - time.monotonic()) * SHARE_OF_DEADLINE)
    return whole_ms(bound)


def whole_ms(seconds: float) -> int:
    """A lock timeout in PostgreSQL's unit; never 0, which means "wait forever"."""
    return max(1, int(seconds * 1000))
