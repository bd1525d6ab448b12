"""The notification outbox: events are rows written in the transaction that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import to_json
from store_service.db.models import NotificationEvent, table_of
from store_service.db.sql import Row, Statement, Transaction
from store_service.domain.errors import invalid

events = table_of(NotificationEvent)
# One id is one bind parameter, and PostgreSQL takes at most 32,767 of them in a statement
# (SQLite 32,766): a consumer acknowledges at most what it can list in one page.
MAX_ACKNOWLEDGED = 10_000

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


def emit(
    tx: Transaction,
    now: datetime,
    event_type: str,
    metadata: dict[str, Any],
    *,
    customer_id: str | None = None,
    subscription_id: str | None = None,
    order_id: str | None = None,
    hired_instance_id: str | None = None,
) -> None:
    # Nothing in a unit of work reads the events it emits: they travel with its next statement.
    tx.later(
        EMIT,
        created_at=now,
        event_type=event_type,
        customer_id=customer_id or None,
        subscription_id=subscription_id,
        order_id=order_id,
        hired_instance_id=hired_instance_id,
        metadata=to_json(metadata),
    )


async def list_events(
    tx: Transaction,
    *,
    event_type: str | None,
    customer_id: str | None,
    subscription_id: str | None,
    limit: int,
) -> list[Row]:
    """The newest `limit` matching events, oldest to newest."""
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
    rows = await tx.rows(query)
    rows.reverse()
    return rows


async def list_undelivered(tx: Transaction, limit: int) -> list[Row]:
    return await tx.rows(UNDELIVERED, limit=limit)


async def acknowledge(tx: Transaction, event_ids: list[int], now: datetime) -> int:
    """Marks events delivered; an event already acknowledged is not counted again."""
    if len(event_ids) > MAX_ACKNOWLEDGED:
        raise invalid(
            Reason.TOO_MANY_EVENT_IDS,
            f"At most {MAX_ACKNOWLEDGED} event ids can be acknowledged in one call",
            event_ids=str(len(event_ids)),
        )
    if not event_ids:
        return 0
    acknowledged = await tx.rows(
        update(events)
        .where(events.c.event_id.in_(event_ids), events.c.delivered_at.is_(None))
        .values(delivered_at=now)
        .returning(events.c.event_id)
    )
    return len(acknowledged)


async def backlog(tx: Transaction) -> int:
    """How many events no consumer has acknowledged."""
    return int(await tx.scalar(BACKLOG) or 0)
