"""The cost of one more listed item in the customer lists of the growing-list yardstick.

Two customers, one with a single hired agent and one with `--items` (checkout + draft each, so
each has that many receipts and trials). For each list endpoint the yardstick uses without
`--by-id` (`GET /receipts`, `GET /trial-status`), 8 concurrent clients ask for each customer's
list for `--seconds`; reported is the CPU per request of store, adapter and PostgreSQL, and the
difference per item between the long list and the short one.

    .venv/bin/python -m bench.list_items --items 100 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx

from bench.harness import adapter_process, heading, scratch_database, store_process
from bench.yardstick import process_cpu
from tests.support.flows import hire

LISTS = ("/api/v1/receipts", "/api/v1/trial-status")
CLIENTS = 8


async def cpu_us_per_request(
    http: httpx.AsyncClient, pids: tuple[int, int], path: str, customer_id: str, seconds: float
) -> dict[str, float]:
    requests = 0

    async def client() -> None:
        nonlocal requests
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            response = await http.get(path, params={"customer_id": customer_id})
            response.raise_for_status()
            response.json()
            requests += 1

    before = process_cpu(*pids)
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    after = process_cpu(*pids)
    return {name: (after[name] - before[name]) * 1e6 / requests for name in after}


async def main(items: int, seconds: float) -> dict[str, object]:
    results: dict[str, object] = {}
    async with (
        scratch_database() as database_url,
        store_process(database_url) as store,
        adapter_process(store) as adapter,
        httpx.AsyncClient(base_url=adapter.url, timeout=30) as http,
    ):
        for _ in range(items):
            await hire(http, "long-lists")
        await hire(http, "short-lists")
        pids = (store.process.pid, adapter.process.pid)
        for path in LISTS:
            short = await cpu_us_per_request(http, pids, path, "short-lists", seconds)
            long = await cpu_us_per_request(http, pids, path, "long-lists", seconds)
            results[path] = {
                "cpu_us_per_request_1_item": {k: round(v) for k, v in short.items()},
                f"cpu_us_per_request_{items}_items": {k: round(v) for k, v in long.items()},
                "cpu_us_per_item": {
                    name: round((long[name] - short[name]) / (items - 1), 1) for name in long
                },
            }
    return heading("list_items") | {
        "items": items,
        "lists": results,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100, help="entries in the long lists")
    parser.add_argument("--seconds", type=float, default=10, help="per list and customer")
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.items, arguments.seconds)), indent=2))
