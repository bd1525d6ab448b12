"""The shared REST-flow yardstick against a fresh stack, with each process's CPU per flow.

Starts one store and one adapter process (`plant-store serve`, `plant-store http`) on a scratch
PostgreSQL database, runs `../shared/bench/rest_flow.py` with the arguments given after `--`, and
reports its summary with the CPU milliseconds the store, the adapter and the PostgreSQL server
spent per completed flow during the measured window — a figure that moves less than flows/s when
the machine is shared.

    .venv/bin/python -m bench.yardstick -- --by-id --concurrency 32 --duration 20
    .venv/bin/python -m bench.yardstick -- --concurrency 32 --duration 60    # growing lists
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench.harness import adapter_process, heading, scratch_database, store_process

YARDSTICK = Path(__file__).resolve().parents[2] / "shared" / "bench" / "rest_flow.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


async def run_yardstick(url: str, *args: str) -> dict[str, Any]:
    """One yardstick run against `url`; its JSON summary."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(YARDSTICK),
        *args,
        env=os.environ | {"PLANT_BASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    output, _ = await process.communicate()
    summary: dict[str, Any] = json.loads(output)
    return summary


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    # utime and stime are fields 14 and 15 of /proc/PID/stat (11 and 12 after the name).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def process_cpu(store: int, adapter: int) -> dict[str, float]:
    """CPU seconds used so far by the store, the adapter and all PostgreSQL processes."""
    postgres = 0.0
    for pid in _postgres_pids():
        try:
            postgres += _cpu_seconds(pid)
        except OSError:
            continue  # a backend that ended meanwhile
    return {"store": _cpu_seconds(store), "adapter": _cpu_seconds(adapter), "postgres": postgres}


def cost_ratio(cpu_ms_per_flow: dict[str, float]) -> float:
    """Store + adapter + PostgreSQL CPU per flow in units of the load generator's."""
    ours = cpu_ms_per_flow["store"] + cpu_ms_per_flow["adapter"] + cpu_ms_per_flow["postgres"]
    return round(ours / cpu_ms_per_flow["load_generator"], 3)


async def main(
    yardstick_args: list[str], warmup: float, source: Path | None = None
) -> dict[str, Any]:
    """One run; with `source`, of the store and adapter of that checkout (bench.pairs)."""
    async with (
        scratch_database(source) as database_url,
        store_process(database_url, source) as store,
        adapter_process(store, source) as adapter,
    ):
        pids = (store.process.pid, adapter.process.pid)
        run = asyncio.create_task(
            run_yardstick(adapter.url, *yardstick_args, "--warmup", str(warmup))
        )
        await asyncio.sleep(warmup)
        before = process_cpu(*pids)
        summary = await run
        after = process_cpu(*pids)
    flows = max(int(summary["flows_ok"]), 1)
    cpu_ms_per_flow = {
        name: round((after[name] - before[name]) * 1000 / flows, 2) for name in after
    }
    # The load generator's own cost per flow is the same code in every run: it tells how fast
    # the machine was, and ratios to it compare runs made while the machine's speed drifted.
    cpu_ms_per_flow["load_generator"] = round(
        float(summary["client_cpu_util"]) * float(summary["duration_s"]) * 1000 / flows, 2
    )
    return heading("yardstick") | {
        "arguments": yardstick_args,
        "flows_per_s": summary["flows_per_s"],
        "errors": summary["errors"],
        "cpu_ms_per_flow": cpu_ms_per_flow,
        "ratio_to_load_generator": cost_ratio(cpu_ms_per_flow),
        "yardstick": summary,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument("yardstick_args", nargs="*", help="arguments of rest_flow.py, after --")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.yardstick_args, args.warmup)), indent=2))
