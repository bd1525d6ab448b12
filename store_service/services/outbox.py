"""The notification outbox: events are rows written in the transaction that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.models import NotificationEvent, table_of

events = table_of(NotificationEvent)


async def emit(
    connection: AsyncConnection,
    now: datetime,
    event_type: str,
    metadata: dict[str, Any],
    *,
    customer_id: str | None = None,
    subscription_id: str | None = None,
    order_id: str | None = None,
    hired_instance_id: str | None = None,
) -> None:
    await connection.execute(
        insert(events).values(
            created_at=now,
            event_type=event_type,
            customer_id=customer_id or None,
            subscription_id=subscription_id,
            order_id=order_id,
            hired_instance_id=hired_instance_id,
            metadata=metadata,
            delivered_at=None,
        )
    )


async def list_events(
    connection: AsyncConnection,
    *,
    event_type: str | None,
    customer_id: str | None,
    subscription_id: str | None,
    limit: int,
) -> list[RowMapping]:
    """Matching events oldest to newest; with a limit, the newest `limit` of them."""
    conditions = [
        column == value
        for column, value in (
            (events.c.event_type, event_type),
            (events.c.customer_id, customer_id),
            (events.c.subscription_id, subscription_id),
        )
        if value is not None
    ]
    query = select(events).where(*conditions).order_by(events.c.event_id.desc())
    if limit > 0:
        query = query.limit(limit)
    rows = list((await connection.execute(query)).mappings())
    rows.reverse()
    return rows


async def list_undelivered(connection: AsyncConnection, limit: int) -> list[RowMapping]:
    rows = await connection.execute(
        select(events)
        .where(events.c.delivered_at.is_(None))
        .order_by(events.c.event_id)
        .limit(limit)
    )
    return list(rows.mappings())


async def acknowledge(connection: AsyncConnection, event_ids: list[int], now: datetime) -> int:
    """Marks events delivered; an event already acknowledged is not counted again."""
    if not event_ids:
        return 0
    acknowledged = await connection.execute(
        update(events)
        .where(events.c.event_id.in_(event_ids), events.c.delivered_at.is_(None))
        .values(delivered_at=now)
        .returning(events.c.event_id)
    )
    return len(acknowledged.all())
