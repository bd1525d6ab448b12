"""Typed dependencies shared by every route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from http_adapter.config import AdapterSettings
from http_adapter.correlation import forwarded_correlation_id
from store_service.client import StoreClient


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
