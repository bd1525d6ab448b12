"""Hired agent instances: the draft upsert, resume, finalize and the trial clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, from_stored_json, to_json
from store_service.db.models import HiredInstance, Subscription, TrialTransition, table_of
from store_service.db.sql import Row, Statement, Transaction, all_columns, bound
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
from store_service.services.outbox import emit
from store_service.services.subscriptions import subscription_not_found
from store_service.services.units_of_work import R, Reply, UnitsOfWork

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


@dataclass(frozen=True, slots=True)
class HiredAgentView:
    """An instance with the live state of its subscription."""

    instance: Row
    subscription_status: str | None
    subscription_ended_at: datetime | None

    @classmethod
    def of(cls, instance: Row, subscription: Row | None) -> HiredAgentView:
        if subscription is None:
            return cls(instance, None, None)
        return cls(instance, subscription["status"], subscription["ended_at"])

    @classmethod
    def joined(cls, row: Row) -> HiredAgentView:
        return cls(row, row["subscription_status"], row["subscription_ended_at"])


def hired_agent_not_found() -> Exception:
    return not_found(Reason.HIRED_AGENT_NOT_FOUND, "Hired agent instance not found.")


def require_owner(row: Row | None, raw_customer_id: str, customer_key: str = "customer_id") -> Row:
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
    row = await tx.first(VIEW_BY_ID, hired_instance_id=hired_instance_id)
    return HiredAgentView.joined(require_owner(row, raw_customer_id))


def require_view_readable(view: HiredAgentView, retention_days: int, at: datetime) -> None:
    require_readable(view.subscription_status, view.subscription_ended_at, retention_days, at)


async def owned_for_write(
    tx: Transaction,
    hired_instance_id: str,
    raw_customer_id: str,
    lock: Statement = LOCK_FOR_WRITE,
) -> HiredAgentView:
    """`owned_view` with the subscription row locked for this write (by `lock`, a statement
    of `locked_for_write`)."""
    row = await tx.first(lock, hired_instance_id=hired_instance_id)
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
    locked = await tx.first(LOCK_SUBSCRIPTION_FOR_DRAFT, subscription_id=draft.subscription_id)
    if locked is None:
        raise subscription_not_found(draft.subscription_id)
    require_subscription_owner(locked["subscription_customer_id"], customer_id)
    require_writable(locked["subscription_status"])
    subscription = {
        "status": locked["subscription_status"],
        "ended_at": locked["subscription_ended_at"],
    }
    if locked["hired_instance_id"] is None:
        created = await _create(tx, draft, customer_id, theme, now)
        if created is not None:
            return HiredAgentView.of(created, subscription)
        # Created by the writer whose subscription lock this one waited for: the join above
        # read the instance as it was before that writer committed.
    existing = await tx.first(LOCK_INSTANCE_OF_SUBSCRIPTION, subscription_id=draft.subscription_id)
    assert existing is not None
    updated = await _update(tx, existing, draft, customer_id, theme, now)
    return HiredAgentView.of(updated, subscription)


async def _create(
    tx: Transaction, draft: Draft, customer_id: str, theme: str | None, now: datetime
) -> Row | None:
    config = draft.config if draft.config is not None else {}
    require_refs_only(config)
    nickname = draft.nickname or None
    return await tx.first(
        CREATE,
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
    existing: Row,
    draft: Draft,
    customer_id: str,
    theme: str | None,
    now: datetime,
) -> Row:
    if owned_by_other(existing["customer_id"], customer_id):
        raise permission_denied(
            Reason.HIRED_AGENT_CUSTOMER_MISMATCH,
            "Hired agent instance does not belong to customer.",
        )
    config = draft.config if draft.config is not None else from_stored_json(existing["config"])
    require_refs_only(config)
    nickname = draft.nickname if draft.nickname is not None else existing["nickname"]
    theme = theme or existing["theme"]
    updated = await tx.first(
        UPDATE_DRAFT,
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
        row = await tx.first(VIEW_BY_SUBSCRIPTION, subscription_id=subscription_id)
        view = HiredAgentView.joined(require_owner(row, raw_customer_id))
        require_view_readable(view, retention_days, at)
        return view

    return await units.read(work)


def record_transition(
    tx: Transaction, instance: Row, to_status: str, cause: str, now: datetime
) -> None:
    # History nobody reads within the transition's own unit of work: deferred.
    tx.later(
        RECORD_TRANSITION,
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
    subscription = {"status": view.subscription_status, "ended_at": view.subscription_ended_at}
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
        updated = await tx.first(FINALIZE, **changes)
        assert updated is not None
        return HiredAgentView.of(updated, subscription)
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
    started = await tx.first(
        START_TRIAL,
        **changes,
        trial_status="active",
        trial_start_at=now,
        trial_end_at=trial_end_at,
    )
    assert started is not None
    return HiredAgentView.of(started, subscription)


@dataclass(frozen=True, slots=True)
class TrialsEnded:
    processed: int
    now: datetime


async def end_due_trials(
    units: UnitsOfWork, as_of: datetime | None, batch_size: int, reply: Reply[TrialsEnded, R]
) -> R:
    """Ends every trial due by `as_of` (by the clock without one), a batch per transaction."""

    async def run(clock: datetime) -> TrialsEnded:
        now = as_of or clock
        processed = 0
        while batch := await units.in_transaction(lambda tx: _end_due_batch(tx, now, batch_size)):
            processed += batch
        return TrialsEnded(processed, now)

    return await units.job(reply, run)


async def _end_due_batch(tx: Transaction, now: datetime, batch_size: int) -> int:
    """Ends one batch of expired trials (claimed with SKIP LOCKED); returns how many."""
    claimed = await tx.rows(CLAIM_EXPIRED_TRIALS, now=now, batch_size=batch_size)
    if not claimed:
        return 0
    # Read after the claim: a subscription joined into the claiming statement is seen as it was
    # when that statement started, even when its period end committed before the claim took the
    # instance. From here on a period end of these subscriptions waits for this transaction.
    status_of = await subscription_statuses(tx, {row["subscription_id"] for row in claimed})
    for instance in claimed:
        await _end_trial(tx, instance, status_of.get(instance["subscription_id"]), now)
    return len(claimed)


async def subscription_statuses(tx: Transaction, subscription_ids: set[str]) -> dict[str, str]:
    rows = await tx.rows(
        select(subscriptions.c.subscription_id, subscriptions.c.status).where(
            subscriptions.c.subscription_id.in_(sorted(subscription_ids))
        )
    )
    return {row["subscription_id"]: row["status"] for row in rows}


async def _end_trial(
    tx: Transaction, instance: Row, subscription_status: str | None, now: datetime
) -> None:
    converted = subscription_status == "active"
    next_status = "ended_converted" if converted else "ended_not_converted"
    await tx.execute(
        END_TRIAL, key=instance["hired_instance_id"], trial_status=next_status, updated_at=now
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
