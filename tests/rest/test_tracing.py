"""Optional OpenTelemetry tracing: a REST request, the adapter's store call and the store's
handling of it are one trace, continuing the caller's `traceparent`."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from plant_store_client.tracing import tracer_provider_from_env
from tests.harness import adapter_client, adapter_settings, running_store, store_settings

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN_ID = "b7ad6b7169203331"
RPC = "/plant.store.v1.BillingService/CheckoutWithCoupon"
CHECKOUT = {
    "coupon_code": "WAOOAW100",
    "agent_id": "AGT-TRD-1",
    "duration": "monthly",
    "customer_id": "cust-traced",
}


async def finished_spans(exporter: InMemorySpanExporter, count: int) -> tuple[ReadableSpan, ...]:
    # The store ends its span as the answer leaves: give it a moment to be exported.
    for _ in range(100):
        spans = exporter.get_finished_spans()
        if len([span for span in spans if span.name == RPC]) >= count:
            return spans
        await asyncio.sleep(0.02)
    return exporter.get_finished_spans()


def only(spans: tuple[ReadableSpan, ...], kind: SpanKind, name: str) -> ReadableSpan:
    matching = [span for span in spans if span.kind == kind and span.name == name]
    assert len(matching) == 1, [(span.kind, span.name) for span in spans]
    return matching[0]


async def test_a_request_and_its_store_call_are_one_trace(database_url: str) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with (
        running_store(store_settings(database_url), tracer_provider=provider) as server,
        adapter_client(adapter_settings(server), tracer_provider=provider) as http,
    ):
        response = await http.post(
            "/api/v1/payments/coupon/checkout",
            json=CHECKOUT,
            headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"},
        )
        assert response.status_code == 200
        spans = await finished_spans(exporter, 2)

    store_span = only(spans, SpanKind.SERVER, RPC)
    client_span = only(spans, SpanKind.CLIENT, RPC)
    http_span = next(
        span
        for span in spans
        if span.kind == SpanKind.SERVER
        and (span.attributes or {}).get("http.route") == "/api/v1/payments/coupon/checkout"
    )
    for span in (store_span, client_span, http_span):
        assert span.context is not None
        assert format(span.context.trace_id, "032x") == TRACE_ID
    # The chain: caller -> adapter's request -> ... -> adapter's store call -> store's handling.
    assert http_span.parent is not None
    assert format(http_span.parent.span_id, "016x") == CALLER_SPAN_ID
    assert store_span.parent is not None and client_span.context is not None
    assert store_span.parent.span_id == client_span.context.span_id
    by_id = {span.context.span_id: span for span in spans if span.context is not None}
    ancestor = client_span
    while ancestor.parent is not None and ancestor.parent.span_id in by_id:
        ancestor = by_id[ancestor.parent.span_id]
    assert ancestor is http_span


def test_tracing_is_off_unless_an_exporter_is_configured() -> None:
    assert tracer_provider_from_env("plant-store", {}) is None
    assert tracer_provider_from_env("plant-store", {"OTEL_TRACES_EXPORTER": "none"}) is None


def test_a_configured_exporter_names_the_service() -> None:
    provider = tracer_provider_from_env(
        "plant-store", {"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "store-eu-1"}
    )
    assert provider is not None
    try:
        assert provider.resource.attributes["service.name"] == "store-eu-1"
    finally:
        provider.shutdown()
    provider = tracer_provider_from_env("plant-adapter", {"OTEL_TRACES_EXPORTER": "otlp"})
    assert provider is not None
    try:
        assert provider.resource.attributes["service.name"] == "plant-adapter"
    finally:
        provider.shutdown()


def test_an_unknown_exporter_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER='zipkin' is not supported"):
        tracer_provider_from_env("plant-store", {"OTEL_TRACES_EXPORTER": "zipkin"})
