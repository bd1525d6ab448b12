"""What the benchmarks share: a scratch PostgreSQL database and a store process to measure."""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from plant_store_client.probe import check_health
from store_service.config import normalise_database_url
from store_service.db.engine import create_engine
from store_service.db.migrate import migrate
from tests.processes import start_process, stop_process, wait_answering

SERVER_URL = os.environ.get(
    "PLANT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def heading(benchmark: str) -> dict[str, object]:
    """What every benchmark's JSON starts with: its name, the machine and the date."""
    return {
        "benchmark": benchmark,
        "machine": machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }


@asynccontextmanager
async def scratch_database(source: Path | None = None) -> AsyncIterator[str]:
    """A migrated PostgreSQL database of its own, dropped afterwards; with `source`, migrated
    by that checkout's migrations (bench.pairs)."""
    name = f"plant_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(SERVER_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(SERVER_URL)._replace(path=f"/{name}"))
    try:
        if source is None:
            engine = create_engine(normalise_database_url(url))
            await migrate(engine)
            await engine.dispose()
        else:
            await _migrate_from(source, url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _migrate_from(source: Path, url: str) -> None:
    process = await start_process(
        "migrate", env={"DATABASE_URL": url}, source=source, stderr=asyncio.subprocess.PIPE
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"migrating with {source} failed:\n{errors.decode()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class StoreProcess:
    target: str
    process: asyncio.subprocess.Process

    def peak_rss_mib(self) -> float:
        """The process's high-water resident set size (VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@asynccontextmanager
async def store_process(
    database_url: str, source: Path | None = None
) -> AsyncIterator[StoreProcess]:
    """The store as its own process (its log on our stderr); with `source`, that checkout's."""
    target = f"127.0.0.1:{_free_port()}"
    env = {"DATABASE_URL": database_url, "PLANT_STORE_LISTEN": target, "LOG_LEVEL": "WARNING"}
    store = StoreProcess(target, await start_process("serve", env=env, source=source, stderr=None))
    try:
        deadline = time.monotonic() + 30
        while await check_health(target, deadline_seconds=1) != "SERVING":
            if time.monotonic() > deadline:
                raise TimeoutError("store did not start")
            await asyncio.sleep(0.2)
        yield store
    finally:
        # The process of the moment: a benchmark may have restarted the store (bench.restart).
        if store.process.returncode is None:
            store.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(store.process.wait(), 30)


@dataclass
class AdapterProcess:
    url: str
    process: asyncio.subprocess.Process


@asynccontextmanager
async def adapter_process(
    store: StoreProcess, source: Path | None = None
) -> AsyncIterator[AdapterProcess]:
    """The REST adapter as its own process, in front of `store`; with `source`, that checkout's."""
    url = f"http://127.0.0.1:{_free_port()}"
    process = await start_process(
        "http",
        env={
            "PLANT_STORE_TARGET": store.target,
            "PLANT_HTTP_LISTEN": url.removeprefix("http://"),
            "LOG_LEVEL": "WARNING",
        },
        source=source,
    )
    try:
        await wait_answering(url)
        yield AdapterProcess(url, process)
    finally:
        await stop_process(process)


SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)


async def copy_hired_agents(
    connection: asyncpg.Connection,
    first: int,
    last: int,
    *,
    agent_id: str,
    config: str,
    ready: bool,
) -> None:
    """Subscriptions SUB-{i} and their hired instances HAI-{i} for i in [first, last), by COPY.

    `ready` instances are configured and finalized (the scheduler's eligible ones)."""
    await connection.copy_records_to_table(
        "subscriptions",
        columns=[
            "subscription_id",
            "agent_id",
            "duration",
            "customer_id",
            "status",
            "current_period_start",
            "current_period_end",
            "cancel_at_period_end",
        ],
        records=[
            (f"SUB-{i:07d}", agent_id, "monthly", f"c{i}", "active", SEEDED_AT, SEEDED_AT, False)
            for i in range(first, last)
        ],
    )
    await connection.copy_records_to_table(
        "hired_instances",
        columns=[
            "hired_instance_id",
            "subscription_id",
            "agent_id",
            "customer_id",
            "nickname",
            "theme",
            "config",
            "configured",
            "goals_completed",
            "active",
            "trial_status",
            "created_at",
            "updated_at",
        ],
        records=[
            (
                f"HAI-{i:07d}",
                f"SUB-{i:07d}",
                agent_id,
                f"c{i}",
                "n",
                "dark",
                config,
                ready,
                ready,
                True,
                "active" if ready else "not_started",
                SEEDED_AT,
                SEEDED_AT,
            )
            for i in range(first, last)
        ],
    )
