"""The SQL of deliverables: drafts, their reviews, executions and enforcement denials."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql

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
from store_service.db.sql import Row, Statement, Transaction, all_columns, bound
from store_service.db.statements.hired_agents import SAME_SUBSCRIPTION, SUBSCRIPTION_STATE
from store_service.domain.records import (
    DeliverableRow,
    EligibleInstance,
    EnforcementDenialRow,
    GoalInstanceRow,
    InstanceWithGoal,
    LockedDeliverable,
)

deliverables = table_of(Deliverable)
goals = table_of(GoalInstance)
instances = table_of(HiredInstance)
subscriptions = table_of(Subscription)
reviews = table_of(DeliverableReview)
executions = table_of(DeliverableExecution)
denials = table_of(EnforcementDenial)

# A draft is unique per instance, goal and period.
DraftKey = tuple[str, str, str]
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


async def instance_with_goals(tx: Transaction, hired_instance_id: str) -> list[InstanceWithGoal]:
    """VIEW_WITH_GOALS: no rows when the instance does not exist."""
    rows = await tx.rows(VIEW_WITH_GOALS, hired_instance_id=hired_instance_id)
    return cast("list[InstanceWithGoal]", rows)


def goals_in(rows: Sequence[Row]) -> list[GoalInstanceRow]:
    """The goals of `instance_with_goals` rows (none when its one row has no goal)."""
    goal_rows = [
        {column.key: row[f"goal_{column.key}"] for column in goals.c}
        for row in rows
        if row["goal_goal_instance_id"] is not None
    ]
    return cast("list[GoalInstanceRow]", goal_rows)


async def page_of_instance(
    tx: Transaction, hired_instance_id: str, after: Cursor, limit: int
) -> list[DeliverableRow]:
    """At most `limit` deliverables of the instance after the cursor, in OF_INSTANCE's order."""
    rows = await OF_INSTANCE.page(tx, after, limit, hired_instance_id=hired_instance_id)
    return cast("list[DeliverableRow]", rows)


async def all_of_instance(tx: Transaction, hired_instance_id: str) -> list[DeliverableRow]:
    rows = await tx.rows(ALL_OF_INSTANCE, hired_instance_id=hired_instance_id)
    return cast("list[DeliverableRow]", rows)


async def goals_of(tx: Transaction, hired_instance_ids: list[str]) -> list[GoalInstanceRow]:
    """The goals of these instances, per instance in creation order."""
    rows = await tx.rows(
        select(goals)
        .where(goals.c.hired_instance_id.in_(hired_instance_ids))
        .order_by(goals.c.hired_instance_id, goals.c.created_at, goals.c.goal_instance_id)
    )
    return cast("list[GoalInstanceRow]", rows)


# The key of a deliverable row (or of a row of its key columns).
draft_key: Callable[[Row], DraftKey] = itemgetter(*DRAFT_KEY)


async def draft_keys(
    tx: Transaction, hired_instance_ids: list[str], period_keys: Collection[str]
) -> set[DraftKey]:
    """The drafts these instances have for any of these periods."""
    rows = await tx.rows(
        select(*(deliverables.c[name] for name in DRAFT_KEY)).where(
            deliverables.c.hired_instance_id.in_(hired_instance_ids),
            deliverables.c.period_key.in_(period_keys),
        )
    )
    return {draft_key(row) for row in rows}


async def insert_drafts(tx: Transaction, rows: list[DeliverableRow]) -> list[DeliverableRow]:
    """Inserts drafts, skipping any a concurrent generator made first; returns the new rows.

    One statement per chunk, so each chunk is atomic even outside a transaction.
    """
    if len(rows) == 1:
        inserted = await tx.first(INSERT_DRAFT, **rows[0])
        return [] if inserted is None else [cast("DeliverableRow", inserted)]
    created: list[Row] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        created += await tx.rows(
            postgresql.insert(deliverables)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=list(DRAFT_KEY))
            .returning(*deliverables.c)
        )
    return cast("list[DeliverableRow]", created)


async def eligible(
    tx: Transaction, after: tuple[datetime, str] | None, hired_instance_id: str | None, limit: int
) -> list[EligibleInstance]:
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
    rows = await tx.rows(
        query.order_by(instances.c.created_at, instances.c.hired_instance_id).limit(limit)
    )
    return cast("list[EligibleInstance]", rows)


async def locked(tx: Transaction, deliverable_id: str) -> LockedDeliverable | None:
    """LOCK_DELIVERABLE: the deliverable, locked, with its owner and subscription state."""
    row = await tx.first(LOCK_DELIVERABLE, deliverable_id=deliverable_id)
    return cast("LockedDeliverable | None", row)


async def change_and_record(
    tx: Transaction, guarded: GuardedChange, change: dict[str, Any], **history: Any
) -> DeliverableRow | None:
    """The changed deliverable, its history row written; None when the guard failed."""
    if tx.dialect == "postgresql":
        # Parameters the update and the history row share (approval_id) carry one value.
        changed = await tx.first(guarded.at_once, **(change | history))
    else:
        # SQLite has no writing CTEs; its units of work are always transactions.
        changed = await tx.first(guarded.change, **change)
        if changed is not None:
            await tx.execute(guarded.record, deliverable_id=changed["deliverable_id"], **history)
    return cast("DeliverableRow | None", changed)


async def denials_before(
    tx: Transaction, deliverable_id: str | None, before: int | None, limit: int
) -> list[EnforcementDenialRow]:
    """Recorded denials, newest first, optionally of one deliverable."""
    query = select(denials)
    if deliverable_id:
        query = query.where(denials.c.deliverable_id == deliverable_id)
    if before is not None:
        query = query.where(denials.c.denial_id < before)
    rows = await tx.rows(query.order_by(denials.c.denial_id.desc()).limit(limit))
    return cast("list[EnforcementDenialRow]", rows)
