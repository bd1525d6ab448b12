"""Operational jobs run from the command line against a running store.

Every job works in steps: one store call per batch (`max_batches=1`, a page for run-due) until
the store says nothing is left, so an operator sees a progress line on stderr after each step
and a job stopped half-way has kept what it did. When it ends, the job prints one summary line
on stdout, a JSON object of the same shape for every job (`Tally.summary`).
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from google.protobuf import timestamp_pb2
from plant.store.v1 import billing_pb2, deliverables_pb2, hiring_pb2, maintenance_pb2

from plant_store_client.client import StoreClient
from plant_store_client.wire.values import instant, iso, timestamp


def parse_time(text: str) -> datetime:
    """An ISO-8601 time; without an offset it is UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Count:
    """One number a job reports: its key in the summary (the response field it adds up), its
    words in progress lines, and whether it counts toward the rate they show."""

    field: str
    words: str
    rated: bool = True


class Tally:
    """What a job has done so far: its counts, progress lines, and the summary at the end."""

    def __init__(self, job: str, counts: Sequence[Count], progress: bool) -> None:
        self.job = job
        self.counts = counts
        self.progress = progress
        self.totals = dict.fromkeys((count.field for count in counts), 0)
        self.started = time.monotonic()

    def add(self, step: object) -> None:
        """Adds one step's answer (a response with a field per count) and reports progress."""
        for field in self.totals:
            self.totals[field] += int(getattr(step, field))
        if self.progress:
            print(self.line(), file=sys.stderr, flush=True)

    def line(self) -> str:
        """e.g. `period-end: 1,500 subscriptions processed (750/s)`."""
        done = ", ".join(f"{self.totals[count.field]:,} {count.words}" for count in self.counts)
        rated = sum(self.totals[count.field] for count in self.counts if count.rated)
        return f"{self.job}: {done} ({rated / max(self.seconds(), 1e-9):,.0f}/s)"

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def summary(self, now: datetime, dry_run: bool) -> str:
        """One JSON object: `job`, `now` (UTC as the REST API writes times), `dry_run`,
        `seconds`, then the counts as integers."""
        return json.dumps(
            {
                "job": self.job,
                "now": iso(now.astimezone(UTC)),
                "dry_run": dry_run,
                "seconds": round(self.seconds(), 3),
                **self.totals,
            }
        )


class Step(Protocol):
    """What every batch job's response says besides its counts."""

    @property
    def more(self) -> bool: ...

    @property
    def now(self) -> timestamp_pb2.Timestamp: ...


# One store call of a batch job (with a request id of its own where the RPC takes one): the
# client and the job's time (None, on the first call: the store's clock).
Call = Callable[[StoreClient, timestamp_pb2.Timestamp | None], Awaitable[Step]]


async def _in_steps(target: str, tally: Tally, first_now: datetime | None, call: Call) -> datetime:
    """Calls the job one batch at a time until no work is left. Every call after the first
    uses the first one's time, so the whole job runs as of one moment; returns that moment."""
    store = StoreClient.from_env(target)
    now = timestamp(first_now)
    try:
        while True:
            step = await call(store, now)
            now = step.now
            tally.add(step)
            if not step.more:
                return instant(now)
    finally:
        await store.close()


async def period_end(target: str, now: datetime | None, batch_size: int, progress: bool) -> str:
    tally = Tally("period-end", [Count("processed", "subscriptions processed")], progress)

    async def call(store: StoreClient, at: timestamp_pb2.Timestamp | None) -> Step:
        request = billing_pb2.ProcessPeriodEndRequest(
            now=at, batch_size=batch_size, max_batches=1, request_id=str(uuid.uuid4())
        )
        return await store.call(store.billing.ProcessPeriodEnd, request, "period-end-job")

    return tally.summary(await _in_steps(target, tally, now, call), dry_run=False)


async def trial_end(target: str, now: datetime | None, batch_size: int, progress: bool) -> str:
    tally = Tally("trial-end", [Count("processed", "trials processed")], progress)

    async def call(store: StoreClient, at: timestamp_pb2.Timestamp | None) -> Step:
        request = hiring_pb2.ProcessTrialEndRequest(
            now=at, batch_size=batch_size, max_batches=1, request_id=str(uuid.uuid4())
        )
        return await store.call(store.hiring.ProcessTrialEnd, request, "trial-end-job")

    return tally.summary(await _in_steps(target, tally, now, call), dry_run=False)


def _purged(dry_run: bool) -> str:
    return "to purge" if dry_run else "purged"


async def purge_idempotency(
    target: str,
    now: datetime | None,
    retention_hours: float | None,
    batch_size: int,
    dry_run: bool,
    progress: bool,
) -> str:
    counts = [Count("purged", f"idempotency records {_purged(dry_run)}")]
    tally = Tally("purge-idempotency", counts, progress)

    async def call(store: StoreClient, at: timestamp_pb2.Timestamp | None) -> Step:
        request = maintenance_pb2.PurgeIdempotencyRecordsRequest(
            now=at, batch_size=batch_size, dry_run=dry_run, max_batches=1
        )
        if retention_hours is not None:
            request.retention.FromTimedelta(timedelta(hours=retention_hours))
        return await store.call(
            store.maintenance.PurgeIdempotencyRecords, request, "purge-idempotency-job"
        )

    return tally.summary(await _in_steps(target, tally, now, call), dry_run)


async def purge_expired(
    target: str, now: datetime | None, batch_size: int, dry_run: bool, progress: bool
) -> str:
    verb = _purged(dry_run)
    counts = [
        Count("hired_instances", f"hired agents {verb}"),
        Count("idempotency_records", f"idempotency records {verb}"),
        Count("delivered_events", f"delivered events {verb}"),
    ]
    tally = Tally("purge-expired", counts, progress)

    async def call(store: StoreClient, at: timestamp_pb2.Timestamp | None) -> Step:
        request = maintenance_pb2.PurgeExpiredDataRequest(
            now=at, batch_size=batch_size, dry_run=dry_run, max_batches=1
        )
        return await store.call(store.maintenance.PurgeExpiredData, request, "retention-job")

    return tally.summary(await _in_steps(target, tally, now, call), dry_run)


async def run_due(
    target: str, now: datetime | None, instance: str | None, page_size: int, progress: bool
) -> str:
    """Walks every eligible instance page by page, reporting progress on stderr."""
    counts = [
        Count("instances_examined", "instances examined", rated=False),
        Count("generated", "drafts generated"),
    ]
    tally = Tally("run-due", counts, progress)
    store = StoreClient.from_env(target)
    token = ""
    moment = now or datetime.now(UTC)
    try:
        while True:
            request = deliverables_pb2.RunDueDraftsRequest(
                now=timestamp(moment),
                hired_instance_id=instance,
                page_size=page_size,
                page_token=token,
            )
            page = await store.call(store.deliverables.RunDueDrafts, request, "run-due-job")
            tally.add(page)
            token = page.next_page_token
            if not token:
                break
    finally:
        await store.close()
    return tally.summary(moment, dry_run=False)
