"""The trial projection of hired agents, and its history."""

from __future__ import annotations

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.models import HiredInstance, TrialTransition, table_of
from store_service.domain.customers import require_customer_id
from store_service.domain.errors import not_found
from store_service.domain.values import trim

instances = table_of(HiredInstance)
transitions = table_of(TrialTransition)


async def list_trials(connection: AsyncConnection, raw_customer_id: str) -> list[RowMapping]:
    """A customer's trials: without an end first, then by end, then by subscription."""
    customer_id = require_customer_id(raw_customer_id)
    rows = await connection.execute(
        select(instances)
        .where(instances.c.customer_id == customer_id)
        .order_by(instances.c.trial_end_at.asc().nulls_first(), instances.c.subscription_id)
    )
    return list(rows.mappings())


async def get_trial(
    connection: AsyncConnection, subscription_id: str, raw_customer_id: str
) -> RowMapping:
    customer_id = require_customer_id(raw_customer_id)
    row = (
        (
            await connection.execute(
                select(instances).where(instances.c.subscription_id == subscription_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None or trim(row["customer_id"]) != customer_id:
        raise not_found("TRIAL_NOT_FOUND", "Trial not found")
    return row


async def list_transitions(connection: AsyncConnection, hired_instance_id: str) -> list[RowMapping]:
    rows = await connection.execute(
        select(transitions)
        .where(transitions.c.hired_instance_id == hired_instance_id)
        .order_by(transitions.c.transition_id)
    )
    return list(rows.mappings())
