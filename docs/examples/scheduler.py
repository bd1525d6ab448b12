"""An example scheduler for Plant Store: every interval, run the three Phase-1 jobs.

Uses the typed client shipped with the project (`plant_store_client.client.StoreClient`,
configured like the CLI jobs' by `StoreClient.from_env`): one channel for the process, a
deadline per call, bounded retries of UNAVAILABLE, the auth token (STORE_AUTH_TOKEN) and TLS
settings (PLANT_STORE_TLS_*) from the environment, and a correlation id per round so the
store's logs group each round's calls. Several schedulers may run at once: every job claims its
rows with SKIP LOCKED.

    .venv/bin/python docs/examples/scheduler.py --target 127.0.0.1:50051 --interval 60
    .venv/bin/python docs/examples/scheduler.py --once      # one round, then exit
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from plant.store.v1 import billing_pb2, deliverables_pb2, hiring_pb2

from plant_store_client.client import StoreClient
from plant_store_client.wire.values import timestamp


class Step(Protocol):
    @property
    def processed(self) -> int: ...

    @property
    def more(self) -> bool: ...


async def in_steps(call: Callable[[str], Awaitable[Step]], round_id: str) -> int:
    """Calls a job a batch at a time (its requests say max_batches=1) until the store says
    nothing is left: no call runs long enough to meet its deadline, however much is due. Every
    call has a request id of its own; returns how much the job did in all."""
    processed = 0
    while True:
        step = await call(f"{round_id}-{uuid.uuid4()}")
        processed += step.processed
        if not step.more:
            return processed


async def one_round(store: StoreClient) -> dict[str, object]:
    now = timestamp(datetime.now(UTC))
    round_id = f"scheduler-{uuid.uuid4()}"

    def period_end(request_id: str) -> Awaitable[Step]:
        request = billing_pb2.ProcessPeriodEndRequest(now=now, max_batches=1, request_id=request_id)
        return store.call(store.billing.ProcessPeriodEnd, request, round_id)

    def trial_end(request_id: str) -> Awaitable[Step]:
        request = hiring_pb2.ProcessTrialEndRequest(now=now, max_batches=1, request_id=request_id)
        return store.call(store.hiring.ProcessTrialEnd, request, round_id)

    ended = await in_steps(period_end, round_id)
    trials = await in_steps(trial_end, round_id)
    drafts, token = 0, ""
    while True:
        page = await store.call(
            store.deliverables.RunDueDrafts,
            deliverables_pb2.RunDueDraftsRequest(now=now, page_size=1000, page_token=token),
            round_id,
        )
        drafts += page.generated
        token = page.next_page_token
        if not token:
            break
    return {
        "round": round_id,
        "subscriptions_ended": ended,
        "trials_ended": trials,
        "drafts_generated": drafts,
    }


async def main(target: str, interval: float, once: bool) -> None:
    store = StoreClient.from_env(target, deadline_seconds=600)
    try:
        while True:
            print(json.dumps(await one_round(store)), flush=True)
            if once:
                return
            await asyncio.sleep(interval)
    finally:
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=os.environ.get("PLANT_STORE_TARGET", "127.0.0.1:50051"))
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.target, args.interval, args.once))
