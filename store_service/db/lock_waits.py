"""How long a statement may wait for a lock: never past what is left of its caller's deadline.

The store's interceptor records each call's deadline (deadlines.py); the database bounds every
transaction's lock waits by it (`SET LOCAL lock_timeout`), so a request stuck behind a held row
gives its connection back and answers a retryable error while its caller is still listening.
"""

from __future__ import annotations

from store_service.deadlines import seconds_left

DEFAULT_LOCK_WAIT_SECONDS = 2.0
# The share of the remaining deadline a lock wait may use: the rest is for the work after the
# lock is granted and for the answer (an error or not) to reach the caller in time.
SHARE_OF_DEADLINE = 0.5


def lock_wait_ms(ceiling_seconds: float) -> int:
    """The longest lock wait allowed now, in whole milliseconds.

    At most the ceiling; with a deadline, at most half of what is left of it.
    """
    bound = ceiling_seconds
    left = seconds_left()
    if left is not None:
        bound = min(bound, left * SHARE_OF_DEADLINE)
    return whole_ms(bound)


def whole_ms(seconds: float) -> int:
    """A lock timeout in PostgreSQL's unit; never 0, which means "wait forever"."""
    return max(1, int(seconds * 1000))
