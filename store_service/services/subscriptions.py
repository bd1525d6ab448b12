"""Subscriptions: reads, scheduled cancellation, and period-end processing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.models import HiredInstance, Subscription, table_of
from store_service.domain.customers import conflicting_customers, require_customer_id
from store_service.domain.errors import failed_precondition, not_found, permission_denied
from store_service.services.outbox import emit

subscriptions = table_of(Subscription)
hired_instances = table_of(HiredInstance)


def subscription_not_found(subscription_id: str) -> Exception:
    return not_found(
        "SUBSCRIPTION_NOT_FOUND", "Subscription not found.", subscription_id=subscription_id
    )


async def find_subscription(
    connection: AsyncConnection, subscription_id: str, *, lock: bool = False
) -> RowMapping | None:
    query = select(subscriptions).where(subscriptions.c.subscription_id == subscription_id)
    if lock:
        query = query.with_for_update()
    return (await connection.execute(query)).mappings().first()


async def get_subscription(connection: AsyncConnection, subscription_id: str) -> RowMapping:
    row = await find_subscription(connection, subscription_id)
    if row is None:
        raise subscription_not_found(subscription_id)
    return row


async def list_customer_subscriptions(
    connection: AsyncConnection, raw_customer_id: str
) -> list[RowMapping]:
    customer_id = require_customer_id(raw_customer_id)
    rows = await connection.execute(
        select(subscriptions)
        .where(subscriptions.c.customer_id == customer_id)
        .order_by(
            subscriptions.c.current_period_end,
            subscriptions.c.current_period_start,
            subscriptions.c.subscription_id,
        )
    )
    return list(rows.mappings())


async def cancel_at_period_end(
    connection: AsyncConnection, subscription_id: str, customer_id: str | None, now: datetime
) -> RowMapping:
    current = await find_subscription(connection, subscription_id, lock=True)
    if current is None:
        raise subscription_not_found(subscription_id)
    if conflicting_customers(current["customer_id"], customer_id):
        raise permission_denied(
            "SUBSCRIPTION_CUSTOMER_MISMATCH", "Subscription does not belong to customer"
        )
    if current["status"] != "active":
        raise failed_precondition("SUBSCRIPTION_NOT_ACTIVE", "Subscription is not active")
    updated = (
        (
            await connection.execute(
                update(subscriptions)
                .where(subscriptions.c.subscription_id == subscription_id)
                .values(cancel_at_period_end=True)
                .returning(*subscriptions.c)
            )
        )
        .mappings()
        .one()
    )
    await emit(
        connection,
        now,
        "cancel_scheduled",
        {"effective_at": updated["current_period_end"].isoformat()},
        customer_id=updated["customer_id"],
        subscription_id=subscription_id,
    )
    return updated


async def end_due_periods(connection: AsyncConnection, now: datetime, batch_size: int) -> int:
    """Cancels one batch of due subscriptions; returns how many it cancelled.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so processors running at once take disjoint
    batches and every subscription is cancelled exactly once.
    """
    due = await connection.execute(
        select(subscriptions.c.subscription_id, subscriptions.c.customer_id)
        .where(
            subscriptions.c.status == "active",
            subscriptions.c.cancel_at_period_end.is_(True),
            subscriptions.c.current_period_end <= now,
        )
        .order_by(subscriptions.c.current_period_end, subscriptions.c.subscription_id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    claimed = due.all()
    for subscription_id, customer_id in claimed:
        await _end_period(connection, subscription_id, customer_id, now)
    return len(claimed)


async def _end_period(
    connection: AsyncConnection, subscription_id: str, customer_id: str | None, now: datetime
) -> None:
    await connection.execute(
        update(subscriptions)
        .where(subscriptions.c.subscription_id == subscription_id)
        .values(status="canceled", ended_at=now)
    )
    await emit(
        connection,
        now,
        "cancel_effective",
        {"ended_at": now.isoformat()},
        customer_id=customer_id,
        subscription_id=subscription_id,
    )
    deactivated = await connection.scalar(
        update(hired_instances)
        .where(hired_instances.c.subscription_id == subscription_id)
        .values(active=False, updated_at=now)
        .returning(hired_instances.c.hired_instance_id)
    )
    if deactivated is not None:
        await emit(
            connection,
            now,
            "hired_agent_deactivated",
            {"deactivated_at": now.isoformat()},
            customer_id=customer_id,
            subscription_id=subscription_id,
            hired_instance_id=deactivated,
        )
