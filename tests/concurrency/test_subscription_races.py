"""Cancellation and period end racing across two stacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.flows import API, hire
from tests.support.races import (
    RACERS,
    event_counts,
    statuses,
    subscriptions_locked,
    two_stacks,
)


async def test_racing_cancels_and_period_ends_cancel_each_subscription_once(
    postgres_url: str, engine: AsyncEngine
) -> None:
    async with two_stacks(postgres_url) as stacks:
        hired = {f"racer-{i}": await hire(stacks.first, f"racer-{i}") for i in range(3)}
        by_subscription = {h["subscription_id"]: owner for owner, h in hired.items()}
        scheduled = await stacks.race_each_behind(
            engine,
            subscriptions_locked(by_subscription),
            by_subscription,
            lambda client, subscription_id: client.post(
                f"{API}/payments/subscriptions/{subscription_id}/cancel",
                params={"customer_id": by_subscription[subscription_id]},
            ),
        )
        later = (datetime.now(UTC) + timedelta(days=60)).isoformat()
        ended = await stacks.race(
            lambda client: client.post(
                f"{API}/payments/subscriptions/process-period-end", json={"now": later}
            )
        )
    for responses in scheduled.values():
        assert statuses(responses) == {200}
        assert {(r.json()["status"], r.json()["cancel_at_period_end"]) for r in responses} == {
            ("active", True)
        }
    # Contract 4.3.7: every accepted cancel repeats the event, once.
    assert await event_counts(engine, "cancel_scheduled") == dict.fromkeys(by_subscription, RACERS)
    assert statuses(ended) == {200}
    assert sum(r.json()["processed"] for r in ended) == len(hired)
    assert await event_counts(engine, "cancel_effective") == dict.fromkeys(by_subscription, 1)
    instance_ids = {h["hired_instance_id"] for h in hired.values()}
    deactivated = await event_counts(engine, "hired_agent_deactivated", per="hired_instance_id")
    assert deactivated == dict.fromkeys(instance_ids, 1)
