"""Optional OpenTelemetry tracing, on only when an exporter is configured.

`OTEL_TRACES_EXPORTER` names it (`otlp` or `console`; unset or `none`: no tracing, no cost).
The rest is the standard OpenTelemetry environment: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`,
`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`/`_ARG`. The adapter's requests (FastAPI's own
instrumentation), its calls to the store and the store's handling of them become one trace: the
W3C `traceparent` travels in the gRPC metadata.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import grpc

from plant_store_client.configuration import UnsafeConfiguration

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

EXPORTER_VARIABLE = "OTEL_TRACES_EXPORTER"


def _otlp() -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _console() -> SpanExporter:
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    return ConsoleSpanExporter()


EXPORTERS: dict[str, Callable[[], SpanExporter]] = {"otlp": _otlp, "console": _console}


def tracer_provider_from_env(
    service_name: str, environ: Mapping[str, str] = os.environ
) -> TracerProvider | None:
    """A tracer provider exporting in batches, or None when no exporter is configured."""
    name = environ.get(EXPORTER_VARIABLE, "").strip().lower()
    if name in ("", "none"):
        return None
    if name not in EXPORTERS:
        raise UnsafeConfiguration(
            f"{EXPORTER_VARIABLE}={name!r} is not supported: use one of "
            f"{', '.join(sorted(EXPORTERS))} or none"
        )
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Resource.create adds OTEL_RESOURCE_ATTRIBUTES; an explicit OTEL_SERVICE_NAME wins.
    resource = Resource.create({SERVICE_NAME: environ.get("OTEL_SERVICE_NAME") or service_name})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(EXPORTERS[name]()))
    return provider


# The grpc instrumentation package has no type annotations: hence the ignore below.


def client_interceptors(provider: TracerProvider | None) -> list[grpc.aio.ClientInterceptor]:
    """A client span per call, its context sent along as `traceparent`, when tracing is on."""
    if provider is None:
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    interceptors: list[grpc.aio.ClientInterceptor] = aio_client_interceptors(  # type: ignore[no-untyped-call]
        tracer_provider=provider
    )
    return interceptors
