"""The outbox's reads and acknowledgements are bounded, and refusing one leaves the pool alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import asyncpg
import grpc
import pytest
from plant.store.v1 import billing_pb2, billing_pb2_grpc, events_pb2, events_pb2_grpc
from sqlalchemy import insert

from http_adapter.errors import error_info
from plant_store_client.wire.documents import to_json
from store_service.db.engine import create_engine
from store_service.db.models import NotificationEvent, table_of
from tests.databases import _plain
from tests.harness import running_store, store_settings

# More ids than PostgreSQL takes bind parameters in one statement (32,767).
OVERSIZED = 40_000


async def _pay(channel: grpc.aio.Channel, customer_id: str) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    await billing.CheckoutWithCoupon(
        billing_pb2.CheckoutWithCouponRequest(
            coupon_code="WAOOAW100", agent_id="a", duration="monthly", customer_id=customer_id
        )
    )


def _refused_reason(error: grpc.aio.AioRpcError) -> str:
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    info = error_info(error)
    assert info is not None
    return str(info.reason)


async def test_acknowledging_more_ids_than_a_statement_takes_is_a_bad_request(
    channel: grpc.aio.Channel,
) -> None:
    await _pay(channel, "c1")
    events = events_pb2_grpc.EventsServiceStub(channel)
    pending = await events.ListUndeliveredEvents(events_pb2.ListUndeliveredEventsRequest())
    event_id = pending.events[0].event_id
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await events.AcknowledgeEvents(
            events_pb2.AcknowledgeEventsRequest(event_ids=[event_id] * OVERSIZED)
        )
    assert _refused_reason(refused.value) == "TOO_MANY_EVENT_IDS"
    # Nothing was acknowledged, and an acceptable call right after is answered.
    answer = await events.AcknowledgeEvents(
        events_pb2.AcknowledgeEventsRequest(event_ids=[event_id])
    )
    assert answer.acknowledged == 1


async def _store_backends(admin: asyncpg.Connection, database: str) -> set[int]:
    rows = await admin.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        database,
    )
    return {row["pid"] for row in rows}


async def test_an_oversized_acknowledge_does_not_reset_the_connection_pool(
    postgres_url: str,
) -> None:
    settings = store_settings(postgres_url, db_pool_size=1)
    admin = await asyncpg.connect(_plain(postgres_url))
    try:
        async with (
            running_store(settings) as server,
            grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel,
        ):
            events = events_pb2_grpc.EventsServiceStub(channel)
            await events.ListUndeliveredEvents(events_pb2.ListUndeliveredEventsRequest())
            database = await admin.fetchval("SELECT current_database()")
            before = await _store_backends(admin, database)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await events.AcknowledgeEvents(
                    events_pb2.AcknowledgeEventsRequest(event_ids=range(1, OVERSIZED + 1))
                )
            assert _refused_reason(refused.value) == "TOO_MANY_EVENT_IDS"
            await events.ListUndeliveredEvents(events_pb2.ListUndeliveredEventsRequest())
            assert before and before <= await _store_backends(admin, database)
    finally:
        await admin.close()


@pytest.mark.parametrize("limit", [0, -1, 10_001])
async def test_an_unbounded_event_read_is_refused(channel: grpc.aio.Channel, limit: int) -> None:
    events = events_pb2_grpc.EventsServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await events.ListEvents(events_pb2.ListEventsRequest(limit=limit))
    assert _refused_reason(refused.value) == "INVALID_LIMIT"


async def test_a_bounded_event_read_keeps_the_newest_matches(channel: grpc.aio.Channel) -> None:
    for customer in ("c1", "c2", "c3"):
        await _pay(channel, customer)
    events = events_pb2_grpc.EventsServiceStub(channel)
    newest = await events.ListEvents(events_pb2.ListEventsRequest(limit=2))
    assert [event.customer_id for event in newest.events] == ["c2", "c3"]


async def _emit_large_events(database_url: str, count: int, size: int) -> None:
    """Events whose metadata is `size` bytes each, straight into the outbox."""
    engine = create_engine(database_url)
    rows = [
        {
            "created_at": datetime(2026, 3, 1, tzinfo=UTC),
            "event_type": "large",
            "metadata": to_json({"blob": "x" * size, "index": index}),
        }
        for index in range(count)
    ]
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(table_of(NotificationEvent)), rows)
    finally:
        await engine.dispose()


async def test_undelivered_events_past_the_message_limit_come_in_several_answers(
    channel: grpc.aio.Channel, database_url: str
) -> None:
    await _emit_large_events(database_url, count=50, size=100_000)  # 5 MB in all
    events = events_pb2_grpc.EventsServiceStub(channel)
    seen: list[int] = []
    while True:
        pending = await events.ListUndeliveredEvents(
            events_pb2.ListUndeliveredEventsRequest(page_size=100)
        )
        if not pending.events:
            break
        assert len(pending.events) < 50  # one answer could not have carried them all
        seen += [json.loads(event.metadata_json)["index"] for event in pending.events]
        ids = [event.event_id for event in pending.events]
        await events.AcknowledgeEvents(events_pb2.AcknowledgeEventsRequest(event_ids=ids))
    assert seen == list(range(50))
