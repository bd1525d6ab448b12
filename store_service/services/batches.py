"""Batch sizes of the scheduler-facing jobs, and how a job runs its batches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from plant_store_client.reasons import Reason
from store_service.domain.errors import invalid

DEFAULT_BATCH_SIZE = 500
MAX_BATCH_SIZE = 10_000
# A dry run counts everything in one go: its one "batch" is as large as a count can be.
EVERYTHING = 2**31 - 1


def batch_size(requested: int) -> int:
    if requested == 0:
        return DEFAULT_BATCH_SIZE
    if not 0 < requested <= MAX_BATCH_SIZE:
        raise invalid(
            Reason.INVALID_BATCH_SIZE,
            f"batch_size must be between 1 and {MAX_BATCH_SIZE}",
            batch_size=str(requested),
        )
    return requested


async def until_done(one_batch: Callable[[], Awaitable[int]]) -> int:
    """Runs batch after batch until one finds nothing to do; returns how much they did in all."""
    total = 0
    while done := await one_batch():
        total += done
    return total


async def purge_all(
    one_batch: Callable[[int, bool], Awaitable[int]], size: int, *, dry_run: bool
) -> int:
    """A purge made of `one_batch(size, dry_run)` calls: a real one deletes batch after batch
    until none is left; a dry one counts everything in a single call."""
    if dry_run:
        return await one_batch(EVERYTHING, True)
    return await until_done(lambda: one_batch(size, False))
