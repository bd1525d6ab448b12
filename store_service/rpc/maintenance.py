"""MaintenanceService: jobs that keep the database tidy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plant.store.v1 import maintenance_pb2 as pb
from plant.store.v1 import maintenance_pb2_grpc

from store_service.config import StoreSettings
from store_service.domain.errors import DomainError, ErrorKind
from store_service.domain.retention import idempotency_retention
from store_service.rpc.jobs import batch_size
from store_service.rpc.units_of_work import UnitsOfWork
from store_service.services import idempotency
from store_service.wire.values import optional_instant

Context = Any


class MaintenanceServicer(maintenance_pb2_grpc.MaintenanceServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.settings = settings

    async def PurgeIdempotencyRecords(
        self, request: pb.PurgeIdempotencyRecordsRequest, context: Context
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
            "MaintenanceService.PurgeIdempotencyRecords",
            request,
            pb.PurgeIdempotencyRecordsResponse,
            run,
        )

    async def PurgeExpiredData(
        self, request: pb.PurgeExpiredDataRequest, context: Context
    ) -> pb.PurgeExpiredDataResponse:
        raise DomainError(
            ErrorKind.UNIMPLEMENTED, "NOT_YET_AVAILABLE", "PurgeExpiredData is not available yet"
        )
