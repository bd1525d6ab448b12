"""The SQL of the notification outbox."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, delete, func, insert, select, update

from store_service.db.models import NotificationEvent, table_of
from store_service.db.sql import Statement, Transaction
from store_service.domain.records import NotificationEventRow

events = table_of(NotificationEvent)

EMIT = Statement(
    insert(events).values(
        {
            name: bindparam(name)
            for name in (
                "created_at",
                "event_type",
                "customer_id",
                "subscription_id",
                "order_id",
                "hired_instance_id",
                "metadata",
            )
        }
    )
)
BACKLOG = Statement(select(func.count()).select_from(events).where(events.c.delivered_at.is_(None)))
UNDELIVERED = Statement(
    select(events)
    .where(events.c.delivered_at.is_(None))
    .order_by(events.c.event_id)
    .limit(bindparam("limit"))
)
# Events acknowledged before a cutoff, a batch at a time (the retention purge).
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


async def newest(
    tx: Transaction,
    *,
    event_type: str | None,
    customer_id: str | None,
    subscription_id: str | None,
    limit: int,
) -> list[NotificationEventRow]:
    """The newest `limit` events that match every filter given, newest first."""
    conditions = [
        column == value
        for column, value in (
            (events.c.event_type, event_type),
            (events.c.customer_id, customer_id),
            (events.c.subscription_id, subscription_id),
        )
        if value is not None
    ]
    query = select(events).where(*conditions).order_by(events.c.event_id.desc()).limit(limit)
    return cast("list[NotificationEventRow]", await tx.rows(query))


async def undelivered(tx: Transaction, limit: int) -> list[NotificationEventRow]:
    rows = await tx.rows(UNDELIVERED, limit=limit)
    return cast("list[NotificationEventRow]", rows)


async def mark_delivered(tx: Transaction, event_ids: list[int], now: datetime) -> int:
    """How many of these events were undelivered (an IN list: compiled per call)."""
    acknowledged = await tx.rows(
        update(events)
        .where(events.c.event_id.in_(event_ids), events.c.delivered_at.is_(None))
        .values(delivered_at=now)
        .returning(events.c.event_id)
    )
    return len(acknowledged)


async def backlog(tx: Transaction) -> int:
    return int(await tx.scalar(BACKLOG) or 0)
