"""The SQL of subscriptions: reads, creation and activation by payments, scheduled cancellation,
and period end (which also deactivates the subscription's hired agent)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, insert, select, update

from store_service.db.keyset import Key, Keyset
from store_service.db.models import HiredInstance, Subscription, table_of
from store_service.db.sql import Statement, Transaction, all_columns
from store_service.domain.records import DueSubscription, SubscriptionRow

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
INSERT = Statement(insert(subscriptions).values(all_columns(subscriptions)))
# A payment activates the subscription it pays for, once.
ACTIVATE = Statement(
    update(subscriptions)
    .where(
        subscriptions.c.subscription_id == bindparam("key"),
        subscriptions.c.status == "pending_payment",
    )
    .values(status="active")
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


async def by_id(
    tx: Transaction, subscription_id: str, *, lock: bool = False
) -> SubscriptionRow | None:
    row = await tx.first(LOCK if lock else FIND, subscription_id=subscription_id)
    return cast("SubscriptionRow | None", row)


async def schedule_cancel(tx: Transaction, subscription_id: str) -> SubscriptionRow | None:
    return cast("SubscriptionRow | None", await tx.first(SCHEDULE_CANCEL, key=subscription_id))


async def claim_due(tx: Transaction, now: datetime, batch_size: int) -> list[DueSubscription]:
    """Up to `batch_size` subscriptions due to end, locked; rows other processors hold are
    skipped (FOR UPDATE SKIP LOCKED), so processors running at once take disjoint batches."""
    return cast("list[DueSubscription]", await tx.rows(CLAIM_DUE, now=now, batch_size=batch_size))


async def deactivate_instance(tx: Transaction, subscription_id: str, now: datetime) -> str | None:
    """Deactivates the subscription's hired agent; its id, or None when it has none."""
    deactivated: str | None = await tx.scalar(DEACTIVATE_INSTANCE, key=subscription_id, now=now)
    return deactivated
