"""Soak: resident memory of store and adapter after 10,000 and after 100,000 REST flows.

Runs the shared yardstick (`../shared/bench/rest_flow.py`, growing lists off: `--by-id`) in
30-second rounds against one store and one adapter process on a scratch PostgreSQL database,
and reads each process's resident set size (VmRSS) when the flow count passes each mark.

    .venv/bin/python -m bench.memory_soak --first 10000 --last 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from bench.harness import adapter_process, heading, scratch_database, store_process
from bench.yardstick import run_yardstick


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def round_of_flows(url: str, seconds: int) -> int:
    report = await run_yardstick(
        url, "--concurrency", "32", "--duration", str(seconds), "--warmup", "0", "--by-id"
    )
    if report["errors"]:
        raise RuntimeError(f"the yardstick saw errors: {report['errors_by_endpoint']}")
    return int(report["flows_ok"])


async def main(first: int, last: int) -> dict[str, object]:
    async with (
        scratch_database() as database_url,
        store_process(database_url) as store,
        adapter_process(store) as adapter,
    ):
        samples: dict[str, dict[str, float]] = {}
        flows = 0
        for mark in (first, last):
            while flows < mark:
                flows += await round_of_flows(adapter.url, 30)
            samples[str(mark)] = {
                "flows": flows,
                "store_rss_mib": round(rss_mib(store.process.pid), 1),
                "adapter_rss_mib": round(rss_mib(adapter.process.pid), 1),
            }
    early, late = samples[str(first)], samples[str(last)]
    return heading("memory_soak") | {
        "samples": samples,
        "store_growth": round(late["store_rss_mib"] / early["store_rss_mib"] - 1, 3),
        "adapter_growth": round(late["adapter_rss_mib"] / early["adapter_rss_mib"] - 1, 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=10_000)
    parser.add_argument("--last", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.first, args.last)), indent=2))
