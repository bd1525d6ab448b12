"""Fault drills with asserted results: the store killed mid-load, PostgreSQL stopped or crashed
mid-load.

Real processes (store and adapter) on a real PostgreSQL database; a small load of complete
flows runs while the fault happens and until a flow completes again after it. Afterwards every
request that got a 2xx is in the database, no invariant is broken, and nothing answered 500.
The drills assert what happened, never how fast: recovery times are measured by bench/.
The outage drill stops a PostgreSQL cluster of its own, never the shared test server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from plant_store_client.probe import check_health
from store_service.db.engine import create_engine
from tests.support.databases import migrate_url
from tests.support.drills import (
    Ledger,
    Stack,
    assert_everything_acknowledged_is_stored,
    load,
    running_stack,
    wait_for_a_new_execution,
)
from tests.support.flows import API
from tests.support.private_postgres import PrivateCluster, private_cluster, why_unavailable
from tests.support.processes import wait_serving


async def test_kill_9_of_the_store_loses_nothing_acknowledged(
    processes: Stack, engine: AsyncEngine
) -> None:
    # How soon the adapter answers again is measured by `python -m bench.restart`, not here.
    ledger, stop = Ledger(), asyncio.Event()
    traffic = asyncio.create_task(load(processes.http_url, ledger, stop))
    await asyncio.sleep(2.5)
    processes.store.send_signal(signal.SIGKILL)
    await processes.store.wait()
    await asyncio.sleep(1)
    await processes.start_store()
    await wait_for_a_new_execution(ledger)
    stop.set()
    await traffic
    assert set(ledger.statuses) <= {0, 200, 503}, ledger.statuses
    assert ledger.statuses[503] > 0
    await assert_everything_acknowledged_is_stored(engine, ledger)


@pytest.fixture
async def private_database() -> AsyncIterator[PrivateCluster]:
    """A migrated database on a cluster of the drill's own, which it may stop and crash."""
    problem = why_unavailable()
    if problem is not None:
        message = f"the outage drill needs a private PostgreSQL cluster: {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        print(f"\n!!! SKIPPING THE POSTGRESQL OUTAGE DRILL: {message} !!!", file=sys.stderr)
        pytest.skip(message)
    async with private_cluster() as cluster:
        await migrate_url(cluster.url)
        yield cluster


async def answers_while_down(stack: Stack, polls: int = 100) -> list[str]:
    """Probes the adapter and the store's health until health reports the outage; every
    answer meanwhile must be the contract's 503 (at least five of them)."""
    health: list[str] = []
    async with httpx.AsyncClient(base_url=stack.http_url, timeout=30) as http:
        for _ in range(polls):
            answer = await http.get(f"{API}/agent-types")
            assert answer.status_code == 503, answer.text
            assert answer.json()["title"] == "Service Unavailable"
            health.append(await check_health(stack.store_target))
            if "NOT_SERVING" in health and len(health) >= 5:
                return health
            await asyncio.sleep(0.3)
    raise AssertionError(f"health never reported the outage: {health}")


@pytest.mark.parametrize("shutdown", ["fast", "immediate"])
async def test_postgres_outage_is_503_then_recovers_without_restarts(
    private_database: PrivateCluster, shutdown: str
) -> None:
    """`fast` stops the server in order, `immediate` crashes it (recovery runs at restart)."""
    cluster = private_database
    engine = create_engine(cluster.url)
    try:
        async with running_stack(cluster.url) as stack:
            ledger, stop = Ledger(), asyncio.Event()
            traffic = asyncio.create_task(load(stack.http_url, ledger, stop))
            await asyncio.sleep(2)
            await cluster.stop(shutdown)
            try:
                await answers_while_down(stack)
            finally:
                await cluster.start()
            await wait_serving(stack.store_target)
            await wait_for_a_new_execution(ledger)
            stop.set()
            await traffic
            assert stack.store.returncode is None and stack.adapter.returncode is None
        assert set(ledger.statuses) <= {200, 503}, ledger.statuses
        await assert_everything_acknowledged_is_stored(engine, ledger)
    finally:
        await engine.dispose()
