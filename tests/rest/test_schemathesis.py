"""schemathesis against the adapter's own OpenAPI document: no 5xx, no off-schema response."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

from tests.databases import TestDatabases
from tests.processes import replicas

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"


async def test_every_operation_survives_generated_requests(test_databases: TestDatabases) -> None:
    seed = os.environ.get("PLANT_SCHEMATHESIS_SEED", "1")
    async with test_databases.postgres() as url, replicas(url, 1) as [replica]:
        process = await asyncio.create_subprocess_exec(
            SCHEMATHESIS,
            "run",
            f"{replica.http_url}/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            "20",
            "--seed",
            seed,
            "--request-timeout",
            "15",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 600)
    report = output.decode()
    assert process.returncode == 0, report[-4000:]
    assert "36/36" in report
