"""The outbox for consumers: undelivered events in order, each acknowledged once."""

from __future__ import annotations

import asyncio

import grpc
from plant.store.v1 import billing_pb2, billing_pb2_grpc, events_pb2, events_pb2_grpc


async def test_two_consumers_acknowledge_each_event_once(channel: grpc.aio.Channel) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    for index in range(5):
        await billing.CheckoutWithCoupon(
            billing_pb2.CheckoutWithCouponRequest(
                coupon_code="WAOOAW100", agent_id="a", duration="monthly", customer_id=f"c{index}"
            )
        )
    events = events_pb2_grpc.EventsServiceStub(channel)
    pending = await events.ListUndeliveredEvents(events_pb2.ListUndeliveredEventsRequest())
    ids = [event.event_id for event in pending.events]
    assert len(ids) == 5 and ids == sorted(ids)

    async def consume() -> int:
        seen = await events.ListUndeliveredEvents(events_pb2.ListUndeliveredEventsRequest())
        answer = await events.AcknowledgeEvents(
            events_pb2.AcknowledgeEventsRequest(event_ids=[e.event_id for e in seen.events])
        )
        acknowledged: int = answer.acknowledged
        return acknowledged

    counts = await asyncio.gather(consume(), consume(), consume())
    assert sum(counts) == 5
    left = await events.ListUndeliveredEvents(events_pb2.ListUndeliveredEventsRequest())
    assert list(left.events) == []
    delivered = await events.ListEvents(events_pb2.ListEventsRequest(limit=10))
    assert all(event.HasField("delivered_at") for event in delivered.events)
