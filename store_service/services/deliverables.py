"""Deliverables: draft generation (one per goal and period), review and gated execution."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.dialect import upsert_insert
from store_service.db.models import (
    Deliverable,
    DeliverableExecution,
    DeliverableReview,
    EnforcementDenial,
    GoalInstance,
    HiredInstance,
    table_of,
)
from store_service.domain.approvals import PolicyDenial, require_executable, review_outcome
from store_service.domain.drafts import Goal, draft_for
from store_service.domain.errors import not_found
from store_service.domain.hiring import require_owner_id
from store_service.domain.periods import instance_zone, period_key
from store_service.services.hired_agents import (
    HiredAgentView,
    owned_view,
    require_view_readable,
)

deliverables = table_of(Deliverable)
goals = table_of(GoalInstance)
instances = table_of(HiredInstance)
reviews = table_of(DeliverableReview)
executions = table_of(DeliverableExecution)
denials = table_of(EnforcementDenial)


async def generate_due(
    connection: AsyncConnection, owners: Sequence[RowMapping], at: datetime
) -> list[tuple[str, str]]:
    """Creates the drafts due at `at` for these instances; returns (instance, draft) ids.

    Drafts that exist are skipped before their content is computed, and the insert itself is
    ON CONFLICT DO NOTHING on (instance, goal, period), so concurrent generators never make a
    second draft for a period.
    """
    if not owners:
        return []
    by_id = {owner["hired_instance_id"]: owner for owner in owners}
    goal_rows = (
        (
            await connection.execute(
                select(goals)
                .where(goals.c.hired_instance_id.in_(list(by_id)))
                .order_by(goals.c.hired_instance_id, goals.c.created_at, goals.c.goal_instance_id)
            )
        )
        .mappings()
        .all()
    )
    wanted = [
        (
            goal,
            period_key(
                goal["frequency"], at, instance_zone(by_id[goal["hired_instance_id"]]["config"])
            ),
        )
        for goal in goal_rows
    ]
    if not wanted:
        return []
    existing = {
        tuple(row)
        for row in await connection.execute(
            select(
                deliverables.c.hired_instance_id,
                deliverables.c.goal_instance_id,
                deliverables.c.period_key,
            ).where(
                deliverables.c.hired_instance_id.in_(list(by_id)),
                deliverables.c.period_key.in_({key for _, key in wanted}),
            )
        )
    }
    rows = [
        _draft_row(by_id[goal["hired_instance_id"]], goal, key, at)
        for goal, key in wanted
        if (goal["hired_instance_id"], goal["goal_instance_id"], key) not in existing
    ]
    if not rows:
        return []
    created = await connection.execute(
        upsert_insert(connection, deliverables)
        .on_conflict_do_nothing(
            index_elements=["hired_instance_id", "goal_instance_id", "period_key"]
        )
        .returning(
            deliverables.c.hired_instance_id,
            deliverables.c.deliverable_id,
            sort_by_parameter_order=True,
        ),
        rows,
    )
    return [(owner, deliverable_id) for owner, deliverable_id in created.all() if deliverable_id]


def _draft_row(owner: RowMapping, goal: RowMapping, key: str, at: datetime) -> dict[str, Any]:
    draft = draft_for(
        owner["agent_id"],
        owner["config"],
        Goal(goal["goal_instance_id"], goal["goal_template_id"], goal["settings"]),
    )
    return {
        "deliverable_id": f"DEL-{uuid.uuid4()}",
        "hired_instance_id": owner["hired_instance_id"],
        "goal_instance_id": goal["goal_instance_id"],
        "goal_template_id": goal["goal_template_id"],
        "period_key": key,
        "title": draft.title,
        "payload": draft.payload,
        "review_status": "pending_review",
        "review_notes": None,
        "approval_id": None,
        "execution_status": "not_executed",
        "executed_at": None,
        "created_at": at,
        "updated_at": at,
    }


async def list_deliverables(
    connection: AsyncConnection,
    hired_instance_id: str,
    raw_customer_id: str,
    retention_days: int,
    at: datetime,
) -> list[RowMapping]:
    """Generates what is due at `at`, then lists all the instance's deliverables."""
    view = await owned_view(connection, hired_instance_id, raw_customer_id)
    require_view_readable(view, retention_days, at)
    await generate_due(connection, [view.instance], at)
    rows = await connection.execute(
        select(deliverables)
        .where(deliverables.c.hired_instance_id == hired_instance_id)
        .order_by(deliverables.c.created_at, deliverables.c.deliverable_id)
    )
    return list(rows.mappings())


async def eligible_page(
    connection: AsyncConnection,
    after: tuple[datetime, str] | None,
    hired_instance_id: str | None,
    limit: int,
) -> list[RowMapping]:
    """The scheduler's next instances in creation order: active, configured, goals completed."""
    query = select(
        instances.c.hired_instance_id,
        instances.c.agent_id,
        instances.c.config,
        instances.c.created_at,
    ).where(
        instances.c.active.is_(True),
        instances.c.configured.is_(True),
        instances.c.goals_completed.is_(True),
    )
    if hired_instance_id is not None:
        query = query.where(instances.c.hired_instance_id == hired_instance_id)
    if after is not None:
        query = query.where(tuple_(instances.c.created_at, instances.c.hired_instance_id) > after)
    rows = await connection.execute(
        query.order_by(instances.c.created_at, instances.c.hired_instance_id).limit(limit)
    )
    return list(rows.mappings())


async def run_due_page(
    connection: AsyncConnection,
    *,
    after: tuple[datetime, str] | None,
    hired_instance_id: str | None,
    limit: int,
    at: datetime,
) -> tuple[list[RowMapping], list[tuple[str, str]]]:
    """One scheduler step: the next eligible instances and the drafts made for them."""
    page = await eligible_page(connection, after, hired_instance_id, limit)
    return page, await generate_due(connection, page, at)


async def _reviewable(
    connection: AsyncConnection,
    raw_deliverable_id: str,
    raw_customer_id: str,
    retention_days: int,
    now: datetime,
) -> tuple[RowMapping, HiredAgentView]:
    """The deliverable (locked) and its instance, for its owner, while readable."""
    deliverable = (
        (
            await connection.execute(
                select(deliverables)
                .where(deliverables.c.deliverable_id == raw_deliverable_id.strip())
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    if deliverable is None:
        raise not_found("DELIVERABLE_NOT_FOUND", "Deliverable not found.")
    view = await owned_view(connection, deliverable["hired_instance_id"], raw_customer_id)
    require_view_readable(view, retention_days, now)
    return deliverable, view


async def review(
    connection: AsyncConnection,
    *,
    deliverable_id: str,
    raw_customer_id: str,
    decision: str,
    notes: str | None,
    approval_id: str | None,
    retention_days: int,
    now: datetime,
) -> RowMapping:
    current, _ = await _reviewable(connection, deliverable_id, raw_customer_id, retention_days, now)
    outcome = review_outcome(decision, notes, approval_id, current["approval_id"])
    updated = (
        (
            await connection.execute(
                update(deliverables)
                .where(deliverables.c.deliverable_id == current["deliverable_id"])
                .values(
                    review_status=outcome.review_status,
                    approval_id=outcome.approval_id,
                    review_notes=outcome.review_notes,
                    updated_at=now,
                )
                .returning(*deliverables.c)
            )
        )
        .mappings()
        .one()
    )
    await connection.execute(
        insert(reviews).values(
            deliverable_id=current["deliverable_id"],
            customer_id=require_owner_id(raw_customer_id),
            decision=decision,
            notes=outcome.review_notes,
            approval_id=outcome.approval_id,
            reviewed_at=now,
        )
    )
    return updated


async def execute(
    connection: AsyncConnection,
    *,
    deliverable_id: str,
    raw_customer_id: str,
    approval_id: str | None,
    correlation_id: str,
    retention_days: int,
    now: datetime,
) -> RowMapping:
    current, _ = await _reviewable(connection, deliverable_id, raw_customer_id, retention_days, now)
    customer_id = require_owner_id(raw_customer_id)
    try:
        action, approved_by = require_executable(
            current["deliverable_id"],
            current["review_status"],
            current["approval_id"],
            current["payload"],
            approval_id,
        )
    except PolicyDenial as denial:
        await connection.execute(
            insert(denials).values(
                deliverable_id=current["deliverable_id"],
                customer_id=customer_id,
                reason=denial.reason,
                details=denial.details,
                correlation_id=correlation_id,
                denied_at=now,
            )
        )
        raise
    executed = (
        (
            await connection.execute(
                update(deliverables)
                .where(
                    deliverables.c.deliverable_id == current["deliverable_id"],
                    deliverables.c.review_status == "approved",
                    deliverables.c.approval_id == current["approval_id"],
                )
                .values(execution_status="executed", executed_at=now, updated_at=now)
                .returning(*deliverables.c)
            )
        )
        .mappings()
        .one()
    )
    await connection.execute(
        insert(executions).values(
            deliverable_id=current["deliverable_id"],
            customer_id=customer_id,
            approval_id=approved_by,
            action=action,
            correlation_id=correlation_id,
            executed_at=now,
        )
    )
    return executed


async def history(connection: AsyncConnection, table: Any, deliverable_id: str) -> list[RowMapping]:
    """A deliverable's review or execution history, oldest first."""
    key = table.primary_key.columns.values()[0]
    rows = await connection.execute(
        select(table).where(table.c.deliverable_id == deliverable_id).order_by(key)
    )
    return list(rows.mappings())


async def denials_page(
    connection: AsyncConnection, deliverable_id: str | None, before: int | None, limit: int
) -> list[RowMapping]:
    """Recorded denials, newest first, optionally of one deliverable."""
    query = select(denials)
    if deliverable_id:
        query = query.where(denials.c.deliverable_id == deliverable_id)
    if before is not None:
        query = query.where(denials.c.denial_id < before)
    rows = await connection.execute(query.order_by(denials.c.denial_id.desc()).limit(limit))
    return list(rows.mappings())
