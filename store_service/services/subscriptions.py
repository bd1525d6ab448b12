"""Subscriptions: reads, scheduled cancellation, and period-end processing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update

from plant_store_client.reasons import Reason
from store_service.db.keyset import Cursor, Key, Keyset
from store_service.db.models import HiredInstance, Subscription, table_of
from store_service.db.sql import Row, Statement, Transaction
from store_service.domain.customers import conflicting_customers, require_customer_id
from store_service.domain.errors import failed_precondition, not_found, permission_denied
from store_service.services.outbox import emit

subscriptions = table_of(Subscription)
hired_instances = table_of(HiredInstance)

_BY_ID = select(subscriptions).where(
    subscriptions.c.subscription_id == bindparam("subscription_id")
)
FIND = Statement(_BY_ID)
LOCK = Statement(_BY_ID.with_for_update())
CUSTOMER_SUBSCRIPTIONS = Keyset(
    select(subscriptions).where(subscriptions.c.customer_id == bindparam("customer_id")),
    Key(subscriptions.c.current_period_end),
    Key(subscriptions.c.current_period_start),
    Key(subscriptions.c.subscription_id),
)
SCHEDULE_CANCEL = Statement(
    update(subscriptions)
    .where(subscriptions.c.subscription_id == bindparam("key"))
    .values(cancel_at_period_end=True)
    .returning(*subscriptions.c)
)
CLAIM_DUE = Statement(
    select(subscriptions.c.subscription_id, subscriptions.c.customer_id)
    .where(
        subscriptions.c.status == "active",
        subscriptions.c.cancel_at_period_end.is_(True),
        subscriptions.c.current_period_end <= bindparam("now"),
    )
    .order_by(subscriptions.c.current_period_end, subscriptions.c.subscription_id)
    .limit(bindparam("batch_size"))
    .with_for_update(skip_locked=True)
)
END_PERIOD = Statement(
    update(subscriptions)
    .where(subscriptions.c.subscription_id == bindparam("key"))
    .values(status="canceled", ended_at=bindparam("now"))
)
DEACTIVATE_INSTANCE = Statement(
    update(hired_instances)
    .where(hired_instances.c.subscription_id == bindparam("key"))
    .values(active=False, updated_at=bindparam("now"))
    .returning(hired_instances.c.hired_instance_id)
)


def subscription_not_found(subscription_id: str) -> Exception:
    return not_found(
        Reason.SUBSCRIPTION_NOT_FOUND, "Subscription not found.", subscription_id=subscription_id
    )


async def find_subscription(
    tx: Transaction, subscription_id: str, *, lock: bool = False
) -> Row | None:
    return await tx.first(LOCK if lock else FIND, subscription_id=subscription_id)


async def get_subscription(tx: Transaction, subscription_id: str) -> Row:
    row = await find_subscription(tx, subscription_id)
    if row is None:
        raise subscription_not_found(subscription_id)
    return row


async def list_customer_subscriptions(
    tx: Transaction, raw_customer_id: str, after: Cursor | None, limit: int
) -> list[Row]:
    customer_id = require_customer_id(raw_customer_id)
    return await CUSTOMER_SUBSCRIPTIONS.page(tx, after, limit, customer_id=customer_id)


async def cancel_at_period_end(
    tx: Transaction, subscription_id: str, customer_id: str | None, now: datetime
) -> Row:
    current = await find_subscription(tx, subscription_id, lock=True)
    if current is None:
        raise subscription_not_found(subscription_id)
    if conflicting_customers(current["customer_id"], customer_id):
        raise permission_denied(
            Reason.SUBSCRIPTION_CUSTOMER_MISMATCH, "Subscription does not belong to customer"
        )
    if current["status"] != "active":
        raise failed_precondition(Reason.SUBSCRIPTION_NOT_ACTIVE, "Subscription is not active")
    updated = await tx.first(SCHEDULE_CANCEL, key=subscription_id)
    assert updated is not None
    emit(
        tx,
        now,
        "cancel_scheduled",
        {"effective_at": updated["current_period_end"].isoformat()},
        customer_id=updated["customer_id"],
        subscription_id=subscription_id,
    )
    return updated


async def end_due_periods(tx: Transaction, now: datetime, batch_size: int) -> int:
    """Cancels one batch of due subscriptions; returns how many it cancelled.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so processors running at once take disjoint
    batches and every subscription is cancelled exactly once.
    """
    claimed = await tx.rows(CLAIM_DUE, now=now, batch_size=batch_size)
    for row in claimed:
        await _end_period(tx, row["subscription_id"], row["customer_id"], now)
    return len(claimed)


async def _end_period(
    tx: Transaction, subscription_id: str, customer_id: str | None, now: datetime
) -> None:
    await tx.execute(END_PERIOD, key=subscription_id, now=now)
    emit(
        tx,
        now,
        "cancel_effective",
        {"ended_at": now.isoformat()},
        customer_id=customer_id,
        subscription_id=subscription_id,
    )
    deactivated = await tx.scalar(DEACTIVATE_INSTANCE, key=subscription_id, now=now)
    if deactivated is not None:
        emit(
            tx,
            now,
            "hired_agent_deactivated",
            {"deactivated_at": now.isoformat()},
            customer_id=customer_id,
            subscription_id=subscription_id,
            hired_instance_id=deactivated,
        )
