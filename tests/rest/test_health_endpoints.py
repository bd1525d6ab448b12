"""The adapter's liveness and readiness endpoints, for HTTP load balancers and orchestrators."""

from __future__ import annotations

import logging
import uuid

import pytest

from http_adapter.config import AdapterSettings
from store_service.server import StoreServer
from tests.support.databases import PostgresDatabases
from tests.support.harness import adapter_client, adapter_settings, running_store, store_settings
from tests.support.processes import free_port


async def test_live_and_ready_while_the_store_serves(store: StoreServer) -> None:
    async with adapter_client(adapter_settings(store)) as http:
        live, ready = await http.get("/healthz"), await http.get("/readyz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "store": "SERVING"})


@pytest.mark.unit
async def test_live_but_not_ready_without_a_store() -> None:
    settings = AdapterSettings(store_target=f"127.0.0.1:{free_port()}")
    async with adapter_client(settings) as http:
        live, ready = await http.get("/healthz"), await http.get("/readyz")
    assert live.status_code == 200
    assert (ready.status_code, ready.json()) == (
        503,
        {"status": "unready", "store": "UNREACHABLE"},
    )


async def test_not_ready_while_the_store_has_no_database(postgres: PostgresDatabases) -> None:
    missing = postgres.url(f"plant_test_absent_{uuid.uuid4().hex[:10]}")
    async with (
        running_store(store_settings(missing)) as store,
        adapter_client(adapter_settings(store)) as http,
    ):
        live, ready = await http.get("/healthz"), await http.get("/readyz")
    assert live.status_code == 200
    assert (ready.status_code, ready.json()) == (
        503,
        {"status": "unready", "store": "NOT_SERVING"},
    )


async def test_probes_stay_out_of_the_access_log_at_info(
    store: StoreServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with adapter_client(adapter_settings(store)) as http:
        with caplog.at_level(logging.INFO, logger="plant.http.access"):
            await http.get("/healthz")
            await http.get("/readyz")
            await http.get("/api/v1/agent-types")
    routes = [getattr(r, "route", None) for r in caplog.records if r.name == "plant.http.access"]
    assert routes == ["/api/v1/agent-types"]
