"""Typed dependencies shared by every route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from http_adapter.config import AdapterSettings
from http_adapter.correlation import correlation_id
from store_service.client import StoreClient


def _store(request: Request) -> StoreClient:
    store: StoreClient = request.app.state.store
    return store


def _settings(request: Request) -> AdapterSettings:
    settings: AdapterSettings = request.app.state.settings
    return settings


Store = Annotated[StoreClient, Depends(_store)]
Settings = Annotated[AdapterSettings, Depends(_settings)]
CorrelationId = Annotated[str, Depends(correlation_id)]
