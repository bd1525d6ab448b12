"""Idempotency records are kept for the retention, then purged by the maintenance job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import duration_pb2
from plant.store.v1 import billing_pb2, billing_pb2_grpc, maintenance_pb2, maintenance_pb2_grpc

from plant_store_client.wire.values import timestamp
from store_service.db.models import IdempotencyRecord
from tests.support.harness import stack
from tests.support.row_counts import count_rows
from tests.support.rpc import expect_error

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
