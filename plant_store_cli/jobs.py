"""Operational jobs run from the command line against a running store."""

from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from google.protobuf import json_format
from google.protobuf.message import Message
from plant.store.v1 import billing_pb2, deliverables_pb2, hiring_pb2, maintenance_pb2

from plant_store_client.client import StoreClient
from plant_store_client.wire.values import timestamp


def parse_time(text: str) -> datetime:
    """An ISO-8601 time; without an offset it is UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _answer(response: Message) -> str:
    document = json_format.MessageToDict(
        response, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return json.dumps(document)


async def period_end(target: str, now: datetime | None, batch_size: int) -> str:
    store = StoreClient.from_env(target)
    try:
        request = billing_pb2.ProcessPeriodEndRequest(
            now=timestamp(now), batch_size=batch_size, request_id=str(uuid.uuid4())
        )
        response = await store.call(store.billing.ProcessPeriodEnd, request, "period-end-job")
    finally:
        await store.close()
    return _answer(response)


async def trial_end(target: str, now: datetime | None, batch_size: int) -> str:
    store = StoreClient.from_env(target)
    try:
        request = hiring_pb2.ProcessTrialEndRequest(
            now=timestamp(now), batch_size=batch_size, request_id=str(uuid.uuid4())
        )
        response = await store.call(store.hiring.ProcessTrialEnd, request, "trial-end-job")
    finally:
        await store.close()
    return _answer(response)


async def purge_idempotency(
    target: str, now: datetime | None, retention_hours: float | None, dry_run: bool
) -> str:
    store = StoreClient.from_env(target)
    try:
        request = maintenance_pb2.PurgeIdempotencyRecordsRequest(
            now=timestamp(now), dry_run=dry_run
        )
        if retention_hours is not None:
            request.retention.FromTimedelta(timedelta(hours=retention_hours))
        response = await store.call(
            store.maintenance.PurgeIdempotencyRecords, request, "purge-idempotency-job"
        )
    finally:
        await store.close()
    return _answer(response)


async def run_due(
    target: str, now: datetime | None, instance: str | None, page_size: int, progress: bool
) -> str:
    """Walks every eligible instance page by page, reporting progress on stderr."""
    store = StoreClient.from_env(target)
    started = time.monotonic()
    examined = generated = 0
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
            examined += page.instances_examined
            generated += page.generated
            token = page.next_page_token
            if progress:
                rate = generated / max(time.monotonic() - started, 1e-9)
                print(
                    f"run-due: {examined} instances examined, {generated} drafts ({rate:.0f}/s)",
                    file=sys.stderr,
                    flush=True,
                )
            if not token:
                break
    finally:
        await store.close()
    return json.dumps(
        {
            "now": moment.isoformat(),
            "instances_examined": examined,
            "generated": generated,
            "seconds": round(time.monotonic() - started, 3),
        }
    )


async def purge_expired(target: str, now: datetime | None, batch_size: int, dry_run: bool) -> str:
    store = StoreClient.from_env(target)
    try:
        request = maintenance_pb2.PurgeExpiredDataRequest(
            now=timestamp(now), batch_size=batch_size, dry_run=dry_run
        )
        response = await store.call(store.maintenance.PurgeExpiredData, request, "retention-job")
    finally:
        await store.close()
    return _answer(response)
