"""The store's side of tracing (plant_store_client.tracing configures it): a span per call,
continuing the caller's trace."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


# The grpc instrumentation package has no type annotations: hence the ignore below.


def server_interceptors(provider: TracerProvider | None) -> list[grpc.aio.ServerInterceptor]:
    """A span per call, continuing the caller's trace, when tracing is on."""
    if provider is None:
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    interceptor: grpc.aio.ServerInterceptor = aio_server_interceptor(  # type: ignore[no-untyped-call]
        tracer_provider=provider
    )
    return [interceptor]
