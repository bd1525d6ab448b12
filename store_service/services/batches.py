"""Batch sizes of the scheduler-facing jobs, and how a job runs its batches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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


def max_batches(requested: int) -> int:
    """How many batches a job call may run: 0 means until no work is left."""
    if requested < 0:
        raise invalid(
            Reason.INVALID_MAX_BATCHES,
            "max_batches must be 0 (until done) or more",
            max_batches=str(requested),
        )
    return requested


@dataclass(frozen=True, slots=True)
class Batches:
    """What a run of batches did: how much in all, in how many batches that did something,
    and whether it stopped at its limit with work possibly left (`more`)."""

    done: int
    batches: int
    more: bool

    def __add__(self, other: Batches) -> Batches:
        return Batches(self.done + other.done, self.batches + other.batches, other.more)


NOTHING = Batches(0, 0, more=False)


async def until_done(one_batch: Callable[[], Awaitable[int]], limit: int = 0) -> Batches:
    """Runs batch after batch until one finds nothing to do or, with a limit, until `limit`
    batches did something. A call stopped at its limit does not look for more work: the next
    call's first batch does, so calls of one batch each run the very batches one unlimited
    call runs."""
    total = NOTHING
    while not limit or total.batches < limit:
        done = await one_batch()
        if not done:
            return total
        total = Batches(total.done + done, total.batches + 1, more=False)
    return Batches(total.done, total.batches, more=True)


async def purge_all(
    one_batch: Callable[[int, bool], Awaitable[int]], size: int, *, dry_run: bool, limit: int = 0
) -> Batches:
    """A purge made of `one_batch(size, dry_run)` calls: a real one deletes batch after batch
    until none is left (or `limit` batches deleted something); a dry one counts everything in a
    single read, whatever the limit."""
    if dry_run:
        return Batches(await one_batch(EVERYTHING, True), 0, more=False)
    return await until_done(lambda: one_batch(size, False), limit)
