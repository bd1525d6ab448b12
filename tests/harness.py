"""Starts the real components for tests: a store on a free port and the adapter in front of it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import grpc
import httpx
from opentelemetry.sdk.trace import TracerProvider
from plant.store.v1 import events_pb2, events_pb2_grpc

from http_adapter.app import create_app
from http_adapter.config import AdapterSettings
from plant_store_client.wire.documents import from_json
from store_service.config import StoreSettings
from store_service.server import StoreServer, build_store
from store_service.services.units_of_work import Clock, utc_now

# More events than any test writes: a read without a limit is refused.
EVENTS_READ = 1_000


def store_settings(database_url: str, **overrides: Any) -> StoreSettings:
    defaults = StoreSettings(
        database_url=database_url, listen="127.0.0.1:0", shutdown_grace_seconds=0
    )
    return dataclasses.replace(defaults, **overrides)


@asynccontextmanager
async def running_store(
    settings: StoreSettings, clock: Clock = utc_now, tracer_provider: TracerProvider | None = None
) -> AsyncIterator[StoreServer]:
    server = build_store(settings, clock=clock, tracer_provider=tracer_provider)
    await server.start()
    try:
        yield server
    finally:
        await server.stop(grace=0)


@asynccontextmanager
async def adapter_client(
    settings: AdapterSettings, tracer_provider: TracerProvider | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The real FastAPI app with its lifespan, called in-process through ASGI."""
    app = create_app(settings, tracer_provider=tracer_provider)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://plant.test") as client,
    ):
        yield client


def adapter_settings(store: StoreServer, **overrides: Any) -> AdapterSettings:
    return dataclasses.replace(AdapterSettings(store_target=f"127.0.0.1:{store.port}"), **overrides)


@dataclasses.dataclass
class Stack:
    """A store and the adapter in front of it, plus a channel for direct gRPC calls."""

    store: StoreServer
    http: httpx.AsyncClient
    channel: grpc.aio.Channel

    async def events(
        self,
        event_type: str | None = None,
        customer_id: str | None = None,
        subscription_id: str | None = None,
    ) -> list[dict[str, Any]]:
        stub = events_pb2_grpc.EventsServiceStub(self.channel)
        request = events_pb2.ListEventsRequest(
            event_type=event_type,
            customer_id=customer_id,
            subscription_id=subscription_id,
            limit=EVENTS_READ,
        )
        response = await stub.ListEvents(request)
        return [
            {
                "event_type": event.event_type,
                "customer_id": event.customer_id if event.HasField("customer_id") else None,
                "subscription_id": event.subscription_id
                if event.HasField("subscription_id")
                else None,
                "order_id": event.order_id if event.HasField("order_id") else None,
                "hired_instance_id": event.hired_instance_id
                if event.HasField("hired_instance_id")
                else None,
                "metadata": from_json(event.metadata_json),
            }
            for event in response.events
        ]


@asynccontextmanager
async def stack(
    database_url: str,
    store: dict[str, Any] | None = None,
    adapter: dict[str, Any] | None = None,
    clock: Clock = utc_now,
) -> AsyncIterator[Stack]:
    """Store and adapter with the given settings (and store clock) on one database."""
    async with (
        running_store(store_settings(database_url, **(store or {})), clock) as server,
        adapter_client(adapter_settings(server, **(adapter or {}))) as http,
        grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel,
    ):
        yield Stack(server, http, channel)
