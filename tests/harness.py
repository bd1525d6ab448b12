"""Starts the real components for tests: a store on a free port and the adapter in front of it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from http_adapter.app import create_app
from http_adapter.config import AdapterSettings
from store_service.config import StoreSettings
from store_service.server import StoreServer, build_store


def store_settings(database_url: str, **overrides: Any) -> StoreSettings:
    defaults = StoreSettings(
        database_url=database_url, listen="127.0.0.1:0", shutdown_grace_seconds=0
    )
    return dataclasses.replace(defaults, **overrides)


@asynccontextmanager
async def running_store(settings: StoreSettings) -> AsyncIterator[StoreServer]:
    server = build_store(settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop(grace=0)


@asynccontextmanager
async def adapter_client(settings: AdapterSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The real FastAPI app with its lifespan, called in-process through ASGI."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://plant.test") as client,
    ):
        yield client


def adapter_settings(store: StoreServer, **overrides: Any) -> AdapterSettings:
    return dataclasses.replace(AdapterSettings(store_target=f"127.0.0.1:{store.port}"), **overrides)
