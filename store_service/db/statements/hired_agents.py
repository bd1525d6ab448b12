"""The SQL of hired agent instances and their trial history."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql

from store_service.db.models import HiredInstance, Subscription, TrialTransition, table_of
from store_service.db.sql import Statement, Transaction, all_columns, bound
from store_service.domain.records import (
    HiredInstanceRow,
    InstanceWithSubscription,
    SubscriptionLockForDraft,
)

instances = table_of(HiredInstance)
subscriptions = table_of(Subscription)
transitions = table_of(TrialTransition)

SUBSCRIPTION_STATE = (
    subscriptions.c.status.label("subscription_status"),
    subscriptions.c.ended_at.label("subscription_ended_at"),
)
SAME_SUBSCRIPTION = subscriptions.c.subscription_id == instances.c.subscription_id
_WITH_SUBSCRIPTION = select(instances, *SUBSCRIPTION_STATE).select_from(
    instances.outerjoin(subscriptions, SAME_SUBSCRIPTION)
)
VIEW_BY_ID = Statement(
    _WITH_SUBSCRIPTION.where(instances.c.hired_instance_id == bindparam("hired_instance_id"))
)
VIEW_BY_SUBSCRIPTION = Statement(
    _WITH_SUBSCRIPTION.where(instances.c.subscription_id == bindparam("subscription_id"))
)


# Writers of an instance lock its subscription row and then the instance row, in the statement
# that reads them: PostgreSQL takes the locks in the order of FOR … OF (period end's order too),
# and after waiting for a lock it re-reads the locked rows only. A row that was only joined
# would be read as it was before the previous writer committed (READ COMMITTED). NO KEY UPDATE
# is the lock their UPDATE takes anyway: it leaves inserts that reference the rows unblocked.
def locked_for_write(*extra: ColumnElement[Any]) -> Statement:
    """The instance and its subscription row, both locked (and `extra` columns), by instance id."""
    return Statement(
        select(instances, *SUBSCRIPTION_STATE, *extra)
        .select_from(instances.join(subscriptions, SAME_SUBSCRIPTION))
        .where(instances.c.hired_instance_id == bindparam("hired_instance_id"))
        .with_for_update(of=[subscriptions, instances], key_share=True)
    )


LOCK_FOR_WRITE = locked_for_write()
# A draft locks the subscription, then (when there is one) the instance it updates, read in
# that locking statement; the instance cannot be locked here, on the nullable side of the join.
LOCK_SUBSCRIPTION_FOR_DRAFT = Statement(
    select(
        *SUBSCRIPTION_STATE,
        subscriptions.c.customer_id.label("subscription_customer_id"),
        instances.c.hired_instance_id,
    )
    .select_from(subscriptions.outerjoin(instances, SAME_SUBSCRIPTION))
    .where(subscriptions.c.subscription_id == bindparam("subscription_id"))
    .with_for_update(of=subscriptions)
)
LOCK_INSTANCE_OF_SUBSCRIPTION = Statement(
    select(instances)
    .where(instances.c.subscription_id == bindparam("subscription_id"))
    .with_for_update(key_share=True)
)
CREATE = Statement(
    postgresql.insert(instances)
    .values(all_columns(instances))
    .on_conflict_do_nothing(index_elements=["subscription_id"])
    .returning(*instances.c)
)
_CHANGES = ("agent_id", "customer_id", "nickname", "theme", "config", "configured", "updated_at")
UPDATE_DRAFT = Statement(
    update(instances)
    .where(instances.c.hired_instance_id == bindparam("key"))
    .values({**bound(instances, *_CHANGES), "active": True})
    .returning(*instances.c)
)
FINALIZE = Statement(
    update(instances)
    .where(instances.c.hired_instance_id == bindparam("key"))
    .values(bound(instances, "configured", "goals_completed", "updated_at"))
    .returning(*instances.c)
)
START_TRIAL = Statement(
    update(instances)
    .where(instances.c.hired_instance_id == bindparam("key"))
    .values(
        bound(
            instances,
            "configured",
            "goals_completed",
            "updated_at",
            "trial_status",
            "trial_start_at",
            "trial_end_at",
        )
    )
    .returning(*instances.c)
)
RECORD_TRANSITION = Statement(
    insert(transitions).values(
        bound(transitions, "hired_instance_id", "from_status", "to_status", "cause", "occurred_at")
    )
)
CLAIM_EXPIRED_TRIALS = Statement(
    select(instances)
    .where(instances.c.trial_status == "active", instances.c.trial_end_at <= bindparam("now"))
    .order_by(instances.c.trial_end_at, instances.c.hired_instance_id)
    .limit(bindparam("batch_size"))
    .with_for_update(skip_locked=True)
)
END_TRIAL = Statement(
    update(instances)
    .where(instances.c.hired_instance_id == bindparam("key"))
    .values(bound(instances, "trial_status", "updated_at"))
)


async def view_by_id(tx: Transaction, hired_instance_id: str) -> InstanceWithSubscription | None:
    row = await tx.first(VIEW_BY_ID, hired_instance_id=hired_instance_id)
    return cast("InstanceWithSubscription | None", row)


async def view_by_subscription(
    tx: Transaction, subscription_id: str
) -> InstanceWithSubscription | None:
    row = await tx.first(VIEW_BY_SUBSCRIPTION, subscription_id=subscription_id)
    return cast("InstanceWithSubscription | None", row)


async def lock_for_write(
    tx: Transaction, hired_instance_id: str
) -> InstanceWithSubscription | None:
    row = await tx.first(LOCK_FOR_WRITE, hired_instance_id=hired_instance_id)
    return cast("InstanceWithSubscription | None", row)


async def lock_subscription_for_draft(
    tx: Transaction, subscription_id: str
) -> SubscriptionLockForDraft | None:
    row = await tx.first(LOCK_SUBSCRIPTION_FOR_DRAFT, subscription_id=subscription_id)
    return cast("SubscriptionLockForDraft | None", row)


async def lock_instance_of_subscription(
    tx: Transaction, subscription_id: str
) -> HiredInstanceRow | None:
    row = await tx.first(LOCK_INSTANCE_OF_SUBSCRIPTION, subscription_id=subscription_id)
    return cast("HiredInstanceRow | None", row)


async def written(tx: Transaction, statement: Statement, **values: Any) -> HiredInstanceRow | None:
    """The instance row a CREATE, UPDATE_DRAFT, FINALIZE or START_TRIAL returns (None when
    CREATE met an existing instance, or the key matched none)."""
    return cast("HiredInstanceRow | None", await tx.first(statement, **values))


async def claim_expired_trials(
    tx: Transaction, now: datetime, batch_size: int
) -> list[HiredInstanceRow]:
    rows = await tx.rows(CLAIM_EXPIRED_TRIALS, now=now, batch_size=batch_size)
    return cast("list[HiredInstanceRow]", rows)


async def subscription_statuses(tx: Transaction, subscription_ids: set[str]) -> dict[str, str]:
    """The status of each of these subscriptions (an IN list: compiled per call)."""
    rows = await tx.rows(
        select(subscriptions.c.subscription_id, subscriptions.c.status).where(
            subscriptions.c.subscription_id.in_(sorted(subscription_ids))
        )
    )
    return {row["subscription_id"]: row["status"] for row in rows}
