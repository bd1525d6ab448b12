"""The adapter's request metrics, access log and /metrics endpoint."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from http_adapter.correlation import correlation_id_of
from plant_store_client.logging_context import correlation_id, printable_correlation_id
from plant_store_client.settings_parsing import split_host_port
from plant_store_client.version import register_build_info

HTTP_REQUESTS = Counter(
    "plant_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "plant_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
register_build_info(REGISTRY)
access = logging.getLogger("plant.http.access")
# Probes and scrapes arrive every few seconds: their access lines only at DEBUG.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


class ObservedRequests:
    """Counts, times and logs every request by its route template (not its raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # The request's correlation id: verbatim for its error bodies, bounded and printable
        # for its logs and its store calls.
        cid = correlation_id_of(scope)
        scope.setdefault("state", {})["correlation_id"] = cid
        token = correlation_id.set(printable_correlation_id(cid))

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            elapsed = time.perf_counter() - started
            route: Any = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope["method"]
            HTTP_REQUESTS.labels(method, template, str(status)).inc()
            HTTP_DURATION.labels(method, template).observe(elapsed)
            level = logging.DEBUG if template in QUIET_ROUTES else logging.INFO
            if access.isEnabledFor(level):
                access.log(
                    level,
                    "http",
                    extra={
                        "method": method,
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1e3, 3),
                    },
                )
            correlation_id.reset(token)


def install_observability(app: FastAPI, metrics_listen: str | None) -> None:
    """Request metrics and access lines; `/metrics` on the public port unless `metrics_listen`
    names a listener of its own (started by `serve_metrics`)."""
    app.add_middleware(ObservedRequests)
    if metrics_listen:
        return

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def serve_metrics(metrics_listen: str) -> None:
    """Serves `/metrics` on an internal address of its own, apart from the public API."""
    host, port = split_host_port(metrics_listen)
    start_http_server(port, addr=host, registry=REGISTRY)
