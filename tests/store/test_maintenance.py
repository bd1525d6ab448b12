"""Idempotency records are kept for the retention, then purged by the maintenance job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import duration_pb2
from plant.store.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    hiring_pb2,
    hiring_pb2_grpc,
    maintenance_pb2,
    maintenance_pb2_grpc,
)

from plant_store_client.wire.values import timestamp
from store_service.db.models import HiredInstance, IdempotencyRecord
from tests.harness import stack
from tests.seeds import START, idempotency_row, instance_row, seed, subscription_row
from tests.store.test_catalog_rpc import expect_error
from tests.store.test_idempotency import count_rows

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def checkout(key: str) -> billing_pb2.CheckoutWithCouponRequest:
    return billing_pb2.CheckoutWithCouponRequest(
        coupon_code="WAOOAW100", agent_id="A", duration="monthly", request_id=key
    )


def purge(hours_later: float, **extra: object) -> maintenance_pb2.PurgeIdempotencyRecordsRequest:
    return maintenance_pb2.PurgeIdempotencyRecordsRequest(
        now=timestamp(T0 + timedelta(hours=hours_later)),
        **extra,  # type: ignore[arg-type]
    )


async def test_records_are_purged_only_after_the_retention(database_url: str) -> None:
    async with stack(database_url, clock=lambda: T0) as plant:
        billing = billing_pb2_grpc.BillingServiceStub(plant.channel)
        maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(plant.channel)
        first = await billing.CheckoutWithCoupon(checkout("k1"))
        await billing.CheckoutWithCoupon(checkout("k2"))

        assert (await maintenance.PurgeIdempotencyRecords(purge(47))).purged == 0
        dry = await maintenance.PurgeIdempotencyRecords(purge(49, dry_run=True))
        assert dry.purged == 2
        assert await count_rows(database_url, IdempotencyRecord) == 2
        replay = await billing.CheckoutWithCoupon(checkout("k1"))
        assert replay.order.order_id == first.order.order_id

        assert (await maintenance.PurgeIdempotencyRecords(purge(49, batch_size=1))).purged == 2
        assert await count_rows(database_url, IdempotencyRecord) == 0


async def test_retention_cannot_go_below_a_day(database_url: str) -> None:
    async with stack(database_url) as plant:
        maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(plant.channel)
        request = maintenance_pb2.PurgeIdempotencyRecordsRequest(
            retention=duration_pb2.Duration(seconds=3600)
        )
        await expect_error(
            maintenance.PurgeIdempotencyRecords(request),
            grpc.StatusCode.INVALID_ARGUMENT,
            "RETENTION_TOO_SHORT",
        )


@pytest.mark.parametrize("size", [-1, 10_001])
async def test_batch_sizes_are_bounded(database_url: str, size: int) -> None:
    async with stack(database_url) as plant:
        billing = billing_pb2_grpc.BillingServiceStub(plant.channel)
        await expect_error(
            billing.ProcessPeriodEnd(billing_pb2.ProcessPeriodEndRequest(batch_size=size)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_BATCH_SIZE",
        )


async def test_a_job_call_stops_after_max_batches_and_says_whether_work_remains(
    database_url: str,
) -> None:
    due = START + timedelta(days=1)
    await seed(
        database_url,
        subscriptions=[
            *(subscription_row(i, cancel_at_period_end=True) for i in range(3)),
            *(
                subscription_row(i, current_period_end=due + timedelta(days=30))
                for i in (10, 11, 12)
            ),
            *(subscription_row(i, status="canceled", ended_at=START) for i in (20, 21, 22)),
        ],
        instances=[
            *(instance_row(i, trial_status="active", trial_end_at=START) for i in (10, 11, 12)),
            *(instance_row(i) for i in (20, 21, 22)),
        ],
        records=[idempotency_row(i) for i in range(3)],
    )
    at = timestamp(due + timedelta(days=3))
    async with stack(database_url, store={"end_retention_days": 1}) as plant:
        billing = billing_pb2_grpc.BillingServiceStub(plant.channel)
        hiring = hiring_pb2_grpc.HiringServiceStub(plant.channel)
        maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(plant.channel)
        period_end = billing_pb2.ProcessPeriodEndRequest(now=at, batch_size=2, max_batches=1)
        ended = [await billing.ProcessPeriodEnd(period_end) for _ in range(3)]
        assert [(e.processed, e.more) for e in ended] == [(2, True), (1, True), (0, False)]
        trial_end = hiring_pb2.ProcessTrialEndRequest(now=at, batch_size=2, max_batches=2)
        trials = [await hiring.ProcessTrialEnd(trial_end) for _ in range(2)]
        assert [(t.processed, t.more) for t in trials] == [(3, True), (0, False)]

        records = maintenance_pb2.PurgeIdempotencyRecordsRequest(
            now=at, batch_size=2, max_batches=1
        )
        first = await maintenance.PurgeIdempotencyRecords(records)
        assert (first.purged, first.more, first.now) == (2, True, at)

        dry = maintenance_pb2.PurgeExpiredDataRequest(now=at, dry_run=True, max_batches=1)
        counted = await maintenance.PurgeExpiredData(dry)
        assert (counted.hired_instances, counted.idempotency_records, counted.more) == (3, 1, False)
        # The limit counts the batches of all three kinds together.
        expired = maintenance_pb2.PurgeExpiredDataRequest(now=at, batch_size=2, max_batches=2)
        purges = [await maintenance.PurgeExpiredData(expired) for _ in range(2)]
        assert [
            (p.hired_instances, p.idempotency_records, p.delivered_events, p.more, p.now)
            for p in purges
        ] == [(3, 0, 0, True, at), (0, 1, 0, False, at)]
    assert await count_rows(database_url, IdempotencyRecord) == 0
    assert await count_rows(database_url, HiredInstance) == 3


async def test_a_negative_max_batches_is_refused(database_url: str) -> None:
    async with stack(database_url) as plant:
        billing = billing_pb2_grpc.BillingServiceStub(plant.channel)
        hiring = hiring_pb2_grpc.HiringServiceStub(plant.channel)
        maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(plant.channel)
        for call in (
            billing.ProcessPeriodEnd(billing_pb2.ProcessPeriodEndRequest(max_batches=-1)),
            hiring.ProcessTrialEnd(hiring_pb2.ProcessTrialEndRequest(max_batches=-1)),
            maintenance.PurgeIdempotencyRecords(
                maintenance_pb2.PurgeIdempotencyRecordsRequest(max_batches=-1)
            ),
            maintenance.PurgeExpiredData(maintenance_pb2.PurgeExpiredDataRequest(max_batches=-1)),
        ):
            await expect_error(call, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_MAX_BATCHES")
