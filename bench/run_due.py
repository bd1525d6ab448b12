"""Benchmark: the goal scheduler (RunDueDrafts) over many eligible instances on PostgreSQL.

Seeds N finalized trading instances with one daily goal each, then runs the scheduler job twice
for the same moment: the first run generates N drafts, the second must generate none and be
faster. Reports drafts per second and the peak resident memory of the store and of the job.

    .venv/bin/python -m bench.run_due --instances 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from datetime import UTC, datetime

import asyncpg
from plant.store.v1 import deliverables_pb2

from bench.harness import (
    SEEDED_AT,
    copy_hired_agents,
    heading,
    scratch_database,
    store_process,
)
from plant_store_client.client import StoreClient
from plant_store_client.wire.values import timestamp

TRADING_CONFIG = json.dumps(
    {
        "timezone": "Asia/Kolkata",
        "exchange_provider": "delta_exchange_india",
        "exchange_credential_ref": "EXCH-bench",
        "allowed_coins": ["BTC"],
        "default_coin": "BTC",
        "interval_seconds": 60,
        "risk_limits": {"max_units_per_order": 2},
    }
)
START = SEEDED_AT


async def seed(url: str, count: int) -> float:
    started = time.monotonic()
    connection = await asyncpg.connect(url)
    try:
        await copy_hired_agents(
            connection, 0, count, agent_id="AGT-TRD-1", config=TRADING_CONFIG, ready=True
        )
        await connection.copy_records_to_table(
            "goal_instances",
            columns=[
                "hired_instance_id",
                "goal_instance_id",
                "goal_template_id",
                "frequency",
                "settings",
                "created_at",
                "updated_at",
            ],
            records=[
                (
                    f"HAI-{i:07d}",
                    "g-daily",
                    "trading.guardrail_report.v1",
                    "daily",
                    "{}",
                    START,
                    START,
                )
                for i in range(count)
            ],
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return time.monotonic() - started


async def run_job(target: str, now: datetime, page_size: int) -> dict[str, float]:
    store = StoreClient(target, deadline_seconds=3600, auth_token=None)
    started = time.monotonic()
    generated = examined = 0
    token = ""
    try:
        while True:
            request = deliverables_pb2.RunDueDraftsRequest(
                now=timestamp(now), page_size=page_size, page_token=token
            )
            page = await store.call(store.deliverables.RunDueDrafts, request, "bench")
            generated += page.generated
            examined += page.instances_examined
            token = page.next_page_token
            if not token:
                break
    finally:
        await store.close()
    seconds = time.monotonic() - started
    return {
        "generated": generated,
        "instances_examined": examined,
        "seconds": round(seconds, 3),
        "drafts_per_second": round(generated / seconds, 1),
        "instances_per_second": round(examined / seconds, 1),
    }


async def main(instances: int, page_size: int) -> dict[str, object]:
    now = datetime(2026, 3, 1, 10, tzinfo=UTC)
    async with scratch_database() as url:
        seeding = await seed(url, instances)
        async with store_process(url) as store:
            first = await run_job(store.target, now, page_size)
            second = await run_job(store.target, now, page_size)
            store_peak = store.peak_rss_mib()
    return heading("run_due") | {
        "instances": instances,
        "page_size": page_size,
        "seed_seconds": round(seeding, 1),
        "first_run": first,
        "second_run": second,
        "second_over_first_time": round(second["seconds"] / first["seconds"], 3),
        "store_peak_rss_mib": round(store_peak, 1),
        "job_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.instances, args.page_size)), indent=2))
