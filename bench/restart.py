"""Restart: seconds from starting the store again after `kill -9` until the adapter answers.

One store and one adapter process on a scratch PostgreSQL database; the store is killed with
SIGKILL, started again a second later on the same address, and the clock runs from that start
until `GET /api/v1/agent-types` through the (never restarted) adapter answers 200 — the promise
of issue 6 is within 2 s.

    .venv/bin/python -m bench.restart --times 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import time

import httpx

from bench.harness import (
    StoreProcess,
    adapter_process,
    heading,
    scratch_database,
    store_process,
)
from tests.support.processes import start_process


async def first_answer(url: str) -> float:
    """Seconds until the adapter answers 200 (polling every 20 ms)."""
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        while True:
            try:
                if (await http.get("/api/v1/agent-types")).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.02)


async def restart(store: StoreProcess, database_url: str) -> None:
    store.process.send_signal(signal.SIGKILL)
    await store.process.wait()
    await asyncio.sleep(1)
    store.process = await start_process(
        "serve", env={"DATABASE_URL": database_url, "PLANT_STORE_LISTEN": store.target}
    )


async def main(times: int) -> dict[str, object]:
    seconds = []
    async with (
        scratch_database() as database_url,
        store_process(database_url) as store,
        adapter_process(store) as adapter,
    ):
        for _ in range(times):
            await restart(store, database_url)
            seconds.append(round(await first_answer(adapter.url), 3))
    return heading("restart") | {
        "seconds_to_first_answer": seconds,
        "median": statistics.median(seconds),
        "max": max(seconds),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=5, help="restarts to time")
    print(json.dumps(asyncio.run(main(parser.parse_args().times)), indent=2))
