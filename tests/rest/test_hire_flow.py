"""The hire wizard replayed over HTTP, with both processes restarted part-way."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support.flows import API, add_goal, finalize, hire, ok
from tests.support.harness import stack


async def test_hire_wizard_survives_restarts(database_url: str) -> None:
    async with stack(database_url) as plant:
        hired = await hire(plant.http, "cust-w")
        goal = ok(await add_goal(plant.http, hired, "cust-w"))

    async with stack(database_url) as plant:
        resumed = ok(
            await plant.http.get(
                f"{API}/hired-agents/by-subscription/{hired['subscription_id']}",
                params={"customer_id": "cust-w"},
            )
        )
        assert resumed == hired
        goals = ok(
            await plant.http.get(
                f"{API}/hired-agents/{hired['hired_instance_id']}/goals",
                params={"customer_id": "cust-w"},
            )
        )
        assert goals["goals"] == [goal]
        started = ok(await finalize(plant.http, hired, "cust-w"))
        assert started["trial_status"] == "active"

    async with stack(database_url) as plant:
        trial = ok(
            await plant.http.get(
                f"{API}/trial-status/by-subscription/{hired['subscription_id']}",
                params={"customer_id": "cust-w"},
            )
        )
        assert trial["trial_end_at"] == started["trial_end_at"]
        later = datetime.fromisoformat(started["trial_end_at"].replace("Z", "+00:00"))
        ended = ok(
            await plant.http.post(
                f"{API}/hired-agents/process-trial-end",
                json={"now": (later + timedelta(days=3)).isoformat()},
            )
        )
        assert ended["processed"] == 1

    async with stack(database_url) as plant:
        final = ok(
            await plant.http.get(
                f"{API}/hired-agents/by-subscription/{hired['subscription_id']}",
                params={"customer_id": "cust-w"},
            )
        )
        assert final["trial_status"] == "ended_converted"
        receipts = ok(await plant.http.get(f"{API}/receipts", params={"customer_id": "cust-w"}))
        assert len(receipts["receipts"]) == 1
