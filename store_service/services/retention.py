"""Retention: deleting what the contract no longer lets anyone read, batch by batch.

- Hired agents of subscriptions canceled longer than END_RETENTION_DAYS ago (they answer 410 by
  then), with their goals, deliverables and the deliverables' and trials' histories. The
  subscription, order, receipt and invoice stay: billing records are readable forever.
- Idempotency records older than their retention (a repeat after that is a new request).
- Outbox events acknowledged longer ago than the outbox retention.

Each purge has a one-batch function (its own unit of work: a transaction, or a read for a dry
run's count) and the job built on it. Rows are claimed with FOR UPDATE SKIP LOCKED, so purges
running at once take disjoint batches. History tables refuse deletes except inside a purge's own
transaction, which marks itself with a row in retention_purge_guard that no other transaction
can see.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from store_service.db.sql import Statement, Transaction
from store_service.db.statements import idempotency, outbox, retention
from store_service.services.batches import NOTHING, Batches, purge_all
from store_service.services.units_of_work import R, Reply, UnitsOfWork

Work = Callable[[Transaction], Awaitable[int]]


async def _counted(tx: Transaction, count: Statement, cutoff: datetime, batch_size: int) -> int:
    return int(await tx.scalar(count, cutoff=cutoff, batch_size=batch_size) or 0)


async def _one_batch(units: UnitsOfWork, count: Work, purge: Work, *, dry_run: bool) -> int:
    """A dry batch counts in a read; a real one deletes in a transaction of its own."""
    if dry_run:
        return await units.read(count)
    return await units.in_transaction(purge)


async def _purge_expired_instances(tx: Transaction, cutoff: datetime, batch_size: int) -> int:
    claimed = await retention.claim_expired(tx, cutoff, batch_size)
    if not claimed:
        return 0
    purge_id = str(uuid.uuid4())
    await tx.execute(retention.ENTER, purge_id=purge_id)
    await retention.delete_instances(tx, claimed)
    await tx.execute(retention.LEAVE, purge_id=purge_id)
    return len(claimed)


async def expired_instances_batch(
    units: UnitsOfWork, cutoff: datetime, batch_size: int, *, dry_run: bool
) -> int:
    """Deletes (or, dry, counts) one batch of hired agents whose subscription ended before the
    cutoff."""
    return await _one_batch(
        units,
        lambda tx: _counted(tx, retention.COUNT_EXPIRED, cutoff, batch_size),
        lambda tx: _purge_expired_instances(tx, cutoff, batch_size),
        dry_run=dry_run,
    )


async def _purged_rows(tx: Transaction, purge: Statement, cutoff: datetime, size: int) -> int:
    return len(await tx.rows(purge, cutoff=cutoff, batch_size=size))


async def idempotency_records_batch(
    units: UnitsOfWork, cutoff: datetime, batch_size: int, *, dry_run: bool
) -> int:
    """Deletes (or, dry, counts) one batch of idempotency records created before the cutoff."""
    return await _one_batch(
        units,
        lambda tx: _counted(tx, idempotency.COUNT_EXPIRED, cutoff, batch_size),
        lambda tx: _purged_rows(tx, idempotency.PURGE_EXPIRED, cutoff, batch_size),
        dry_run=dry_run,
    )


async def delivered_events_batch(
    units: UnitsOfWork, cutoff: datetime, batch_size: int, *, dry_run: bool
) -> int:
    """Deletes (or, dry, counts) one batch of events acknowledged before the cutoff."""
    return await _one_batch(
        units,
        lambda tx: _counted(tx, outbox.COUNT_OLD_EVENTS, cutoff, batch_size),
        lambda tx: _purged_rows(tx, outbox.PURGE_OLD_EVENTS, cutoff, batch_size),
        dry_run=dry_run,
    )


@dataclass(frozen=True, slots=True)
class RecordsPurged:
    """How many idempotency records a purge deleted (or, dry, would delete), the time their
    retention was counted back from, and whether it stopped at its batch limit."""

    purged: int
    now: datetime
    more: bool


async def purge_idempotency_records(
    units: UnitsOfWork,
    kept: timedelta,
    as_of: datetime | None,
    batch_size: int,
    max_batches: int,
    dry_run: bool,
    reply: Reply[RecordsPurged, R],
) -> R:
    """Deletes (or, dry, counts) every idempotency record older than `kept` as of `as_of` (the
    clock without one), until none is left or `max_batches` batches (0: no limit) deleted some."""

    async def run(clock: datetime) -> RecordsPurged:
        now = as_of or clock
        cutoff = now - kept
        ran = await purge_all(
            lambda size, dry: idempotency_records_batch(units, cutoff, size, dry_run=dry),
            batch_size,
            dry_run=dry_run,
            limit=max_batches,
        )
        return RecordsPurged(ran.done, now, ran.more)

    return await units.job(reply, run)


@dataclass(frozen=True, slots=True)
class Retentions:
    """How long each kind of data is kept."""

    hired_agent_days: int
    idempotency_records: timedelta
    delivered_events: timedelta


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows of each kind a purge deleted (or, dry, would delete), the time the
    retentions were counted back from, and whether it stopped at its batch limit."""

    hired_instances: int
    idempotency_records: int
    delivered_events: int
    now: datetime
    more: bool


async def purge_expired_data(
    units: UnitsOfWork,
    retentions: Retentions,
    as_of: datetime | None,
    batch_size: int,
    max_batches: int,
    dry_run: bool,
    reply: Reply[Purged, R],
) -> R:
    """Deletes (or, dry, counts) everything past its retention as of `as_of` (the clock without
    one): hired agents, then idempotency records, then delivered events. `max_batches` (0: no
    limit) counts the batches of all three together; a call that reaches it leaves the rest of
    the kinds to the next call."""

    async def run(clock: datetime) -> Purged:
        now = as_of or clock
        instances_cutoff = now - timedelta(days=retentions.hired_agent_days)
        records_cutoff = now - retentions.idempotency_records
        events_cutoff = now - retentions.delivered_events
        purges: tuple[Callable[[int, bool], Awaitable[int]], ...] = (
            lambda size, dry: expired_instances_batch(units, instances_cutoff, size, dry_run=dry),
            lambda size, dry: idempotency_records_batch(units, records_cutoff, size, dry_run=dry),
            lambda size, dry: delivered_events_batch(units, events_cutoff, size, dry_run=dry),
        )
        ran: list[Batches] = []
        spent = NOTHING
        for purge in purges:
            if spent.more:
                ran.append(NOTHING)
                continue
            left = max_batches - spent.batches if max_batches else 0
            one = await purge_all(purge, batch_size, dry_run=dry_run, limit=left)
            ran.append(one)
            spent += one
        instances, records, events = (one.done for one in ran)
        return Purged(instances, records, events, now, spent.more)

    return await units.job(reply, run)
