"""Subscriptions: reads, scheduled cancellation, and period-end processing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from plant_store_client.reasons import Reason
from store_service.db.sql import Transaction
from store_service.db.statements import subscriptions as statements
from store_service.domain.customers import conflicting_customers, require_customer_id
from store_service.domain.errors import failed_precondition, not_found, permission_denied
from store_service.domain.records import SubscriptionRow
from store_service.services.batches import until_done
from store_service.services.outbox import emit
from store_service.services.pages import PageQuery, Rows, page_start, read_rows
from store_service.services.units_of_work import R, Reply, UnitsOfWork


def subscription_not_found(subscription_id: str) -> Exception:
    return not_found(
        Reason.SUBSCRIPTION_NOT_FOUND, "Subscription not found.", subscription_id=subscription_id
    )


async def get_subscription(units: UnitsOfWork, subscription_id: str) -> SubscriptionRow:
    row = await units.read(lambda tx: statements.by_id(tx, subscription_id))
    if row is None:
        raise subscription_not_found(subscription_id)
    return row


async def list_customer_subscriptions(
    units: UnitsOfWork, raw_customer_id: str, page: PageQuery
) -> Rows[SubscriptionRow]:
    """A page of a customer's subscriptions, by period end, then start, then id."""
    start = page_start(statements.CUSTOMER_SUBSCRIPTIONS, page)
    customer_id = require_customer_id(raw_customer_id)
    rows = await units.read(lambda tx: read_rows(tx, start, customer_id=customer_id))
    return cast("Rows[SubscriptionRow]", rows)


async def cancel_at_period_end(
    units: UnitsOfWork,
    subscription_id: str,
    customer_id: str | None,
    reply: Reply[SubscriptionRow, R],
) -> R:
    async def work(tx: Transaction, now: datetime) -> SubscriptionRow:
        return await _cancel_at_period_end(tx, subscription_id, customer_id, now)

    return await units.write(reply, work)


async def _cancel_at_period_end(
    tx: Transaction, subscription_id: str, customer_id: str | None, now: datetime
) -> SubscriptionRow:
    current = await statements.by_id(tx, subscription_id, lock=True)
    if current is None:
        raise subscription_not_found(subscription_id)
    if conflicting_customers(current["customer_id"], customer_id):
        raise permission_denied(
            Reason.SUBSCRIPTION_CUSTOMER_MISMATCH, "Subscription does not belong to customer"
        )
    if current["status"] != "active":
        raise failed_precondition(Reason.SUBSCRIPTION_NOT_ACTIVE, "Subscription is not active")
    updated = await statements.schedule_cancel(tx, subscription_id)
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


@dataclass(frozen=True, slots=True)
class PeriodsEnded:
    """How many subscriptions a period-end run cancelled, as of when, and whether it stopped
    at its batch limit with more possibly due."""

    processed: int
    now: datetime
    more: bool


async def end_due_periods(
    units: UnitsOfWork,
    as_of: datetime | None,
    batch_size: int,
    max_batches: int,
    reply: Reply[PeriodsEnded, R],
) -> R:
    """Cancels every subscription due by `as_of` (by the clock without one), one batch per
    transaction, until none is left or `max_batches` batches (0: no limit) cancelled some."""

    async def run(clock: datetime) -> PeriodsEnded:
        now = as_of or clock
        ran = await until_done(lambda: end_due_batch(units, now, batch_size), max_batches)
        return PeriodsEnded(ran.done, now, ran.more)

    return await units.job(reply, run)


async def end_due_batch(units: UnitsOfWork, now: datetime, batch_size: int) -> int:
    """Cancels one batch of due subscriptions in its own transaction; returns how many.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so processors running at once take disjoint
    batches and every subscription is cancelled exactly once.
    """
    return await units.in_transaction(lambda tx: _end_due_batch(tx, now, batch_size))


async def _end_due_batch(tx: Transaction, now: datetime, batch_size: int) -> int:
    claimed = await statements.claim_due(tx, now, batch_size)
    for row in claimed:
        await _end_period(tx, row["subscription_id"], row["customer_id"], now)
    return len(claimed)


async def _end_period(
    tx: Transaction, subscription_id: str, customer_id: str | None, now: datetime
) -> None:
    await tx.execute(statements.END_PERIOD, key=subscription_id, now=now)
    emit(
        tx,
        now,
        "cancel_effective",
        {"ended_at": now.isoformat()},
        customer_id=customer_id,
        subscription_id=subscription_id,
    )
    deactivated = await statements.deactivate_instance(tx, subscription_id, now)
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
