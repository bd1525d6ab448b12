"""MaintenanceService: jobs that keep the database tidy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import grpc
from plant.store.v1 import maintenance_pb2 as pb
from plant.store.v1 import maintenance_pb2_grpc

from plant_store_client.wire.values import optional_instant, timestamp
from store_service.config import StoreSettings
from store_service.domain.retention import idempotency_retention
from store_service.services import retention
from store_service.services.batches import batch_size, max_batches
from store_service.services.retention import Purged, Retentions
from store_service.services.units_of_work import Reply, UnitsOfWork


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
        kept = idempotency_retention(requested, self.settings.idempotency_retention_hours)
        size = batch_size(request.batch_size)
        return await retention.purge_idempotency_records(
            self.units,
            kept,
            optional_instant(request, "now"),
            size,
            max_batches(request.max_batches),
            request.dry_run,
            Reply(
                "MaintenanceService.PurgeIdempotencyRecords",
                request,
                pb.PurgeIdempotencyRecordsResponse,
                lambda done: pb.PurgeIdempotencyRecordsResponse(
                    purged=done.purged, more=done.more, now=timestamp(done.now)
                ),
            ),
        )

    async def PurgeExpiredData(
        self, request: pb.PurgeExpiredDataRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.PurgeExpiredDataResponse:
        def answer(purged: Purged) -> pb.PurgeExpiredDataResponse:
            return pb.PurgeExpiredDataResponse(
                hired_instances=purged.hired_instances,
                idempotency_records=purged.idempotency_records,
                delivered_events=purged.delivered_events,
                more=purged.more,
                now=timestamp(purged.now),
            )

        size = batch_size(request.batch_size)
        limit = max_batches(request.max_batches)
        as_of = optional_instant(request, "now")
        retentions = Retentions(
            hired_agent_days=self.settings.end_retention_days,
            idempotency_records=idempotency_retention(
                None, self.settings.idempotency_retention_hours
            ),
            delivered_events=timedelta(hours=self.settings.outbox_retention_hours),
        )
        return await retention.purge_expired_data(
            self.units,
            retentions,
            as_of,
            size,
            limit,
            request.dry_run,
            Reply(
                "MaintenanceService.PurgeExpiredData", request, pb.PurgeExpiredDataResponse, answer
            ),
        )
