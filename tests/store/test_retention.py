"""The retention job deletes what the contract no longer lets anyone read, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plant.store.v1 import maintenance_pb2, maintenance_pb2_grpc

from plant_store_client.wire.values import timestamp
from store_service.db.models import (
    Deliverable,
    DeliverableReview,
    GoalInstance,
    HiredInstance,
    Receipt,
    Subscription,
    TrialTransition,
)
from tests.flows import API, add_goal, finalize, hire, ok
from tests.harness import stack
from tests.store.test_idempotency import count_rows


async def test_purge_removes_expired_hired_agents_with_their_history(database_url: str) -> None:
    async with stack(database_url, store={"end_retention_days": 1}) as plant:
        http = plant.http
        kept = await hire(http, "keep")
        gone = await hire(http, "gone")
        ok(await add_goal(http, gone, "gone", goal_instance_id="g"))
        ok(await finalize(http, gone, "gone"))
        [draft] = ok(
            await http.get(
                f"{API}/hired-agents/{gone['hired_instance_id']}/deliverables",
                params={"customer_id": "gone"},
            )
        )["deliverables"]
        ok(
            await http.post(
                f"{API}/deliverables/{draft['deliverable_id']}/review",
                json={"customer_id": "gone", "decision": "approved"},
            )
        )
        ok(await http.post(f"{API}/payments/subscriptions/{gone['subscription_id']}/cancel"))
        ended = datetime.now(UTC) + timedelta(days=40)
        ok(
            await http.post(
                f"{API}/payments/subscriptions/process-period-end",
                json={"now": ended.isoformat()},
            )
        )
        maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(plant.channel)

        def purge(at: datetime, dry_run: bool = False) -> maintenance_pb2.PurgeExpiredDataRequest:
            return maintenance_pb2.PurgeExpiredDataRequest(
                now=timestamp(at), dry_run=dry_run, batch_size=1
            )

        within = await maintenance.PurgeExpiredData(purge(ended + timedelta(hours=12)))
        assert within.hired_instances == 0
        dry = await maintenance.PurgeExpiredData(purge(ended + timedelta(days=2), dry_run=True))
        assert dry.hired_instances == 1
        assert await count_rows(database_url, HiredInstance) == 2
        done = await maintenance.PurgeExpiredData(purge(ended + timedelta(days=2)))
        assert done.hired_instances == 1

        assert await count_rows(database_url, HiredInstance) == 1
        for model in (GoalInstance, Deliverable, DeliverableReview, TrialTransition):
            assert await count_rows(database_url, model) == 0, model.__name__
        assert await count_rows(database_url, Subscription) == 2
        assert await count_rows(database_url, Receipt) == 2
        resumed = await http.get(
            f"{API}/hired-agents/by-subscription/{kept['subscription_id']}",
            params={"customer_id": "keep"},
        )
        assert resumed.status_code == 200
        receipts = ok(await http.get(f"{API}/receipts", params={"customer_id": "gone"}))
        assert len(receipts["receipts"]) == 1
