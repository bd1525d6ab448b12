"""Hired agent instances: the draft upsert, resume, finalize and the trial clock."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, from_stored_json, to_json
from store_service.db.sql import Transaction
from store_service.db.statements import hired_agents as statements
from store_service.domain.errors import not_found, permission_denied
from store_service.domain.hiring import (
    TRIAL_LENGTH,
    is_configured,
    normalise_theme,
    owned_by_other,
    require_owner_id,
    require_readable,
    require_refs_only,
    require_subscription_owner,
    require_writable,
)
from store_service.domain.records import HiredInstanceRow, InstanceWithSubscription
from store_service.services.batches import until_done
from store_service.services.outbox import emit
from store_service.services.subscriptions import subscription_not_found
from store_service.services.units_of_work import R, Reply, UnitsOfWork


@dataclass(frozen=True, slots=True)
class HiredAgentView:
    """An instance with the live state of its subscription."""

    instance: HiredInstanceRow
    subscription_status: str | None
    subscription_ended_at: datetime | None

    @classmethod
    def joined(cls, row: InstanceWithSubscription) -> HiredAgentView:
        """The view of a row that selects an instance with SUBSCRIPTION_STATE."""
        return cls(row, row["subscription_status"], row["subscription_ended_at"])


def hired_agent_not_found() -> Exception:
    return not_found(Reason.HIRED_AGENT_NOT_FOUND, "Hired agent instance not found.")


Owned = TypeVar("Owned", bound=Mapping[str, Any])


def require_owner(
    row: Owned | None, raw_customer_id: str, customer_key: str = "customer_id"
) -> Owned:
    """The instance row for its owner: 404 when missing, 400 without a customer, 404 for
    another customer (404, not 403, so existence is not revealed)."""
    if row is None:
        raise hired_agent_not_found()
    if owned_by_other(row[customer_key], require_owner_id(raw_customer_id)):
        raise hired_agent_not_found()
    return row


async def owned_view(
    tx: Transaction, hired_instance_id: str, raw_customer_id: str
) -> HiredAgentView:
    """The instance for its owner: 404 when missing, 400 without a customer, 404 for others."""
    row = await statements.view_by_id(tx, hired_instance_id)
    return HiredAgentView.joined(require_owner(row, raw_customer_id))


def require_view_readable(view: HiredAgentView, retention_days: int, at: datetime) -> None:
    require_readable(view.subscription_status, view.subscription_ended_at, retention_days, at)


async def owned_for_write(
    tx: Transaction, hired_instance_id: str, raw_customer_id: str
) -> HiredAgentView:
    """`owned_view` with the subscription row and the instance locked for this write."""
    row = await statements.lock_for_write(tx, hired_instance_id)
    return HiredAgentView.joined(require_owner(row, raw_customer_id))


def require_view_writable(view: HiredAgentView) -> None:
    """Writes need the subscription to exist and be active."""
    if view.subscription_status is None:
        raise subscription_not_found(view.instance["subscription_id"])
    require_writable(view.subscription_status)


@dataclass(frozen=True, slots=True)
class Draft:
    subscription_id: str
    agent_id: str
    customer_id: str
    nickname: str | None
    theme: str | None
    # None keeps the stored config (or {} on create); a document replaces it.
    config: Document | None


async def upsert_draft(units: UnitsOfWork, draft: Draft, reply: Reply[HiredAgentView, R]) -> R:
    """Creates the subscription's instance or updates it; one instance per subscription."""
    return await units.write(reply, partial(_upsert_draft, draft=draft))


async def _upsert_draft(tx: Transaction, now: datetime, *, draft: Draft) -> HiredAgentView:
    theme = normalise_theme(draft.theme)
    customer_id = require_owner_id(draft.customer_id)
    locked = await statements.lock_subscription_for_draft(tx, draft.subscription_id)
    if locked is None:
        raise subscription_not_found(draft.subscription_id)
    require_subscription_owner(locked["subscription_customer_id"], customer_id)
    require_writable(locked["subscription_status"])
    status, ended_at = locked["subscription_status"], locked["subscription_ended_at"]
    if locked["hired_instance_id"] is None:
        created = await _create(tx, draft, customer_id, theme, now)
        if created is not None:
            return HiredAgentView(created, status, ended_at)
        # Created by the writer whose subscription lock this one waited for: the join above
        # read the instance as it was before that writer committed.
    existing = await statements.lock_instance_of_subscription(tx, draft.subscription_id)
    assert existing is not None
    updated = await _update(tx, existing, draft, customer_id, theme, now)
    return HiredAgentView(updated, status, ended_at)


async def _create(
    tx: Transaction, draft: Draft, customer_id: str, theme: str | None, now: datetime
) -> HiredInstanceRow | None:
    config = draft.config if draft.config is not None else {}
    require_refs_only(config)
    nickname = draft.nickname or None
    return await statements.written(
        tx,
        statements.CREATE,
        hired_instance_id=f"HAI-{uuid.uuid4()}",
        subscription_id=draft.subscription_id,
        agent_id=draft.agent_id,
        customer_id=customer_id,
        nickname=nickname,
        theme=theme,
        config=to_json(config),
        configured=is_configured(nickname, theme, draft.agent_id, config),
        goals_completed=False,
        active=True,
        trial_status="not_started",
        trial_start_at=None,
        trial_end_at=None,
        created_at=now,
        updated_at=now,
    )


async def _update(
    tx: Transaction,
    existing: HiredInstanceRow,
    draft: Draft,
    customer_id: str,
    theme: str | None,
    now: datetime,
) -> HiredInstanceRow:
    if owned_by_other(existing["customer_id"], customer_id):
        raise permission_denied(
            Reason.HIRED_AGENT_CUSTOMER_MISMATCH,
            "Hired agent instance does not belong to customer.",
        )
    config = draft.config if draft.config is not None else from_stored_json(existing["config"])
    require_refs_only(config)
    nickname = draft.nickname if draft.nickname is not None else existing["nickname"]
    theme = theme or existing["theme"]
    updated = await statements.written(
        tx,
        statements.UPDATE_DRAFT,
        key=existing["hired_instance_id"],
        agent_id=draft.agent_id,
        customer_id=customer_id,
        nickname=nickname,
        theme=theme,
        config=to_json(config),
        configured=is_configured(nickname, theme, draft.agent_id, config),
        updated_at=now,
    )
    assert updated is not None
    return updated


async def get_by_subscription(
    units: UnitsOfWork,
    subscription_id: str,
    raw_customer_id: str,
    retention_days: int,
    as_of: datetime | None,
) -> HiredAgentView:
    """The subscription's instance for its owner, while its data is kept."""
    at = as_of or units.clock()

    async def work(tx: Transaction) -> HiredAgentView:
        row = await statements.view_by_subscription(tx, subscription_id)
        view = HiredAgentView.joined(require_owner(row, raw_customer_id))
        require_view_readable(view, retention_days, at)
        return view

    return await units.read(work)


def record_transition(
    tx: Transaction, instance: HiredInstanceRow, to_status: str, cause: str, now: datetime
) -> None:
    # History nobody reads within the transition's own unit of work: deferred.
    tx.later(
        statements.RECORD_TRANSITION,
        hired_instance_id=instance["hired_instance_id"],
        from_status=instance["trial_status"],
        to_status=to_status,
        cause=cause,
        occurred_at=now,
    )


async def finalize(
    units: UnitsOfWork,
    hired_instance_id: str,
    raw_customer_id: str,
    goals_completed: bool,
    reply: Reply[HiredAgentView, R],
) -> R:
    """Completes the wizard; starts a 7-day trial when configured with goals completed."""
    return await units.write(
        reply,
        partial(
            _finalize,
            hired_instance_id=hired_instance_id,
            raw_customer_id=raw_customer_id,
            goals_completed=goals_completed,
        ),
    )


async def _finalize(
    tx: Transaction,
    now: datetime,
    *,
    hired_instance_id: str,
    raw_customer_id: str,
    goals_completed: bool,
) -> HiredAgentView:
    view = await owned_for_write(tx, hired_instance_id, raw_customer_id)
    instance = view.instance
    config = from_stored_json(instance["config"])
    require_refs_only(config)
    require_view_writable(view)
    configured = is_configured(
        instance["nickname"], instance["theme"], instance["agent_id"], config
    )
    changes: dict[str, Any] = {
        "key": hired_instance_id,
        "configured": configured,
        "goals_completed": goals_completed,
        "updated_at": now,
    }
    if not (configured and goals_completed and instance["trial_status"] != "active"):
        updated = await statements.written(tx, statements.FINALIZE, **changes)
        assert updated is not None
        return replace(view, instance=updated)
    trial_end_at = now + TRIAL_LENGTH
    record_transition(tx, instance, "active", "finalize", now)
    emit(
        tx,
        now,
        "trial_activated",
        {"trial_start_at": now.isoformat(), "trial_end_at": trial_end_at.isoformat()},
        customer_id=instance["customer_id"],
        subscription_id=instance["subscription_id"],
        hired_instance_id=hired_instance_id,
    )
    started = await statements.written(
        tx,
        statements.START_TRIAL,
        **changes,
        trial_status="active",
        trial_start_at=now,
        trial_end_at=trial_end_at,
    )
    assert started is not None
    return replace(view, instance=started)


@dataclass(frozen=True, slots=True)
class TrialsEnded:
    """How many trials a trial-end run ended, as of when, and whether it stopped at its batch
    limit with more possibly due."""

    processed: int
    now: datetime
    more: bool


async def end_due_trials(
    units: UnitsOfWork,
    as_of: datetime | None,
    batch_size: int,
    max_batches: int,
    reply: Reply[TrialsEnded, R],
) -> R:
    """Ends every trial due by `as_of` (by the clock without one), a batch per transaction,
    until none is left or `max_batches` batches (0: no limit) ended some."""

    async def run(clock: datetime) -> TrialsEnded:
        now = as_of or clock
        ran = await until_done(
            lambda: units.in_transaction(lambda tx: _end_due_batch(tx, now, batch_size)),
            max_batches,
        )
        return TrialsEnded(ran.done, now, ran.more)

    return await units.job(reply, run)


async def _end_due_batch(tx: Transaction, now: datetime, batch_size: int) -> int:
    """Ends one batch of expired trials (claimed with SKIP LOCKED); returns how many."""
    claimed = await statements.claim_expired_trials(tx, now, batch_size)
    if not claimed:
        return 0
    # Read after the claim: a subscription joined into the claiming statement is seen as it was
    # when that statement started, even when its period end committed before the claim took the
    # instance. From here on a period end of these subscriptions waits for this transaction.
    status_of = await statements.subscription_statuses(
        tx, {row["subscription_id"] for row in claimed}
    )
    for instance in claimed:
        await _end_trial(tx, instance, status_of.get(instance["subscription_id"]), now)
    return len(claimed)


async def _end_trial(
    tx: Transaction, instance: HiredInstanceRow, subscription_status: str | None, now: datetime
) -> None:
    converted = subscription_status == "active"
    next_status = "ended_converted" if converted else "ended_not_converted"
    await tx.execute(
        statements.END_TRIAL,
        key=instance["hired_instance_id"],
        trial_status=next_status,
        updated_at=now,
    )
    record_transition(tx, instance, next_status, "process_trial_end", now)
    emit(
        tx,
        now,
        "trial_ended",
        {"next_status": next_status, "processed_at": now.isoformat()},
        customer_id=instance["customer_id"],
        subscription_id=instance["subscription_id"],
        hired_instance_id=instance["hired_instance_id"],
    )
