"""Deliverables: draft generation (one per goal and period), review and gated execution."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Update, bindparam, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import from_stored_json, to_json
from store_service.db.keyset import Cursor, Key, Keyset
from store_service.db.models import (
    Deliverable,
    DeliverableExecution,
    DeliverableReview,
    EnforcementDenial,
    GoalInstance,
    HiredInstance,
    Subscription,
    table_of,
)
from store_service.db.sql import Contended, Row, Statement, Transaction, all_columns, bound
from store_service.domain.approvals import PolicyDenial, require_executable, review_outcome
from store_service.domain.drafts import Goal, draft_for
from store_service.domain.errors import not_found
from store_service.domain.hiring import require_owner_id, require_readable
from store_service.domain.periods import instance_zone, period_key
from store_service.services.hired_agents import (
    SAME_SUBSCRIPTION,
    SUBSCRIPTION_STATE,
    HiredAgentView,
    require_owner,
    require_view_readable,
)

deliverables = table_of(Deliverable)
goals = table_of(GoalInstance)
instances = table_of(HiredInstance)
subscriptions = table_of(Subscription)
reviews = table_of(DeliverableReview)
executions = table_of(DeliverableExecution)
denials = table_of(EnforcementDenial)

DRAFT_KEY = ("hired_instance_id", "goal_instance_id", "period_key")
# Rows per multi-row insert: well below PostgreSQL's 32,767 bind parameters.
INSERT_CHUNK = 1000

INSERT_DRAFT = Statement(
    postgresql.insert(deliverables)
    .values(all_columns(deliverables))
    .on_conflict_do_nothing(index_elements=list(DRAFT_KEY))
    .returning(*deliverables.c)
)
OF_INSTANCE = Keyset(
    select(deliverables).where(deliverables.c.hired_instance_id == bindparam("hired_instance_id")),
    Key(deliverables.c.created_at),
    Key(deliverables.c.deliverable_id),
)
# Every deliverable of an instance: the first page generates what is due, so it needs them all.
ALL_OF_INSTANCE = Statement(OF_INSTANCE.query.order_by(*OF_INSTANCE.ordering))
# The deliverable (locked) with what the owner and retention checks need, in one statement.
LOCK_DELIVERABLE = Statement(
    select(
        deliverables,
        instances.c.hired_instance_id.label("owner_instance_id"),
        instances.c.customer_id.label("owner_customer_id"),
        *SUBSCRIPTION_STATE,
    )
    .select_from(
        deliverables.outerjoin(
            instances, instances.c.hired_instance_id == deliverables.c.hired_instance_id
        ).outerjoin(subscriptions, SAME_SUBSCRIPTION)
    )
    .where(deliverables.c.deliverable_id == bindparam("deliverable_id"))
    .with_for_update(of=deliverables)
)
# The instance with its subscription's state and its goals, in one statement: a row per goal
# in creation order (one row with empty goal columns when it has none).
VIEW_WITH_GOALS = Statement(
    select(
        instances,
        *SUBSCRIPTION_STATE,
        *(column.label(f"goal_{column.key}") for column in goals.c),
    )
    .select_from(
        instances.outerjoin(subscriptions, SAME_SUBSCRIPTION).outerjoin(
            goals, goals.c.hired_instance_id == instances.c.hired_instance_id
        )
    )
    .where(instances.c.hired_instance_id == bindparam("hired_instance_id"))
    .order_by(goals.c.created_at, goals.c.goal_instance_id)
)


@dataclass(frozen=True, slots=True)
class GuardedChange:
    """A guarded update of one deliverable (no row when its guard fails) and the history row
    it leaves; on PostgreSQL both in one statement that inserts the row only when the update
    matched, atomic without a transaction around it (`UnitsOfWork.write_at_once`)."""

    change: Statement
    record: Statement
    at_once: Statement


def _guarded(change: Update, history: Table, columns: tuple[str, ...]) -> GuardedChange:
    """`columns` of the history row are bound by name; its deliverable_id is the changed row's."""
    changed = change.returning(*deliverables.c).cte("changed")
    recorded = (
        insert(history)
        .from_select(
            ["deliverable_id", *columns],
            select(
                changed.c.deliverable_id,
                *(bindparam(name, type_=history.c[name].type) for name in columns),
            ),
        )
        .cte("recorded")
    )
    return GuardedChange(
        change=Statement(change.returning(*deliverables.c)),
        record=Statement(insert(history).values(bound(history, "deliverable_id", *columns))),
        at_once=Statement(select(changed).add_cte(recorded)),
    )


# A review decided on the approval id it read: the update holds only while that is unchanged.
REVIEW = _guarded(
    update(deliverables)
    .where(
        deliverables.c.deliverable_id == bindparam("key"),
        deliverables.c.approval_id.is_not_distinct_from(
            bindparam("seen_approval_id", type_=deliverables.c.approval_id.type)
        ),
    )
    .values(bound(deliverables, "review_status", "approval_id", "review_notes", "updated_at")),
    reviews,
    ("customer_id", "decision", "notes", "approval_id", "reviewed_at"),
)
# The one conditional transition to executed: only an approved draft with that approval id.
EXECUTION = _guarded(
    update(deliverables)
    .where(
        deliverables.c.deliverable_id == bindparam("key"),
        deliverables.c.review_status == "approved",
        deliverables.c.approval_id == bindparam("approved_by"),
    )
    .values(execution_status="executed", executed_at=bindparam("now"), updated_at=bindparam("now")),
    executions,
    ("customer_id", "approval_id", "action", "correlation_id", "executed_at"),
)
APPEND_DENIAL = Statement(
    insert(denials).values(
        bound(
            denials,
            "deliverable_id",
            "customer_id",
            "reason",
            "details",
            "correlation_id",
            "denied_at",
        )
    )
)
REVIEW_HISTORY = Keyset(
    select(reviews).where(reviews.c.deliverable_id == bindparam("deliverable_id")),
    Key(reviews.c.review_id),
)
EXECUTION_HISTORY = Keyset(
    select(executions).where(executions.c.deliverable_id == bindparam("deliverable_id")),
    Key(executions.c.execution_id),
)


def _with_config(owner: Row) -> Row:
    """An instance row with its config as a document, parsed once for all its goals."""
    return {**owner, "config": from_stored_json(owner["config"])}


def _draft_row(owner: Row, goal: Row, key: str, at: datetime) -> dict[str, Any]:
    settings = from_stored_json(goal["settings"])
    draft = draft_for(
        owner["agent_id"],
        owner["config"],
        Goal(goal["goal_instance_id"], goal["goal_template_id"], settings),
    )
    return {
        "deliverable_id": f"DEL-{uuid.uuid4()}",
        "hired_instance_id": owner["hired_instance_id"],
        "goal_instance_id": goal["goal_instance_id"],
        "goal_template_id": goal["goal_template_id"],
        "period_key": key,
        "title": draft.title,
        "payload": to_json(draft.payload),
        "review_status": "pending_review",
        "review_notes": None,
        "approval_id": None,
        "execution_status": "not_executed",
        "executed_at": None,
        "created_at": at,
        "updated_at": at,
    }


def _missing_drafts(
    owners: dict[str, Row], goal_rows: Sequence[Row], existing: set[tuple[Any, ...]], at: datetime
) -> list[dict[str, Any]]:
    """Draft rows for every goal whose current period has no deliverable yet (`owners` with
    their configs parsed)."""
    missing = []
    for goal in goal_rows:
        owner = owners[goal["hired_instance_id"]]
        key = period_key(goal["frequency"], at, instance_zone(owner["config"]))
        if (goal["hired_instance_id"], goal["goal_instance_id"], key) not in existing:
            missing.append(_draft_row(owner, goal, key, at))
    return missing


async def _insert_drafts(tx: Transaction, rows: list[dict[str, Any]]) -> list[Row]:
    """Inserts drafts, skipping any a concurrent generator made first; returns the new rows.

    One statement per chunk, so each chunk is atomic even outside a transaction.
    """
    if len(rows) == 1:
        inserted = await tx.first(INSERT_DRAFT, **rows[0])
        return [] if inserted is None else [inserted]
    created: list[Row] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        created += await tx.rows(
            postgresql.insert(deliverables)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=list(DRAFT_KEY))
            .returning(*deliverables.c)
        )
    return created


async def generate_due(tx: Transaction, owners: Sequence[Row], at: datetime) -> list[Row]:
    """Creates the drafts due at `at` for these instances; returns the new rows.

    Drafts that exist are skipped before their content is computed, and the insert itself is
    ON CONFLICT DO NOTHING on (instance, goal, period), so concurrent generators never make a
    second draft for a period.
    """
    if not owners:
        return []
    by_id = {owner["hired_instance_id"]: _with_config(owner) for owner in owners}
    goal_rows = await tx.rows(
        select(goals)
        .where(goals.c.hired_instance_id.in_(list(by_id)))
        .order_by(goals.c.hired_instance_id, goals.c.created_at, goals.c.goal_instance_id)
    )
    if not goal_rows:
        return []
    keys = {
        period_key(goal["frequency"], at, instance_zone(by_id[goal["hired_instance_id"]]["config"]))
        for goal in goal_rows
    }
    existing = {
        tuple(row[name] for name in DRAFT_KEY)
        for row in await tx.rows(
            select(*(deliverables.c[name] for name in DRAFT_KEY)).where(
                deliverables.c.hired_instance_id.in_(list(by_id)),
                deliverables.c.period_key.in_(keys),
            )
        )
    }
    return await _insert_drafts(tx, _missing_drafts(by_id, goal_rows, existing, at))


def _goal_part(row: Row) -> Row:
    return {column.key: row[f"goal_{column.key}"] for column in goals.c}


async def list_deliverables(
    tx: Transaction,
    hired_instance_id: str,
    raw_customer_id: str,
    retention_days: int,
    at: datetime,
    page: tuple[Cursor | None, int],
) -> list[Row]:
    """The first page (no cursor) generates what is due at `at` and lists every deliverable of
    the instance; a later page lists at most `limit` after its cursor."""
    viewed = await tx.rows(VIEW_WITH_GOALS, hired_instance_id=hired_instance_id)
    view = HiredAgentView.joined(require_owner(viewed[0] if viewed else None, raw_customer_id))
    require_view_readable(view, retention_days, at)
    after, limit = page
    if after is not None:
        return await OF_INSTANCE.page(tx, after, limit, hired_instance_id=hired_instance_id)
    goal_rows = [_goal_part(row) for row in viewed if row["goal_goal_instance_id"] is not None]
    listed = await tx.rows(ALL_OF_INSTANCE, hired_instance_id=hired_instance_id)
    existing = {tuple(row[name] for name in DRAFT_KEY) for row in listed}
    owner = _with_config(view.instance)
    missing = _missing_drafts({hired_instance_id: owner}, goal_rows, existing, at)
    if not missing:
        return listed
    created = await _insert_drafts(tx, missing)
    if len(created) < len(missing):  # a concurrent generator won some periods: read them
        return await tx.rows(ALL_OF_INSTANCE, hired_instance_id=hired_instance_id)
    return sorted([*listed, *created], key=lambda row: (row["created_at"], row["deliverable_id"]))


async def eligible_page(
    tx: Transaction, after: tuple[datetime, str] | None, hired_instance_id: str | None, limit: int
) -> list[Row]:
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
    return await tx.rows(
        query.order_by(instances.c.created_at, instances.c.hired_instance_id).limit(limit)
    )


async def run_due_page(
    tx: Transaction,
    *,
    after: tuple[datetime, str] | None,
    hired_instance_id: str | None,
    limit: int,
    at: datetime,
) -> tuple[list[Row], list[Row]]:
    """One scheduler step: the next eligible instances and the drafts made for them."""
    page = await eligible_page(tx, after, hired_instance_id, limit)
    return page, await generate_due(tx, page, at)


async def _reviewable(
    tx: Transaction,
    raw_deliverable_id: str,
    raw_customer_id: str,
    retention_days: int,
    now: datetime,
) -> Row:
    """The deliverable (locked), for the owner of its instance, while readable."""
    deliverable = await tx.first(LOCK_DELIVERABLE, deliverable_id=raw_deliverable_id.strip())
    if deliverable is None:
        raise not_found(Reason.DELIVERABLE_NOT_FOUND, "Deliverable not found.")
    require_owner(
        deliverable if deliverable["owner_instance_id"] else None,
        raw_customer_id,
        customer_key="owner_customer_id",
    )
    require_readable(
        deliverable["subscription_status"],
        deliverable["subscription_ended_at"],
        retention_days,
        now,
    )
    return deliverable


async def review(
    tx: Transaction,
    *,
    deliverable_id: str,
    raw_customer_id: str,
    decision: str,
    notes: str | None,
    approval_id: str | None,
    retention_days: int,
    now: datetime,
) -> Row:
    current = await _reviewable(tx, deliverable_id, raw_customer_id, retention_days, now)
    outcome = review_outcome(decision, notes, approval_id, current["approval_id"])
    return await _change_and_record(
        tx,
        REVIEW,
        {
            "key": current["deliverable_id"],
            "seen_approval_id": current["approval_id"],
            "review_status": outcome.review_status,
            "approval_id": outcome.approval_id,
            "review_notes": outcome.review_notes,
            "updated_at": now,
        },
        customer_id=require_owner_id(raw_customer_id),
        decision=decision,
        notes=outcome.review_notes,
        approval_id=outcome.approval_id,
        reviewed_at=now,
    )


async def execute(
    tx: Transaction,
    *,
    deliverable_id: str,
    raw_customer_id: str,
    approval_id: str | None,
    correlation_id: str,
    retention_days: int,
    now: datetime,
) -> Row:
    current = await _reviewable(tx, deliverable_id, raw_customer_id, retention_days, now)
    customer_id = require_owner_id(raw_customer_id)
    try:
        action, approved_by = require_executable(
            current["deliverable_id"],
            current["review_status"],
            current["approval_id"],
            from_stored_json(current["payload"]),
            approval_id,
        )
    except PolicyDenial as denial:
        await tx.execute(
            APPEND_DENIAL,
            deliverable_id=current["deliverable_id"],
            customer_id=customer_id,
            reason=denial.reason,
            details=to_json(denial.details),
            correlation_id=correlation_id,
            denied_at=now,
        )
        raise
    return await _change_and_record(
        tx,
        EXECUTION,
        {"key": current["deliverable_id"], "approved_by": current["approval_id"], "now": now},
        customer_id=customer_id,
        approval_id=approved_by,
        action=action,
        correlation_id=correlation_id,
        executed_at=now,
    )


async def _change_and_record(
    tx: Transaction, guarded: GuardedChange, change: dict[str, Any], **history: Any
) -> Row:
    """The changed deliverable, its history row written. A failed guard means the deliverable
    changed since it was read, which only happens when nothing locked it: `Contended`."""
    if tx.dialect == "postgresql":
        # Parameters the update and the history row share (approval_id) carry one value.
        changed = await tx.first(guarded.at_once, **(change | history))
    else:
        # SQLite has no writing CTEs; its units of work are always transactions.
        changed = await tx.first(guarded.change, **change)
        if changed is not None:
            await tx.execute(guarded.record, deliverable_id=changed["deliverable_id"], **history)
    if changed is None:
        raise Contended()
    return changed


async def review_history(
    tx: Transaction, deliverable_id: str, after: Cursor | None, limit: int
) -> list[Row]:
    return await REVIEW_HISTORY.page(tx, after, limit, deliverable_id=deliverable_id)


async def execution_history(
    tx: Transaction, deliverable_id: str, after: Cursor | None, limit: int
) -> list[Row]:
    return await EXECUTION_HISTORY.page(tx, after, limit, deliverable_id=deliverable_id)


async def denials_page(
    tx: Transaction, deliverable_id: str | None, before: int | None, limit: int
) -> list[Row]:
    """Recorded denials, newest first, optionally of one deliverable."""
    query = select(denials)
    if deliverable_id:
        query = query.where(denials.c.deliverable_id == deliverable_id)
    if before is not None:
        query = query.where(denials.c.denial_id < before)
    return await tx.rows(query.order_by(denials.c.denial_id.desc()).limit(limit))
