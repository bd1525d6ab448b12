"""The example scheduler in docs/ runs against a live store and does its work."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from store_service.server import StoreServer
from tests.support.flows import add_goal, finalize, hire, ok
from tests.support.harness import adapter_client, adapter_settings

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "scheduler.py"


async def test_one_round_generates_due_drafts(store: StoreServer) -> None:
    async with adapter_client(adapter_settings(store)) as http:
        hired = await hire(http, "sched")
        ok(
            await add_goal(
                http,
                hired,
                "sched",
                goal_template_id="trading.guardrail_report.v1",
                frequency="daily",
                settings={},
            )
        )
        ok(await finalize(http, hired, "sched"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        "--once",
        "--target",
        f"127.0.0.1:{store.port}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    output, errors = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, errors.decode()
    report = json.loads(output.decode().strip().splitlines()[-1])
    assert report["drafts_generated"] == 1
    assert report["subscriptions_ended"] == 0 and report["trials_ended"] == 0
