"""MaintenanceService: jobs that keep the database tidy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import grpc
from plant.store.v1 import maintenance_pb2 as pb
from plant.store.v1 import maintenance_pb2_grpc

from plant_store_client.wire.values import optional_instant
from store_service.config import StoreSettings
from store_service.db.sql import Transaction
from store_service.domain.retention import idempotency_retention
from store_service.services import idempotency, retention
from store_service.services.batches import batch_size
from store_service.services.units_of_work import Reply, UnitsOfWork, as_is


class MaintenanceServicer(maintenance_pb2_grpc.MaintenanceServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.settings = settings

    async def PurgeIdempotencyRecords(
        self,
        request: pb.PurgeIdempotencyRecordsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.PurgeIdempotencyRecordsResponse:
        requested = request.retention.ToTimedelta() if request.HasField("retention") else None
        retention = idempotency_retention(requested, self.settings.idempotency_retention_hours)
        size = batch_size(request.batch_size)
        effective = optional_instant(request, "now")

        async def run(clock: datetime) -> pb.PurgeIdempotencyRecordsResponse:
            cutoff = (effective or clock) - retention
            if request.dry_run:
                return pb.PurgeIdempotencyRecordsResponse(
                    purged=await self.units.read(
                        lambda c: idempotency.purge_batch(c, cutoff, 2**31 - 1, dry_run=True)
                    )
                )
            purged = 0
            while batch := await self.units.in_transaction(
                lambda c: idempotency.purge_batch(c, cutoff, size, dry_run=False)
            ):
                purged += batch
            return pb.PurgeIdempotencyRecordsResponse(purged=purged)

        return await self.units.job(
            Reply(
                "MaintenanceService.PurgeIdempotencyRecords",
                request,
                pb.PurgeIdempotencyRecordsResponse,
                as_is,
            ),
            run,
        )

    async def PurgeExpiredData(
        self, request: pb.PurgeExpiredDataRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.PurgeExpiredDataResponse:
        size = batch_size(request.batch_size)
        effective = optional_instant(request, "now")
        idempotency_kept = idempotency_retention(None, self.settings.idempotency_retention_hours)
        events_kept = timedelta(hours=self.settings.outbox_retention_hours)

        async def drain(step: Callable[[Transaction], Awaitable[int]]) -> int:
            if request.dry_run:
                return await self.units.read(step)
            total = 0
            while batch := await self.units.in_transaction(step):
                total += batch
            return total

        async def run(clock: datetime) -> pb.PurgeExpiredDataResponse:
            now, dry = effective or clock, request.dry_run
            # A dry run counts everything in one go; a real one works batch by batch.
            limit = 2**31 - 1 if dry else size
            return pb.PurgeExpiredDataResponse(
                hired_instances=await drain(
                    partial(
                        retention.purge_expired_instances,
                        now=now,
                        retention_days=self.settings.end_retention_days,
                        batch_size=limit,
                        dry_run=dry,
                    )
                ),
                idempotency_records=await drain(
                    partial(
                        idempotency.purge_batch,
                        cutoff=now - idempotency_kept,
                        batch_size=limit,
                        dry_run=dry,
                    )
                ),
                delivered_events=await drain(
                    partial(
                        retention.purge_delivered_events,
                        now=now,
                        retention=events_kept,
                        batch_size=limit,
                        dry_run=dry,
                    )
                ),
            )

        return await self.units.job(
            Reply(
                "MaintenanceService.PurgeExpiredData", request, pb.PurgeExpiredDataResponse, as_is
            ),
            run,
        )
