"""PostgreSQL outage: seconds from the database being started again until the adapter answers.

A store and an adapter process on a private PostgreSQL cluster
(tests/support/private_postgres.py; the shared server is never touched). Each round stops the
cluster in order (`fast`) or crashes it (`immediate`), waits until the adapter answers 503,
starts the cluster again, and times from that start until `GET /api/v1/agent-types` answers
200 — the fault drill's recovery, measured here because tests assert behaviour, not speed.

    .venv/bin/python -m bench.outage --times 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics

import httpx

from bench.harness import adapter_process, heading, store_process
from bench.restart import first_answer
from tests.support.databases import migrate_url
from tests.support.private_postgres import PrivateCluster, private_cluster

MODES = ("fast", "immediate")


async def until_unavailable(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        while True:
            if (await http.get("/api/v1/agent-types")).status_code == 503:
                return
            await asyncio.sleep(0.05)


async def outage(cluster: PrivateCluster, url: str, mode: str) -> float:
    await cluster.stop(mode)
    await until_unavailable(url)
    await cluster.start()
    return round(await first_answer(url), 3)


async def main(times: int) -> dict[str, object]:
    seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
    async with private_cluster() as cluster:
        await migrate_url(cluster.url)
        async with store_process(cluster.url) as store, adapter_process(store) as adapter:
            for _ in range(times):
                for mode in MODES:
                    seconds[mode].append(await outage(cluster, adapter.url, mode))
    return heading("outage") | {
        "seconds_to_first_answer": seconds,
        "median": {mode: round(statistics.median(values), 3) for mode, values in seconds.items()},
        "max": {mode: max(values) for mode, values in seconds.items()},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=3, help="outages of each kind to time")
    print(json.dumps(asyncio.run(main(parser.parse_args().times)), indent=2))
