"""The trial projection of hired agents, and its history."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from plant_store_client.reasons import Reason
from store_service.db.keyset import Key, Keyset
from store_service.db.models import HiredInstance, TrialTransition, table_of
from store_service.db.sql import Row, Statement
from store_service.domain.customers import require_customer_id
from store_service.domain.errors import not_found
from store_service.domain.values import trim
from store_service.services.pages import PageQuery, Rows, read_rows
from store_service.services.units_of_work import UnitsOfWork

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


async def list_trials(units: UnitsOfWork, raw_customer_id: str, page: PageQuery) -> Rows[Row]:
    """A page of a customer's trials: without an end first, then by end, then by subscription."""
    customer_id = require_customer_id(raw_customer_id)
    return await units.read(
        lambda tx: read_rows(tx, CUSTOMER_TRIALS, page, customer_id=customer_id)
    )


async def get_trial(units: UnitsOfWork, subscription_id: str, raw_customer_id: str) -> Row:
    customer_id = require_customer_id(raw_customer_id)
    row = await units.read(
        lambda tx: tx.first(TRIAL_OF_SUBSCRIPTION, subscription_id=subscription_id)
    )
    if row is None or trim(row["customer_id"]) != customer_id:
        raise not_found(Reason.TRIAL_NOT_FOUND, "Trial not found")
    return row


async def list_transitions(
    units: UnitsOfWork, hired_instance_id: str, page: PageQuery
) -> Rows[Row]:
    return await units.read(
        lambda tx: read_rows(tx, TRANSITIONS, page, hired_instance_id=hired_instance_id)
    )
