"""History tables are append-only, enforced by the database itself on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.engine import create_engine
from store_service.db.models import (
    Base,
    Deliverable,
    DeliverableExecution,
    DeliverableReview,
    EnforcementDenial,
    HiredInstance,
    Subscription,
    TrialTransition,
    table_of,
)

NOW = datetime(2026, 2, 10, tzinfo=UTC)


async def _insert_chain(connection: AsyncConnection) -> None:
    await connection.execute(
        insert(table_of(Subscription)).values(
            subscription_id="SUB-1",
            agent_id="AGT-TRD-1",
            duration="monthly",
            customer_id="c",
            status="active",
            current_period_start=NOW,
            current_period_end=NOW,
            cancel_at_period_end=False,
            ended_at=None,
        )
    )
    await connection.execute(
        insert(table_of(HiredInstance)).values(
            hired_instance_id="HAI-1",
            subscription_id="SUB-1",
            agent_id="AGT-TRD-1",
            customer_id="c",
            nickname=None,
            theme=None,
            config="{}",
            configured=False,
            goals_completed=False,
            active=True,
            trial_status="not_started",
            trial_start_at=None,
            trial_end_at=None,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    await connection.execute(
        insert(table_of(Deliverable)).values(
            deliverable_id="DEL-1",
            hired_instance_id="HAI-1",
            goal_instance_id="GOI-1",
            goal_template_id="t",
            period_key="on_demand",
            title="t",
            payload="{}",
            review_status="approved",
            review_notes=None,
            approval_id="APR-1",
            execution_status="not_executed",
            executed_at=None,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    histories: dict[type[Base], dict[str, Any]] = {
        DeliverableReview: {
            "deliverable_id": "DEL-1",
            "customer_id": "c",
            "decision": "approved",
            "notes": None,
            "approval_id": "APR-1",
            "reviewed_at": NOW,
        },
        DeliverableExecution: {
            "deliverable_id": "DEL-1",
            "customer_id": "c",
            "approval_id": "APR-1",
            "action": "publish",
            "correlation_id": "cid",
            "executed_at": NOW,
        },
        EnforcementDenial: {
            "deliverable_id": "DEL-1",
            "customer_id": "c",
            "reason": "APPROVAL_REQUIRED",
            "details": "{}",
            "correlation_id": "cid",
            "denied_at": NOW,
        },
        TrialTransition: {
            "hired_instance_id": "HAI-1",
            "from_status": "not_started",
            "to_status": "active",
            "cause": "finalize",
            "occurred_at": NOW,
        },
    }
    for model, values in histories.items():
        await connection.execute(insert(table_of(model)).values(**values))


HISTORY_CHANGES: dict[str, tuple[type[Base], dict[str, str]]] = {
    "deliverable_reviews": (DeliverableReview, {"notes": "rewritten"}),
    "deliverable_executions": (DeliverableExecution, {"action": "send"}),
    "enforcement_denials": (EnforcementDenial, {"reason": "nothing"}),
    "trial_transitions": (TrialTransition, {"cause": "forged"}),
}


@pytest.mark.parametrize("table_name", sorted(HISTORY_CHANGES))
async def test_history_rows_cannot_be_updated_or_deleted(
    database_url: str, table_name: str
) -> None:
    model, change = HISTORY_CHANGES[table_name]
    table = table_of(model)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await _insert_chain(connection)
        for statement in (update(table).values(**change), delete(table)):
            with pytest.raises(DBAPIError, match="append-only"):
                async with engine.begin() as connection:
                    await connection.execute(statement)
        async with engine.connect() as connection:
            rows = (await connection.execute(table.select())).mappings().all()
        assert len(rows) == 1
        assert all(rows[0][column] != value for column, value in change.items())
    finally:
        await engine.dispose()
