"""Typed dependencies shared by every route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from http_adapter.config import AdapterSettings
from http_adapter.correlation import forwarded_correlation_id
from plant_store_client.client import StoreClient


# Dependencies are coroutines: FastAPI would run plain functions in a worker thread.
async def _store(request: Request) -> StoreClient:
    store: StoreClient = request.app.state.store
    return store


async def _settings(request: Request) -> AdapterSettings:
    settings: AdapterSettings = request.app.state.settings
    return settings


Store = Annotated[StoreClient, Depends(_store)]
Settings = Annotated[AdapterSettings, Depends(_settings)]


async def _correlation_id(request: Request) -> str:
    return forwarded_correlation_id(request)


# The correlation id to hand to the store.
CorrelationId = Annotated[str, Depends(_correlation_id)]


# Long enough for any UUID or client scheme; a bound keeps hostile headers out of the store.
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY_HEADER = Header(
    alias="Idempotency-Key",
    max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
    description=(
        "Optional. A repeat with the same key and the same request replays the first answer "
        "(status and body) without doing the work again; the same key with another request is "
        "refused with 409. Keys are trimmed, scoped by customer and endpoint, and kept for "
        "IDEMPOTENCY_RETENTION_HOURS. See docs/idempotency.md."
    ),
)


async def _idempotency_key(
    key: Annotated[str | None, IDEMPOTENCY_KEY_HEADER] = None,
) -> str:
    return (key or "").strip()


# The store's request_id for a write: "" (no key) or the client's trimmed Idempotency-Key.
IdempotencyKey = Annotated[str, Depends(_idempotency_key)]
