"""The SQL of the trial projection of hired agents, and of its history."""

from __future__ import annotations

from typing import cast

from sqlalchemy import bindparam, select

from store_service.db.keyset import Key, Keyset
from store_service.db.models import HiredInstance, TrialTransition, table_of
from store_service.db.sql import Statement, Transaction
from store_service.domain.records import TrialEntry

instances = table_of(HiredInstance)
transitions = table_of(TrialTransition)

# The trial projection: what a trial entry shows (not the instance's configuration, whose JSON
# would be decoded for every row of a long list).
TRIAL_COLUMNS = tuple(
    instances.c[name]
    for name in (
        "subscription_id",
        "hired_instance_id",
        "customer_id",
        "trial_status",
        "trial_start_at",
        "trial_end_at",
        "configured",
        "goals_completed",
    )
)
CUSTOMER_TRIALS = Keyset(
    select(*TRIAL_COLUMNS).where(instances.c.customer_id == bindparam("customer_id")),
    Key(instances.c.trial_end_at, nulls_first=True),
    Key(instances.c.subscription_id),
)
TRIAL_OF_SUBSCRIPTION = Statement(
    select(*TRIAL_COLUMNS).where(instances.c.subscription_id == bindparam("subscription_id"))
)
TRANSITIONS = Keyset(
    select(transitions).where(transitions.c.hired_instance_id == bindparam("hired_instance_id")),
    Key(transitions.c.transition_id),
)


async def trial_of_subscription(tx: Transaction, subscription_id: str) -> TrialEntry | None:
    row = await tx.first(TRIAL_OF_SUBSCRIPTION, subscription_id=subscription_id)
    return cast("TrialEntry | None", row)
