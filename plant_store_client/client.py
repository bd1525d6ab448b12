"""A typed client of the store: one channel, stubs per service, metadata on every call."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from plant.store.v1 import (
    billing_pb2_grpc,
    catalog_pb2_grpc,
    deliverables_pb2_grpc,
    events_pb2_grpc,
    hiring_pb2_grpc,
    maintenance_pb2_grpc,
)

from plant_store_client import client_settings
from plant_store_client import settings_parsing as read
from plant_store_client.logging_context import correlation_id as current_correlation_id
from plant_store_client.tls import ClientTls
from plant_store_client.tracing import client_interceptors

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

R = TypeVar("R")

CHANNEL_OPTIONS = (
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    # Spread calls over every address the target resolves to (several store replicas).
    ("grpc.lb_policy_name", "round_robin"),
    # Find a restarted store within a quarter second instead of backing off for up to 2 min.
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 250),
)


# Retry only UNAVAILABLE (the store or its database could not be reached, nothing was done),
# with exponential backoff and a bound; every other status is an answer.
RETRY_UNAVAILABLE = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 5,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "2s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
)


class StoreClient:
    """Owns the channel; `call` adds the deadline, correlation id and credentials to each RPC.

    With `retries`, calls that fail UNAVAILABLE are retried (bounded, with backoff). Writes are
    only safe to retry with a `request_id`; the adapter, whose REST writes carry one only when
    the client sent an Idempotency-Key, does not retry and answers 503 instead.
    """

    def __init__(
        self,
        target: str,
        deadline_seconds: float,
        auth_token: str | None,
        *,
        retries: bool = False,
        tls: ClientTls | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        options = CHANNEL_OPTIONS + (
            (("grpc.enable_retries", 1), ("grpc.service_config", RETRY_UNAVAILABLE))
            if retries
            else (("grpc.enable_retries", 0),)
        )
        interceptors = client_interceptors(tracer_provider)
        self.channel = (
            grpc.aio.secure_channel(
                target, tls.credentials(), options=options, interceptors=interceptors
            )
            if tls is not None
            else grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)
        )
        self.deadline_seconds = deadline_seconds
        self._auth = (("authorization", f"Bearer {auth_token}"),) if auth_token else ()
        self.catalog = catalog_pb2_grpc.CatalogServiceStub(self.channel)
        self.billing = billing_pb2_grpc.BillingServiceStub(self.channel)
        self.hiring = hiring_pb2_grpc.HiringServiceStub(self.channel)
        self.deliverables = deliverables_pb2_grpc.DeliverablesServiceStub(self.channel)
        self.events = events_pb2_grpc.EventsServiceStub(self.channel)
        self.maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(self.channel)

    @classmethod
    def from_env(cls, target: str, deadline_seconds: float = 3600) -> StoreClient:
        """A client for jobs and schedulers: the token and TLS settings from the environment, and
        bounded retries of UNAVAILABLE."""
        return cls(
            target,
            deadline_seconds=deadline_seconds,
            auth_token=read.token(os.environ, "STORE_AUTH_TOKEN"),
            retries=True,
            tls=client_settings.client_tls(),
        )

    async def call(
        self,
        method: Callable[..., Awaitable[R]],
        request: Any,
        correlation_id: str | None = None,
    ) -> R:
        """Without a correlation id, the call carries the one of the work in progress."""
        cid = correlation_id or current_correlation_id.get()
        metadata = (("x-correlation-id", cid), *self._auth)
        return await method(request, timeout=self.deadline_seconds, metadata=metadata)

    async def close(self) -> None:
        await self.channel.close()
