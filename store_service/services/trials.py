"""The trial projection of hired agents, and its history."""

from __future__ import annotations

from typing import cast

from plant_store_client.reasons import Reason
from store_service.db.statements import trials as statements
from store_service.domain.customers import require_customer_id
from store_service.domain.errors import not_found
from store_service.domain.records import TrialEntry, TrialTransitionRow
from store_service.domain.values import trim
from store_service.services.pages import PageQuery, Rows, page_start, read_rows
from store_service.services.units_of_work import UnitsOfWork


async def list_trials(
    units: UnitsOfWork, raw_customer_id: str, page: PageQuery
) -> Rows[TrialEntry]:
    """A page of a customer's trials: without an end first, then by end, then by subscription."""
    start = page_start(statements.CUSTOMER_TRIALS, page)
    customer_id = require_customer_id(raw_customer_id)
    rows = await units.read(lambda tx: read_rows(tx, start, customer_id=customer_id))
    return cast("Rows[TrialEntry]", rows)


async def get_trial(units: UnitsOfWork, subscription_id: str, raw_customer_id: str) -> TrialEntry:
    customer_id = require_customer_id(raw_customer_id)
    row = await units.read(lambda tx: statements.trial_of_subscription(tx, subscription_id))
    if row is None or trim(row["customer_id"]) != customer_id:
        raise not_found(Reason.TRIAL_NOT_FOUND, "Trial not found")
    return row


async def list_transitions(
    units: UnitsOfWork, hired_instance_id: str, page: PageQuery
) -> Rows[TrialTransitionRow]:
    start = page_start(statements.TRANSITIONS, page)
    rows = await units.read(lambda tx: read_rows(tx, start, hired_instance_id=hired_instance_id))
    return cast("Rows[TrialTransitionRow]", rows)
