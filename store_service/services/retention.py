"""Retention: deleting what the contract no longer lets anyone read, batch by batch.

- Hired agents of subscriptions canceled longer than END_RETENTION_DAYS ago (they answer 410 by
  then), with their goals, deliverables and the deliverables' and trials' histories. The
  subscription, order, receipt and invoice stay: billing records are readable forever.
- Outbox events acknowledged longer ago than the outbox retention.

Instances are claimed with FOR UPDATE SKIP LOCKED, so purges running at once take disjoint
batches. History tables refuse deletes except inside a purge's own transaction, which marks
itself with a row in retention_purge_guard that no other transaction can see.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select

from store_service.db.models import (
    Deliverable,
    DeliverableExecution,
    DeliverableReview,
    EnforcementDenial,
    GoalInstance,
    HiredInstance,
    NotificationEvent,
    RetentionPurgeGuard,
    Subscription,
    TrialTransition,
    table_of,
)
from store_service.db.sql import Statement, Transaction

instances = table_of(HiredInstance)
subscriptions = table_of(Subscription)
deliverables = table_of(Deliverable)
events = table_of(NotificationEvent)
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
_OLD_EVENTS = (
    select(events.c.event_id)
    .where(events.c.delivered_at < bindparam("cutoff"))
    .order_by(events.c.event_id)
    .limit(bindparam("batch_size"))
)
COUNT_OLD_EVENTS = Statement(select(func.count()).select_from(_OLD_EVENTS.subquery()))
PURGE_OLD_EVENTS = Statement(
    delete(events)
    .where(events.c.event_id.in_(_OLD_EVENTS.with_for_update(skip_locked=True).scalar_subquery()))
    .returning(events.c.event_id)
)


async def purge_expired_instances(
    tx: Transaction, now: datetime, retention_days: int, batch_size: int, *, dry_run: bool
) -> int:
    """Deletes (or, dry, counts) one batch of hired agents past their retention."""
    cutoff = now - timedelta(days=retention_days)
    if dry_run:
        return int(await tx.scalar(COUNT_EXPIRED, cutoff=cutoff, batch_size=batch_size) or 0)
    claimed = [
        row["hired_instance_id"]
        for row in await tx.rows(CLAIM_EXPIRED, cutoff=cutoff, batch_size=batch_size)
    ]
    if not claimed:
        return 0
    purge_id = str(uuid.uuid4())
    await tx.execute(ENTER, purge_id=purge_id)
    drafts = select(deliverables.c.deliverable_id).where(
        deliverables.c.hired_instance_id.in_(claimed)
    )
    for history in (DeliverableReview, DeliverableExecution, EnforcementDenial):
        table = table_of(history)
        await tx.execute(delete(table).where(table.c.deliverable_id.in_(drafts)))
    for owned in (Deliverable, GoalInstance, TrialTransition, HiredInstance):
        table = table_of(owned)
        await tx.execute(delete(table).where(table.c.hired_instance_id.in_(claimed)))
    await tx.execute(LEAVE, purge_id=purge_id)
    return len(claimed)


async def purge_delivered_events(
    tx: Transaction, now: datetime, retention: timedelta, batch_size: int, *, dry_run: bool
) -> int:
    """Deletes (or, dry, counts) one batch of events acknowledged before the retention."""
    cutoff = now - retention
    if dry_run:
        return int(await tx.scalar(COUNT_OLD_EVENTS, cutoff=cutoff, batch_size=batch_size) or 0)
    return len(await tx.rows(PURGE_OLD_EVENTS, cutoff=cutoff, batch_size=batch_size))
