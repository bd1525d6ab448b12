"""Benchmark: listing one instance's deliverables must not slow down as the table grows.

Measures ListDeliverables (gRPC, typed stub) for one instance with 20 deliverables, first with
about 10^4 deliverables in the table, then after growing it to about 10^6.

    .venv/bin/python -m bench.deliverable_listing --small 10000 --large 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import timedelta

import asyncpg
from plant.store.v1 import deliverables_pb2

from bench.harness import copy_hired_agents, heading, scratch_database, store_process
from bench.run_due import START
from plant_store_client.client import StoreClient

PER_INSTANCE = 20
PAYLOAD = json.dumps({"type": "trading_guardrail_report_v1", "draft_only": True})


async def seed_instances(connection: asyncpg.Connection, first: int, last: int) -> None:
    await copy_hired_agents(connection, first, last, agent_id="agent-1", config="{}", ready=False)
    await connection.copy_records_to_table(
        "deliverables",
        columns=[
            "deliverable_id",
            "hired_instance_id",
            "goal_instance_id",
            "goal_template_id",
            "period_key",
            "title",
            "payload",
            "review_status",
            "execution_status",
            "created_at",
            "updated_at",
        ],
        records=[
            (
                f"DEL-{i:07d}-{n:02d}",
                f"HAI-{i:07d}",
                "g",
                "t",
                f"daily:{n}",
                "Guardrail report",
                PAYLOAD,
                "pending_review",
                "not_executed",
                START + timedelta(days=n),
                START + timedelta(days=n),
            )
            for i in range(first, last)
            for n in range(PER_INSTANCE)
        ],
    )
    await connection.execute("ANALYZE")


async def measure(target: str, calls: int) -> dict[str, float]:
    store = StoreClient(target, deadline_seconds=60, auth_token=None)
    request = deliverables_pb2.ListDeliverablesRequest(
        hired_instance_id="HAI-0000000", customer_id="c0"
    )
    timings = []
    try:
        for _ in range(calls):
            started = time.perf_counter()
            response = await store.call(store.deliverables.ListDeliverables, request, "bench")
            timings.append((time.perf_counter() - started) * 1000)
            assert len(response.deliverables) == PER_INSTANCE
    finally:
        await store.close()
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 3),
        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3),
        "mean_ms": round(statistics.fmean(timings), 3),
    }


async def main(small: int, large: int, calls: int) -> dict[str, object]:
    async with scratch_database() as url:
        connection = await asyncpg.connect(url)
        small_instances, large_instances = small // PER_INSTANCE, large // PER_INSTANCE
        try:
            await seed_instances(connection, 0, small_instances)
            async with store_process(url) as store:
                await measure(store.target, 50)
                at_small = await measure(store.target, calls)
            await seed_instances(connection, small_instances, large_instances)
            async with store_process(url) as store:
                await measure(store.target, 50)
                at_large = await measure(store.target, calls)
            plan = await connection.fetchval(
                "EXPLAIN SELECT * FROM deliverables WHERE hired_instance_id = 'HAI-0000000' "
                "ORDER BY created_at, deliverable_id"
            )
        finally:
            await connection.close()
    return heading("deliverable_listing") | {
        "calls": calls,
        "rows_per_instance": PER_INSTANCE,
        "small_table_rows": small_instances * PER_INSTANCE,
        "large_table_rows": large_instances * PER_INSTANCE,
        "small": at_small,
        "large": at_large,
        "p50_large_over_small": round(at_large["p50_ms"] / at_small["p50_ms"], 3),
        "plan": plan,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.small, args.large, args.calls)), indent=2))
