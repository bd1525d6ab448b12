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
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from plant_store_client.probe import check_health
from store_service.db.engine import create_engine
from store_service.db.models import Deliverable, GoalInstance, Order, table_of
from tests.consistency import broken_invariants
from tests.databases import migrate_url
from tests.flows import TRADE_GOAL, TRADING_AGENT, TRADING_CONFIG
from tests.private_postgres import PrivateCluster, private_cluster, why_unavailable
from tests.processes import (
    free_port,
    start_process,
    stop_process,
    wait_answering,
    wait_serving,
)

API = "/api/v1"


@dataclass
class Ledger:
    """What the clients were told succeeded, and every status they saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    orders: set[str] = field(default_factory=set)
    goals: set[tuple[str, str]] = field(default_factory=set)
    executed: set[str] = field(default_factory=set)

    def saw(self, response: httpx.Response) -> bool:
        self.statuses[response.status_code] += 1
        return response.status_code == 200


async def one_flow(http: httpx.AsyncClient, ledger: Ledger, customer: str) -> None:
    """Checkout to execution; stops at the first refusal (the fault), like a real client."""
    response = await http.post(
        f"{API}/payments/coupon/checkout",
        json={
            "coupon_code": "WAOOAW100",
            "agent_id": TRADING_AGENT,
            "duration": "monthly",
            "customer_id": customer,
        },
    )
    if not ledger.saw(response):
        return
    checkout = response.json()
    ledger.orders.add(checkout["order_id"])
    response = await http.put(
        f"{API}/hired-agents/draft",
        json={
            "subscription_id": checkout["subscription_id"],
            "agent_id": TRADING_AGENT,
            "customer_id": customer,
            "nickname": "n",
            "theme": "dark",
            "config": TRADING_CONFIG,
        },
    )
    if not ledger.saw(response):
        return
    hid = response.json()["hired_instance_id"]
    response = await http.put(
        f"{API}/hired-agents/{hid}/goals",
        json={
            "customer_id": customer,
            "goal_template_id": "trading.trade_intent_draft.v1",
            "frequency": "on_demand",
            "settings": TRADE_GOAL,
            "goal_instance_id": "g",
        },
    )
    if not ledger.saw(response):
        return
    ledger.goals.add((hid, "g"))
    response = await http.get(
        f"{API}/hired-agents/{hid}/deliverables", params={"customer_id": customer}
    )
    if not ledger.saw(response) or not response.json()["deliverables"]:
        return
    did = response.json()["deliverables"][0]["deliverable_id"]
    response = await http.post(
        f"{API}/deliverables/{did}/review", json={"customer_id": customer, "decision": "approved"}
    )
    if not ledger.saw(response):
        return
    response = await http.post(
        f"{API}/deliverables/{did}/execute",
        json={"customer_id": customer, "approval_id": response.json()["approval_id"]},
    )
    if ledger.saw(response):
        ledger.executed.add(did)


async def load(url: str, ledger: Ledger, stop: asyncio.Event, users: int = 6) -> None:
    async def user(index: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=15) as http:
            flow = 0
            while not stop.is_set():
                flow += 1
                try:
                    await one_flow(http, ledger, f"drill-{index}-{flow}")
                except httpx.TransportError:
                    ledger.statuses[0] += 1
                    await asyncio.sleep(0.05)

    await asyncio.gather(*(user(index) for index in range(users)))


async def wait_for_a_new_execution(ledger: Ledger, polls: int = 600) -> None:
    """Lets the load run until one more flow executes end to end (after a fault: recovery
    serves whole flows), so every set of the ledger has something to check."""
    before = len(ledger.executed)
    for _ in range(polls):
        if len(ledger.executed) > before:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"no flow completed after the fault: {ledger.statuses}")


async def assert_everything_acknowledged_is_stored(engine: AsyncEngine, ledger: Ledger) -> None:
    orders, goals, deliverables = table_of(Order), table_of(GoalInstance), table_of(Deliverable)
    async with engine.connect() as connection:
        stored_orders = set((await connection.execute(select(orders.c.order_id))).scalars())
        stored_goals = {
            tuple(row)
            for row in await connection.execute(
                select(goals.c.hired_instance_id, goals.c.goal_instance_id)
            )
        }
        executed = set(
            (
                await connection.execute(
                    select(deliverables.c.deliverable_id).where(
                        deliverables.c.execution_status == "executed"
                    )
                )
            ).scalars()
        )
    # Each set is non-empty (wait_for_a_new_execution), so each check can fail.
    assert ledger.orders and ledger.orders <= stored_orders
    assert ledger.goals and ledger.goals <= stored_goals
    assert ledger.executed and ledger.executed <= executed
    assert await broken_invariants(engine) == {}


@dataclass
class Stack:
    database_url: str
    store_target: str
    http_url: str
    store: asyncio.subprocess.Process
    adapter: asyncio.subprocess.Process

    async def start_store(self) -> None:
        self.store = await start_process(
            "serve",
            env={"DATABASE_URL": self.database_url, "PLANT_STORE_LISTEN": self.store_target},
        )


@asynccontextmanager
async def running_stack(database_url: str) -> AsyncIterator[Stack]:
    """A store process and an adapter process in front of it, on `database_url`."""
    store_target, http_port = f"127.0.0.1:{free_port()}", free_port()
    env = {"DATABASE_URL": database_url}
    store = await start_process("serve", env=env | {"PLANT_STORE_LISTEN": store_target})
    adapter = await start_process(
        "http",
        env=env
        | {
            "PLANT_STORE_TARGET": store_target,
            "PLANT_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "PLANT_STORE_DEADLINE_SECONDS": "5",
        },
    )
    running = Stack(database_url, store_target, f"http://127.0.0.1:{http_port}", store, adapter)
    try:
        await wait_serving(store_target)
        await wait_answering(running.http_url)
        yield running
    finally:
        await stop_process(running.store)
        await stop_process(running.adapter)


@pytest.fixture
async def processes(postgres_url: str) -> AsyncIterator[Stack]:
    async with running_stack(postgres_url) as running:
        yield running


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
