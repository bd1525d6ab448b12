"""Metrics move with the traffic, and every log line is JSON with the correlation id."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from importlib.metadata import version
from pathlib import Path

import grpc
import httpx
from plant.store.v1 import catalog_pb2 as pb
from plant.store.v1 import catalog_pb2_grpc
from prometheus_client import REGISTRY, CollectorRegistry

from store_service import metrics as store_metrics
from store_service.server import StoreServer
from tests.databases import sqlite_url
from tests.processes import (
    free_port,
    run_cli,
    start_process,
    stop_process,
    wait_live,
    wait_serving,
)

LIST = "/plant.store.v1.CatalogService/ListAgentTypes"
GET = "/plant.store.v1.CatalogService/GetAgentType"


def sample(name: str, registry: CollectorRegistry = store_metrics.REGISTRY, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def settled(name: str, expected: float, **labels: str) -> float:
    """The store's sample once it shows `expected` (or after 10 s): a call's status reaches the
    caller before the interceptor that answered it has counted it, and a connection goes back
    to the pool after the answer is sent."""
    for _ in range(200):
        if sample(name, store_metrics.REGISTRY, **labels) == expected:
            break
        await asyncio.sleep(0.05)
    return sample(name, store_metrics.REGISTRY, **labels)


async def test_rpc_metrics_count_calls_by_method_and_code(
    store: StoreServer, channel: grpc.aio.Channel
) -> None:
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
    ok_before = sample("plant_store_rpc_requests_total", method=LIST, code="OK")
    missing_before = sample("plant_store_rpc_requests_total", method=GET, code="NOT_FOUND")
    for _ in range(3):
        await catalog.ListAgentTypes(pb.ListAgentTypesRequest())
    with contextlib.suppress(grpc.aio.AioRpcError):
        await catalog.GetAgentType(pb.GetAgentTypeRequest(agent_type_id="nope"))
    ok = await settled("plant_store_rpc_requests_total", ok_before + 3, method=LIST, code="OK")
    assert ok == ok_before + 3
    missing = missing_before + 1
    assert await settled(
        "plant_store_rpc_requests_total", missing, method=GET, code="NOT_FOUND"
    ) == (missing)
    assert sample("plant_store_rpc_duration_seconds_count", method=LIST) >= 3
    assert await settled("plant_store_db_pool_checked_out", 0) == 0
    assert await settled("plant_store_database_up", 1) == 1


async def test_adapter_metrics_use_route_templates(http: httpx.AsyncClient) -> None:
    route = "/api/v1/agent-types/{agent_type_id}"
    labels = {"method": "GET", "route": route, "status": "404"}
    before = sample("plant_http_requests_total", REGISTRY, **labels)
    await http.get("/api/v1/agent-types/does-not-exist")
    metrics = await http.get("/metrics")
    assert metrics.status_code == 200
    assert "plant_http_requests_total" in metrics.text
    # Only the adapter's own series: a store gauge at 0 here would read as "database down".
    assert "plant_store_" not in metrics.text
    assert sample("plant_http_requests_total", REGISTRY, **labels) == before + 1


async def test_store_process_logs_json_and_serves_metrics(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "o.db")
    assert (await run_cli("migrate", env={"DATABASE_URL": url}))[0] == 0
    target, metrics_port = f"127.0.0.1:{free_port()}", free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "plant_store_cli",
        "serve",
        env=os.environ
        | {
            "DATABASE_URL": url,
            "PLANT_STORE_LISTEN": target,
            "PLANT_STORE_METRICS_LISTEN": f"127.0.0.1:{metrics_port}",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await wait_serving(target)
        async with grpc.aio.insecure_channel(target) as channel:
            await catalog_pb2_grpc.CatalogServiceStub(channel).ListAgentTypes(
                pb.ListAgentTypesRequest(), metadata=(("x-correlation-id", "cid-log-1"),)
            )
        async with httpx.AsyncClient() as client:
            scraped = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
        assert f'plant_store_rpc_requests_total{{code="OK",method="{LIST}"}} 1.0' in scraped
    finally:
        process.terminate()
        output, _ = await process.communicate()
    lines = [json.loads(line) for line in output.decode().splitlines() if line.startswith("{")]
    assert lines and all({"timestamp", "level", "logger", "message"} <= set(line) for line in lines)
    [access] = [line for line in lines if line.get("rpc") == LIST]
    assert access["correlation_id"] == "cid-log-1"
    assert access["code"] == "OK" and access["duration_ms"] > 0
    # wait_serving asked the health service until SERVING: probes stay out of the log at INFO.
    assert not [line for line in lines if str(line.get("rpc", "")).startswith("/grpc.health")]
    running = version("plant-store")
    assert any(
        line["message"].startswith(f"plant-store {running}: store listening") for line in lines
    )
    assert f'plant_build_info{{version="{running}"}} 1.0' in scraped


async def test_adapter_serves_metrics_on_an_internal_address_when_asked() -> None:
    http_port, metrics_port = free_port(), free_port()
    process = await start_process(
        "http",
        env={
            "PLANT_STORE_TARGET": f"127.0.0.1:{free_port()}",
            "PLANT_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "PLANT_HTTP_METRICS_LISTEN": f"127.0.0.1:{metrics_port}",
        },
    )
    try:
        public = f"http://127.0.0.1:{http_port}"
        await wait_live(public)
        async with httpx.AsyncClient(timeout=5) as client:
            assert (await client.get(f"{public}/metrics")).status_code == 404
            scraped = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
    finally:
        await stop_process(process)
    assert 'plant_http_requests_total{method="GET",route="/healthz",status="200"}' in scraped
