"""The SQL of the retention purge: hired agents past their retention, with everything they own
(the outbox's and idempotency records' purges are with their tables' other statements)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select

from store_service.db.models import (
    Deliverable,
    DeliverableExecution,
    DeliverableReview,
    EnforcementDenial,
    GoalInstance,
    HiredInstance,
    RetentionPurgeGuard,
    Subscription,
    TrialTransition,
    table_of,
)
from store_service.db.sql import Statement, Transaction

instances = table_of(HiredInstance)
subscriptions = table_of(Subscription)
deliverables = table_of(Deliverable)
guard = table_of(RetentionPurgeGuard)

_EXPIRED = (
    select(instances.c.hired_instance_id)
    .select_from(
        instances.join(
            subscriptions, subscriptions.c.subscription_id == instances.c.subscription_id
        )
    )
    .where(
        subscriptions.c.status == "canceled",
        subscriptions.c.ended_at.is_not(None),
        subscriptions.c.ended_at < bindparam("cutoff"),
    )
    .order_by(instances.c.hired_instance_id)
    .limit(bindparam("batch_size"))
)
CLAIM_EXPIRED = Statement(_EXPIRED.with_for_update(of=instances, skip_locked=True))
COUNT_EXPIRED = Statement(select(func.count()).select_from(_EXPIRED.subquery()))
ENTER = Statement(insert(guard).values(purge_id=bindparam("purge_id")))
LEAVE = Statement(delete(guard).where(guard.c.purge_id == bindparam("purge_id")))
# What a hired agent owns, deleted before it: its drafts' histories, then the rows naming it.
_DRAFT_HISTORIES = tuple(
    table_of(model) for model in (DeliverableReview, DeliverableExecution, EnforcementDenial)
)
_OWNED = tuple(
    table_of(model) for model in (Deliverable, GoalInstance, TrialTransition, HiredInstance)
)


async def claim_expired(tx: Transaction, cutoff: datetime, batch_size: int) -> list[str]:
    """Up to `batch_size` hired agents whose subscription ended before the cutoff, locked;
    those other purges hold are skipped."""
    claimed = await tx.rows(CLAIM_EXPIRED, cutoff=cutoff, batch_size=batch_size)
    return [row["hired_instance_id"] for row in claimed]


async def delete_instances(tx: Transaction, hired_instance_ids: list[str]) -> None:
    """Deletes the hired agents with all they own (inside the purge's guard)."""
    drafts = select(deliverables.c.deliverable_id).where(
        deliverables.c.hired_instance_id.in_(hired_instance_ids)
    )
    for history in _DRAFT_HISTORIES:
        await tx.execute(delete(history).where(history.c.deliverable_id.in_(drafts)))
    for owned in _OWNED:
        await tx.execute(delete(owned).where(owned.c.hired_instance_id.in_(hired_instance_ids)))
