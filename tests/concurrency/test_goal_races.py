"""Goal writes racing across two stacks: one goal per id, deleted once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import GoalInstance, NotificationEvent, table_of
from tests.support.flows import API, add_goal, hire
from tests.support.races import (
    RACERS,
    count,
    counts_by,
    statuses,
    subscriptions_locked,
    two_stacks,
)


async def test_racing_identical_goal_writes_make_one_goal_and_delete_it_once(
    postgres_url: str, engine: AsyncEngine
) -> None:
    goals = table_of(GoalInstance)
    async with two_stacks(postgres_url) as stacks:
        hired = {f"racer-{i}": await hire(stacks.first, f"racer-{i}") for i in range(3)}
        locked = subscriptions_locked(h["subscription_id"] for h in hired.values())
        written = await stacks.race_each_behind(
            engine,
            locked,
            hired,
            lambda client, owner: add_goal(
                client, hired[owner], owner, goal_instance_id="GOI-race"
            ),
        )
        per_instance = await counts_by(engine, goals.c.hired_instance_id)
        deleted = await stacks.race_each_behind(
            engine,
            locked,
            hired,
            lambda client, owner: client.delete(
                f"{API}/hired-agents/{hired[owner]['hired_instance_id']}/goals",
                params={"customer_id": owner, "goal_instance_id": " GOI-race "},
            ),
        )
    instance_ids = {h["hired_instance_id"] for h in hired.values()}
    assert per_instance == dict.fromkeys(instance_ids, 1)
    for responses in written.values():
        assert statuses(responses) == {200}
        # A replaced goal keeps its creation time: every writer reports the first one's.
        assert len({r.json()["created_at"] for r in responses}) == 1
        assert {r.json()["goal_instance_id"] for r in responses} == {"GOI-race"}
    for responses in deleted.values():
        assert statuses(responses) == {200}
        assert sorted(r.json()["deleted"] for r in responses) == [False] * (RACERS - 1) + [True]
    assert await count(engine, GoalInstance) == 0
    # Goal writes emit no events.
    events = table_of(NotificationEvent)
    assert await count(engine, NotificationEvent, events.c.hired_instance_id.in_(instance_ids)) == 0
