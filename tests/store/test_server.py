"""The store as operators and other components meet it: health, reflection, auth, shutdown."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import uuid
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from plant.store.v1 import catalog_pb2 as pb
from plant.store.v1 import catalog_pb2_grpc

from http_adapter.errors import error_info
from store_service.server import StoreServer, plant_service_names
from tests.support.databases import PostgresDatabases, migrate_url
from tests.support.harness import adapter_client, adapter_settings, running_store, store_settings

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
GRPCURL = shutil.which("grpcurl", path=str(Path(sys.executable).parent)) or "grpcurl"


async def grpcurl(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        GRPCURL, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def health_of(port: int, service: str = "") -> int:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        return int(response.status)


async def wait_for_health(port: int, expected: int, seconds: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while (status := await health_of(port)) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"health stuck at {status}"
        await asyncio.sleep(0.2)


async def test_health_serves_every_plant_service(store: StoreServer) -> None:
    await wait_for_health(store.port, SERVING)
    for service in plant_service_names():
        assert await health_of(store.port, service) == SERVING


async def test_grpcurl_lists_describes_and_calls_through_reflection(store: StoreServer) -> None:
    address = f"127.0.0.1:{store.port}"
    code, listing = await grpcurl("-plaintext", address, "list")
    assert code == 0, listing
    for service in [*plant_service_names(), "grpc.health.v1.Health"]:
        assert service in listing.split()
    assert "grpc.reflection.v1alpha.ServerReflection" in listing
    code, described = await grpcurl(
        "-plaintext", address, "describe", "plant.store.v1.CatalogService"
    )
    assert code == 0 and "rpc PutAgentType" in described, described
    code, answer = await grpcurl(
        "-plaintext",
        "-d",
        '{"agent_type_id": "trading.delta_futures.v1"}',
        address,
        "plant.store.v1.CatalogService/GetAgentType",
    )
    assert code == 0, answer
    assert '"agent_type_id": "trading.delta_futures.v1"' in answer


async def test_unknown_methods_are_unimplemented(channel: grpc.aio.Channel) -> None:
    method = channel.unary_unary("/plant.store.v1.CatalogService/NoSuchMethod")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await method(b"")
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED


async def test_auth_token_guards_every_rpc_but_health(database_url: str) -> None:
    async with running_store(store_settings(database_url, auth_token="s3cret")) as store:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{store.port}") as channel:
            catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
            for metadata in ((), (("authorization", "Bearer wrong"),)):
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    await catalog.ListAgentTypes(pb.ListAgentTypesRequest(), metadata=metadata)
                assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
            allowed = await catalog.ListAgentTypes(
                pb.ListAgentTypesRequest(), metadata=(("authorization", "Bearer s3cret"),)
            )
            assert len(allowed.agent_types) == 2
        await wait_for_health(store.port, SERVING)
        code, _ = await grpcurl("-plaintext", f"127.0.0.1:{store.port}", "list")
        assert code != 0
        async with adapter_client(adapter_settings(store, store_auth_token="s3cret")) as http:
            assert (await http.get("/api/v1/agent-types")).status_code == 200


async def test_shutdown_reports_not_serving_to_watchers(database_url: str) -> None:
    async with running_store(store_settings(database_url)) as store:
        await wait_for_health(store.port, SERVING)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{store.port}") as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
            assert (await watch.read()).status == SERVING
            stopping = asyncio.create_task(store.stop(grace=1))
            assert (await watch.read()).status == NOT_SERVING
            await stopping


async def test_health_follows_the_database_without_a_restart(postgres: PostgresDatabases) -> None:
    name = f"plant_test_later_{uuid.uuid4().hex[:10]}"
    async with running_store(store_settings(postgres.url(name))) as store:
        await wait_for_health(store.port, NOT_SERVING)
        await migrate_url(await postgres.create(name))
        try:
            await wait_for_health(store.port, SERVING)
            await postgres.drop(name)
            await wait_for_health(store.port, NOT_SERVING)
        finally:
            await postgres.drop(name)


async def test_calls_during_an_outage_are_unavailable_and_logged_with_the_correlation_id(
    postgres: PostgresDatabases, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgres.url(f"plant_test_absent_{uuid.uuid4().hex[:10]}")
    async with (
        running_store(store_settings(url)) as store,
        grpc.aio.insecure_channel(f"127.0.0.1:{store.port}") as channel,
    ):
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        with caplog.at_level(logging.WARNING), pytest.raises(grpc.aio.AioRpcError) as raised:
            await catalog.ListAgentTypes(
                pb.ListAgentTypesRequest(), metadata=(("x-correlation-id", "cid-outage"),)
            )
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    info = error_info(raised.value)
    assert info is not None and info.reason == "DATABASE_UNAVAILABLE"
    assert any(getattr(record, "correlation_id", None) == "cid-outage" for record in caplog.records)
