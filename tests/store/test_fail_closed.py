"""The store fails closed: no tokenless port others can reach, no half-configured TLS."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest
from plant.store.v1 import maintenance_pb2 as pb
from plant.store.v1 import maintenance_pb2_grpc

from http_adapter.config import AdapterSettings
from plant_store_client.configuration import UnsafeConfiguration
from plant_store_client.tls import ClientTls
from plant_store_client.wire.values import timestamp
from store_service.exposure import is_loopback
from store_service.server import build_store
from tests.databases import sqlite_url
from tests.harness import running_store, store_settings
from tests.processes import free_port, run_cli
from tests.seeds import START

COMPOSE = Path(sys.executable).parent / "docker-compose"
ROOT = Path(__file__).parents[2]
# Every setting these tests turn on starts out off, whatever the environment running them holds.
CLEAN = dict.fromkeys(
    (
        "STORE_AUTH_TOKEN",
        "STORE_ALLOW_UNAUTHENTICATED",
        "PLANT_STORE_TLS_CERT",
        "PLANT_STORE_TLS_KEY",
        "PLANT_STORE_TLS_CLIENT_CA",
        "PLANT_STORE_TLS_CA",
        "PLANT_STORE_TLS_CLIENT_CERT",
        "PLANT_STORE_TLS_CLIENT_KEY",
    ),
    "",
)
FAR_FUTURE_PURGE = pb.PurgeExpiredDataRequest(now=timestamp(START.replace(year=2999)))


@pytest.mark.parametrize(
    "listen", ["127.0.0.1:50051", "127.0.0.2:1", "localhost:1", "[::1]:1", "unix:/tmp/s.sock"]
)
def test_loopback_and_unix_sockets_are_private(listen: str) -> None:
    assert is_loopback(listen)


@pytest.mark.parametrize(
    "listen", ["0.0.0.0:50051", "[::]:1", ":1", "10.0.0.5:1", "plant-store.internal:1"]
)
def test_other_addresses_are_reachable(listen: str) -> None:
    assert not is_loopback(listen)


async def purge(port: int, metadata: tuple[tuple[str, str], ...] = ()) -> Any:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = maintenance_pb2_grpc.MaintenanceServiceStub(channel)
        return await stub.PurgeExpiredData(FAR_FUTURE_PURGE, metadata=metadata, timeout=30)


async def test_a_reachable_store_without_a_token_refuses_to_start(database_url: str) -> None:
    with pytest.raises(UnsafeConfiguration, match="STORE_AUTH_TOKEN"):
        build_store(store_settings(database_url, listen="0.0.0.0:0"))


async def test_a_reachable_store_with_a_token_refuses_the_unauthenticated_purge(
    database_url: str,
) -> None:
    settings = store_settings(database_url, listen="0.0.0.0:0", auth_token="s3cret")
    async with running_store(settings) as store:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await purge(store.port)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert await purge(store.port, (("authorization", "Bearer s3cret"),)) is not None


async def test_the_opt_out_serves_without_a_token_and_says_so(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = store_settings(database_url, listen="0.0.0.0:0", allow_unauthenticated=True)
    with caplog.at_level(logging.WARNING, logger="store_service.exposure"):
        async with running_store(settings) as store:
            assert await purge(store.port) is not None
    [warning] = [r.getMessage() for r in caplog.records if r.name == "store_service.exposure"]
    assert "WITHOUT AUTHENTICATION" in warning


async def test_serve_refuses_a_reachable_port_without_a_token_in_one_line(tmp_path: Path) -> None:
    env = CLEAN | {
        "DATABASE_URL": sqlite_url(tmp_path / "p.db"),
        "PLANT_STORE_LISTEN": f"0.0.0.0:{free_port()}",
    }
    code, output = await run_cli("serve", env=env)
    assert code == 2
    [line] = output.strip().splitlines()
    assert line.startswith("plant-store serve: refusing to serve 0.0.0.0:")
    assert "STORE_AUTH_TOKEN" in line and "STORE_ALLOW_UNAUTHENTICATED=true" in line


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"tls_cert_file": "server.pem"}, "PLANT_STORE_TLS_KEY missing"),
        ({"tls_key_file": "server.key"}, "PLANT_STORE_TLS_CERT missing"),
        ({"tls_client_ca_file": "ca.pem"}, "PLANT_STORE_TLS_CERT, PLANT_STORE_TLS_KEY missing"),
        (
            {"tls_cert_file": "server.pem", "tls_client_ca_file": "ca.pem"},
            "PLANT_STORE_TLS_KEY missing",
        ),
    ],
)
async def test_a_partial_tls_set_stops_the_store(
    database_url: str, given: dict[str, str], missing: str
) -> None:
    with pytest.raises(UnsafeConfiguration, match=missing):
        build_store(store_settings(database_url, auth_token="s3cret", **given))


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        (
            {"PLANT_STORE_TLS_CLIENT_CERT": "c.pem"},
            "PLANT_STORE_TLS_CA, PLANT_STORE_TLS_CLIENT_KEY",
        ),
        (
            {"PLANT_STORE_TLS_CLIENT_CERT": "c.pem", "PLANT_STORE_TLS_CLIENT_KEY": "c.key"},
            "PLANT_STORE_TLS_CA missing",
        ),
        (
            {"PLANT_STORE_TLS_CA": "ca.pem", "PLANT_STORE_TLS_CLIENT_KEY": "c.key"},
            "PLANT_STORE_TLS_CLIENT_CERT missing",
        ),
    ],
)
def test_a_partial_tls_set_stops_every_client(given: dict[str, str], missing: str) -> None:
    with pytest.raises(UnsafeConfiguration, match=missing):
        ClientTls.from_env(given)
    with pytest.raises(UnsafeConfiguration, match=missing):
        AdapterSettings.from_env(given)


@pytest.mark.parametrize(
    ("command", "given"),
    [
        (("serve",), {"PLANT_STORE_TLS_CERT": "server.pem", "STORE_AUTH_TOKEN": "s3cret"}),
        (("health", "--target", "127.0.0.1:1"), {"PLANT_STORE_TLS_CLIENT_CERT": "c.pem"}),
        (("http",), {"PLANT_STORE_TLS_CLIENT_KEY": "c.key"}),
    ],
)
async def test_partial_tls_stops_start_up_in_one_line(
    tmp_path: Path, command: tuple[str, ...], given: dict[str, str]
) -> None:
    env = CLEAN | given | {"DATABASE_URL": sqlite_url(tmp_path / "p.db")}
    env |= {"PLANT_STORE_LISTEN": f"127.0.0.1:{free_port()}"}
    code, output = await run_cli(*command, env=env)
    assert code == 2
    [line] = output.strip().splitlines()
    assert line.startswith(f"plant-store {command[0]}: incomplete TLS settings: ")
    assert line.endswith(" missing")


async def compose_config(env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(COMPOSE),
        "-f",
        str(ROOT / "compose.yaml"),
        "config",
        "--format",
        "json",
        env={k: v for k, v in os.environ.items() if k != "STORE_AUTH_TOKEN"} | env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_compose_requires_the_token() -> None:
    code, output = await compose_config({})
    assert code != 0 and "STORE_AUTH_TOKEN" in output
    code, output = await compose_config({"STORE_AUTH_TOKEN": "a-long-random-token"})
    assert code == 0, output
    services = json.loads(output)["services"]
    for caller in ("store", "adapter"):
        assert services[caller]["environment"]["STORE_AUTH_TOKEN"] == "a-long-random-token"
