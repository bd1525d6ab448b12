"""The `plant-store` command as deployments run it: real processes, real signals."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import grpc
import pytest
from plant.store.v1 import catalog_pb2 as pb
from plant.store.v1 import catalog_pb2_grpc
from sqlalchemy import text

from store_service.db.engine import create_engine
from store_service.db.migrate import head_revision
from tests.support.databases import PostgresDatabases, sqlite_url
from tests.support.harness import running_store, store_settings
from tests.support.processes import CLI, free_port, run_cli, wait_answering

SOCKET_DIR = os.environ.get("PLANT_TEST_POSTGRES_SOCKET_DIR", "/var/run/postgresql")
SOCKET_PRESENT = Path(SOCKET_DIR, ".s.PGSQL.5432").exists()


async def wait_until_serving(port: int, seconds: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        code, status = await run_cli("health", "--target", f"127.0.0.1:{port}", env={})
        if code == 0:
            return
        assert loop.time() < deadline, status
        await asyncio.sleep(0.3)


async def test_serve_drains_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {"DATABASE_URL": sqlite_url(tmp_path / "p.db")}
    assert (await run_cli("migrate", env=env))[0] == 0
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "serve",
        env=os.environ | env | {"PLANT_STORE_LISTEN": f"127.0.0.1:{port}"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    await wait_until_serving(port)
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, output.decode()
    assert "draining in-flight calls" in output.decode()


async def test_the_store_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": sqlite_url(tmp_path / "empty.db"),
        "PLANT_STORE_LISTEN": f"127.0.0.1:{free_port()}",
    }
    code, output = await run_cli("serve", env=env)
    assert code != 0
    assert "plant-store migrate" in output


async def migrated_by_newer_code(path: Path) -> str:
    """A database whose revision, 9999, this code has never heard of."""
    url = sqlite_url(path)
    assert (await run_cli("migrate", env={"DATABASE_URL": url}))[0] == 0
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    await engine.dispose()
    return url


async def test_migrate_refuses_a_database_migrated_by_newer_code(tmp_path: Path) -> None:
    url = await migrated_by_newer_code(tmp_path / "ahead.db")
    code, output = await run_cli("migrate", env={"DATABASE_URL": url})
    assert code != 0
    assert "'9999' is unknown to this code" in output


async def test_memory_mode_migrates_its_own_database_and_serves() -> None:
    settings = store_settings("unused", persistence_mode="memory")
    async with (
        running_store(settings) as store,
        grpc.aio.insecure_channel(f"127.0.0.1:{store.port}") as channel,
    ):
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        await catalog.PutAgentType(
            pb.PutAgentTypeRequest(
                agent_type_id="m.v1",
                agent_type=pb.AgentTypeDefinition(agent_type_id="m.v1", version="1"),
            )
        )
        listed = await catalog.ListAgentTypes(pb.ListAgentTypesRequest())
    assert [d.agent_type_id for d in listed.agent_types][-1] == "m.v1"
    assert len(listed.agent_types) == 3


async def test_cloud_sql_style_unix_socket_urls_work(postgres: PostgresDatabases) -> None:
    if not SOCKET_PRESENT:
        pytest.fail(f"no PostgreSQL unix socket in {SOCKET_DIR} (PLANT_TEST_POSTGRES_SOCKET_DIR)")
    async with postgres.fresh() as tcp_url:
        parts = urlsplit(tcp_url)
        url = f"postgresql+asyncpg://{parts.username}@{parts.path}?host={SOCKET_DIR}"
        code, output = await run_cli("migrate", env={"DATABASE_URL": url})
        assert code == 0, output
        assert f"empty -> {head_revision()}" in output


async def test_run_stopped_with_ctrl_c_stops_both_and_exits_0(tmp_path: Path) -> None:
    env = {"DATABASE_URL": sqlite_url(tmp_path / "r.db")}
    assert (await run_cli("migrate", env=env))[0] == 0
    store_port, http_port = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "run",
        env=os.environ
        | env
        | {
            "PLANT_STORE_LISTEN": f"127.0.0.1:{store_port}",
            "PLANT_STORE_TARGET": f"127.0.0.1:{store_port}",
            "PLANT_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    await wait_answering(f"http://127.0.0.1:{http_port}")
    assert process.stdout is not None
    # Once both answer, `run` says where they are.
    lines = []
    while b"Ctrl-C stops both" not in (line := await process.stdout.readline()):
        assert line, "run ended without saying where it serves"
        lines.append(line)
    process.send_signal(signal.SIGINT)
    rest, _ = await asyncio.wait_for(process.communicate(), 30)
    output = b"".join(lines) + rest
    assert process.returncode == 0, output.decode()[-2000:]
    code, status = await run_cli("health", "--target", f"127.0.0.1:{store_port}", env={})
    assert (code, status.strip().splitlines()[-1]) == (1, "UNREACHABLE")
    logged = [json.loads(line) for line in output.decode().splitlines() if line.startswith("{")]
    messages = [line["message"] for line in logged]
    started = f"database {env['DATABASE_URL']}, metrics off"
    assert any(started in text for text in messages), messages
    assert "store stopped" in messages
    for line in logged:
        moment = datetime.fromisoformat(line["timestamp"])
        assert moment.utcoffset() == timedelta(0), line
        assert "\x1b" not in json.dumps(line), line  # uvicorn's colour codes stay out


async def test_a_refused_job_says_why_in_one_line(database_url: str) -> None:
    async with running_store(store_settings(database_url)) as store:
        target = f"127.0.0.1:{store.port}"
        code, output = await run_cli(
            "purge-idempotency", "--target", target, "--older-than-hours", "1", env={}
        )
    assert code == 1
    assert "Traceback" not in output
    [line] = [line for line in output.splitlines() if line.startswith("plant-store")]
    assert line.startswith("plant-store purge-idempotency: INVALID_ARGUMENT: ")
    assert "24" in line


async def test_a_bad_time_is_refused_before_anything_runs() -> None:
    code, output = await run_cli("period-end", "--now", "yesterday-ish", env={})
    assert code == 2
    assert "not an ISO-8601 time: 'yesterday-ish'" in output
    assert "Traceback" not in output


async def test_health_of_an_unknown_service_is_not_found(database_url: str) -> None:
    async with running_store(store_settings(database_url)) as store:
        target = f"127.0.0.1:{store.port}"
        code, output = await run_cli("health", "--target", target, "--service", "nope", env={})
    assert (code, output.strip().splitlines()[-1]) == (1, "NOT_FOUND")


async def test_the_store_says_when_the_database_is_ahead_of_it(tmp_path: Path) -> None:
    url = await migrated_by_newer_code(tmp_path / "ahead-serve.db")
    env = {"DATABASE_URL": url, "PLANT_STORE_LISTEN": f"127.0.0.1:{free_port()}"}
    code, output = await run_cli("serve", env=env)
    assert code == 2
    assert "'9999' is newer than this code" in output
    assert "deploy the code that migrated it" in output
