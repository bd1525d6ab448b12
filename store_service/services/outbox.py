"""The notification outbox: events are rows written in the transaction that causes them."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import to_json
from store_service.db.sql import Transaction
from store_service.db.statements import outbox as statements
from store_service.domain.errors import invalid
from store_service.domain.records import NotificationEventRow
from store_service.services.batches import MAX_BATCH_SIZE
from store_service.services.units_of_work import R, Reply, UnitsOfWork

# One id is one bind parameter, and PostgreSQL takes at most 32,767 of them in a statement
# (SQLite 32,766): a consumer acknowledges at most what it can list in one page.
MAX_ACKNOWLEDGED = 10_000


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
        statements.EMIT,
        created_at=now,
        event_type=event_type,
        customer_id=customer_id or None,
        subscription_id=subscription_id,
        order_id=order_id,
        hired_instance_id=hired_instance_id,
        metadata=to_json(metadata),
    )


async def list_events(
    units: UnitsOfWork,
    *,
    event_type: str | None,
    customer_id: str | None,
    subscription_id: str | None,
    limit: int,
) -> list[NotificationEventRow]:
    """The newest `limit` matching events, oldest to newest."""
    # The outbox grows with every change: reading all of it in one answer is refused.
    if not 0 < limit <= MAX_BATCH_SIZE:
        raise invalid(
            Reason.INVALID_LIMIT, f"limit must be between 1 and {MAX_BATCH_SIZE}", limit=str(limit)
        )
    rows = await units.read(
        partial(
            statements.newest,
            event_type=event_type,
            customer_id=customer_id,
            subscription_id=subscription_id,
            limit=limit,
        )
    )
    rows.reverse()
    return rows


async def list_undelivered(units: UnitsOfWork, limit: int) -> list[NotificationEventRow]:
    """The oldest `limit` events no consumer has acknowledged."""
    return await units.read(lambda tx: statements.undelivered(tx, limit))


async def acknowledge(units: UnitsOfWork, event_ids: list[int], reply: Reply[int, R]) -> R:
    """Marks events delivered; an event already acknowledged is not counted again."""
    return await units.write(reply, partial(_acknowledge, event_ids=event_ids))


async def _acknowledge(tx: Transaction, now: datetime, *, event_ids: list[int]) -> int:
    if len(event_ids) > MAX_ACKNOWLEDGED:
        raise invalid(
            Reason.TOO_MANY_EVENT_IDS,
            f"At most {MAX_ACKNOWLEDGED} event ids can be acknowledged in one call",
            event_ids=str(len(event_ids)),
        )
    if not event_ids:
        return 0
    return await statements.mark_delivered(tx, event_ids, now)


async def backlog(units: UnitsOfWork) -> int:
    """How many events no consumer has acknowledged."""
    return await units.read(statements.backlog)
