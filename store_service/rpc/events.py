"""EventsService: the notification outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import grpc
from plant.store.v1 import events_pb2 as pb
from plant.store.v1 import events_pb2_grpc

from plant_store_client.reasons import Reason
from plant_store_client.wire.values import optional_text, timestamp
from store_service.db.sql import Row, Transaction
from store_service.domain.errors import invalid
from store_service.rpc import paging
from store_service.services import outbox
from store_service.services.batches import MAX_BATCH_SIZE, batch_size
from store_service.services.units_of_work import Reply, UnitsOfWork, as_is


def event_message(row: Row) -> pb.Event:
    return pb.Event(
        event_id=row["event_id"],
        created_at=timestamp(row["created_at"]),
        event_type=row["event_type"],
        customer_id=row["customer_id"],
        subscription_id=row["subscription_id"],
        order_id=row["order_id"],
        hired_instance_id=row["hired_instance_id"],
        metadata_json=row["metadata"],
        delivered_at=timestamp(row["delivered_at"]),
    )


class EventsServicer(events_pb2_grpc.EventsServiceServicer):
    def __init__(self, units: UnitsOfWork) -> None:
        self.units = units

    async def ListEvents(
        self, request: pb.ListEventsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListEventsResponse:
        # The outbox grows with every change: reading all of it in one answer is refused.
        if not 0 < request.limit <= MAX_BATCH_SIZE:
            raise invalid(
                Reason.INVALID_LIMIT,
                f"limit must be between 1 and {MAX_BATCH_SIZE}",
                limit=str(request.limit),
            )

        async def work(tx: Transaction) -> pb.ListEventsResponse:
            rows = await outbox.list_events(
                tx,
                event_type=optional_text(request, "event_type"),
                customer_id=optional_text(request, "customer_id"),
                subscription_id=optional_text(request, "subscription_id"),
                limit=request.limit,
            )
            return pb.ListEventsResponse(events=[event_message(row) for row in rows])

        return await self.units.read(work)

    async def ListUndeliveredEvents(
        self, request: pb.ListUndeliveredEventsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListUndeliveredEventsResponse:
        size = batch_size(request.page_size)

        async def work(tx: Transaction) -> pb.ListUndeliveredEventsResponse:
            rows = await outbox.list_undelivered(tx, size)
            # A queue: what does not fit this answer comes first in the next one.
            events = paging.within_budget(event_message(row) for row in rows)
            return pb.ListUndeliveredEventsResponse(events=events)

        return await self.units.read(work)

    async def AcknowledgeEvents(
        self, request: pb.AcknowledgeEventsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.AcknowledgeEventsResponse:
        async def work(tx: Transaction, now: datetime) -> pb.AcknowledgeEventsResponse:
            count = await outbox.acknowledge(tx, list(request.event_ids), now)
            return pb.AcknowledgeEventsResponse(acknowledged=count)

        return await self.units.write(
            Reply("EventsService.AcknowledgeEvents", request, pb.AcknowledgeEventsResponse, as_is),
            work,
        )
