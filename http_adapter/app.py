"""The adapter's composition root: create_app() builds the FastAPI app for given settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from http_adapter import razorpay
from http_adapter.body_limit import BodyLimit
from http_adapter.config import AdapterSettings
from http_adapter.errors import install_error_handlers
from http_adapter.observability import install_observability
from http_adapter.openapi import install_openapi
from http_adapter.responses import JsonResponse
from http_adapter.routes import (
    agent_types,
    agent_types_db,
    billing_documents,
    deliverables,
    health,
    hired_agents,
    payments,
    trial_status,
)
from plant_store_client.client import StoreClient
from plant_store_client.version import VERSION

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

# Requests are matched against the routes in this order: the busiest routers come first.
ROUTERS = (
    payments.router,
    hired_agents.router,
    deliverables.router,
    trial_status.router,
    billing_documents.receipts,
    billing_documents.invoices,
    agent_types.router,
    agent_types_db.router,
    health.router,
)


def create_app(
    settings: AdapterSettings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    """The app; with a tracer provider, each request and its store call are traced."""
    settings = settings or AdapterSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One channel per process, opened here so it lives on the serving event loop.
        app.state.store = StoreClient(
            settings.store_target,
            settings.store_deadline_seconds,
            settings.store_auth_token,
            tls=settings.store_tls,
            tracer_provider=tracer_provider,
        )
        # For the Razorpay Orders API: one pooled client per process.
        app.state.http = razorpay.new_client()
        try:
            yield
        finally:
            await app.state.http.aclose()
            await app.state.store.close()
            if tracer_provider is not None:
                tracer_provider.shutdown()

    # FastAPIOffline: /docs and /redoc load Swagger UI and ReDoc from the adapter itself (the
    # package ships them), so the documentation works where no CDN can be reached.
    app = FastAPIOffline(
        title="Plant Phase-1 REST API",
        version=VERSION,
        lifespan=lifespan,
        default_response_class=JsonResponse,
        # FastAPI's own OpenTelemetry instrumentation: server spans continuing the caller's
        # `traceparent`, only when tracing is configured (plant_store_client/tracing.py).
        telemetry=(
            {"tracer_provider": tracer_provider, "metrics": False, "logs": False}
            if tracer_provider is not None
            else {"tracing": False, "metrics": False, "logs": False}
        ),
    )
    app.state.settings = settings
    install_error_handlers(app)
    # Inside the observability middleware (added later, so outer): refusals are counted.
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        limits={payments.router.prefix + payments.WEBHOOK: settings.max_webhook_body_bytes},
    )
    install_openapi(app)
    install_observability(app, settings.metrics_listen)
    # The routes go straight onto the app's router: FastAPI walks every included router on each
    # request to check its routes for changes (~7 % of the adapter's CPU, docs/performance.md).
    # Their routers carry what include_router would have added (routes.api_router).
    for router in ROUTERS:
        app.router.routes.extend(router.routes)
    return app
