"""Hired agent instances: the draft upsert, resume, finalize and the trial clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.dialect import upsert_insert
from store_service.db.models import HiredInstance, Subscription, TrialTransition, table_of
from store_service.domain.errors import not_found, permission_denied
from store_service.domain.hiring import (
    TRIAL_LENGTH,
    is_configured,
    normalise_theme,
    owned_by_other,
    require_owner_id,
    require_readable,
    require_refs_only,
    require_writable,
)
from store_service.services.outbox import emit
from store_service.services.subscriptions import find_subscription, subscription_not_found

instances = table_of(HiredInstance)
subscriptions = table_of(Subscription)
transitions = table_of(TrialTransition)


@dataclass(frozen=True, slots=True)
class HiredAgentView:
    """An instance with the live state of its subscription."""

    instance: RowMapping
    subscription_status: str | None
    subscription_ended_at: datetime | None

    @classmethod
    def of(cls, instance: RowMapping, subscription: RowMapping | None) -> HiredAgentView:
        if subscription is None:
            return cls(instance, None, None)
        return cls(instance, subscription["status"], subscription["ended_at"])


def hired_agent_not_found() -> Exception:
    return not_found("HIRED_AGENT_NOT_FOUND", "Hired agent instance not found.")


def _viewed() -> Any:
    return select(
        instances,
        subscriptions.c.status.label("subscription_status"),
        subscriptions.c.ended_at.label("subscription_ended_at"),
    ).select_from(
        instances.outerjoin(
            subscriptions, subscriptions.c.subscription_id == instances.c.subscription_id
        )
    )


async def _view_where(connection: AsyncConnection, condition: Any) -> HiredAgentView | None:
    row = (await connection.execute(_viewed().where(condition))).mappings().first()
    if row is None:
        return None
    return HiredAgentView(row, row["subscription_status"], row["subscription_ended_at"])


async def _instance(
    connection: AsyncConnection, condition: Any, *, lock: bool = False
) -> RowMapping | None:
    query = select(instances).where(condition)
    if lock:
        query = query.with_for_update()
    return (await connection.execute(query)).mappings().first()


async def owned_view(
    connection: AsyncConnection, hired_instance_id: str, raw_customer_id: str
) -> HiredAgentView:
    """The instance for its owner: 404 when missing, 400 without a customer, 404 for others."""
    view = await _view_where(connection, instances.c.hired_instance_id == hired_instance_id)
    if view is None:
        raise hired_agent_not_found()
    if owned_by_other(view.instance["customer_id"], require_owner_id(raw_customer_id)):
        raise hired_agent_not_found()
    return view


def require_view_readable(view: HiredAgentView, retention_days: int, at: datetime) -> None:
    require_readable(view.subscription_status, view.subscription_ended_at, retention_days, at)


async def writable_subscription(connection: AsyncConnection, subscription_id: str) -> RowMapping:
    """The instance's subscription, locked, refusing anything but an active one."""
    subscription = await find_subscription(connection, subscription_id, lock=True)
    if subscription is None:
        raise subscription_not_found(subscription_id)
    require_writable(subscription["status"])
    return subscription


@dataclass(frozen=True, slots=True)
class Draft:
    subscription_id: str
    agent_id: str
    customer_id: str
    nickname: str | None
    theme: str | None
    # None keeps the stored config (or {} on create); a dict replaces it.
    config: dict[str, Any] | None


async def upsert_draft(connection: AsyncConnection, draft: Draft, now: datetime) -> HiredAgentView:
    """Creates the subscription's instance or updates it; one instance per subscription."""
    theme = normalise_theme(draft.theme)
    customer_id = require_owner_id(draft.customer_id)
    subscription = await writable_subscription(connection, draft.subscription_id)
    existing = await _instance(
        connection, instances.c.subscription_id == draft.subscription_id, lock=True
    )
    if existing is None:
        created = await _create(connection, draft, customer_id, theme, now)
        if created is not None:
            return HiredAgentView.of(created, subscription)
        # Another request created it between our read and our insert: update that one.
        existing = await _instance(
            connection, instances.c.subscription_id == draft.subscription_id, lock=True
        )
        assert existing is not None
    return HiredAgentView.of(
        await _update(connection, existing, draft, customer_id, theme, now), subscription
    )


async def _create(
    connection: AsyncConnection, draft: Draft, customer_id: str, theme: str | None, now: datetime
) -> RowMapping | None:
    config = draft.config if draft.config is not None else {}
    require_refs_only(config)
    nickname = draft.nickname or None
    created = await connection.execute(
        upsert_insert(connection, instances)
        .values(
            hired_instance_id=f"HAI-{uuid.uuid4()}",
            subscription_id=draft.subscription_id,
            agent_id=draft.agent_id,
            customer_id=customer_id,
            nickname=nickname,
            theme=theme,
            config=config,
            configured=is_configured(nickname, theme, draft.agent_id, config),
            goals_completed=False,
            active=True,
            trial_status="not_started",
            trial_start_at=None,
            trial_end_at=None,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["subscription_id"])
        .returning(*instances.c)
    )
    return created.mappings().first()


async def _update(
    connection: AsyncConnection,
    existing: RowMapping,
    draft: Draft,
    customer_id: str,
    theme: str | None,
    now: datetime,
) -> RowMapping:
    if owned_by_other(existing["customer_id"], customer_id):
        raise permission_denied(
            "HIRED_AGENT_CUSTOMER_MISMATCH", "Hired agent instance does not belong to customer."
        )
    config = draft.config if draft.config is not None else existing["config"]
    require_refs_only(config)
    nickname = draft.nickname if draft.nickname is not None else existing["nickname"]
    theme = theme or existing["theme"]
    updated = await connection.execute(
        update(instances)
        .where(instances.c.hired_instance_id == existing["hired_instance_id"])
        .values(
            agent_id=draft.agent_id,
            customer_id=customer_id,
            nickname=nickname,
            theme=theme,
            config=config,
            configured=is_configured(nickname, theme, draft.agent_id, config),
            active=True,
            updated_at=now,
        )
        .returning(*instances.c)
    )
    return updated.mappings().one()


async def get_by_subscription(
    connection: AsyncConnection,
    subscription_id: str,
    raw_customer_id: str,
    retention_days: int,
    at: datetime,
) -> HiredAgentView:
    view = await _view_where(connection, instances.c.subscription_id == subscription_id)
    if view is None:
        raise hired_agent_not_found()
    if owned_by_other(view.instance["customer_id"], require_owner_id(raw_customer_id)):
        raise hired_agent_not_found()
    require_view_readable(view, retention_days, at)
    return view


async def record_transition(
    connection: AsyncConnection,
    instance: RowMapping,
    to_status: str,
    cause: str,
    now: datetime,
) -> None:
    await connection.execute(
        insert(transitions).values(
            hired_instance_id=instance["hired_instance_id"],
            from_status=instance["trial_status"],
            to_status=to_status,
            cause=cause,
            occurred_at=now,
        )
    )


async def finalize(
    connection: AsyncConnection,
    hired_instance_id: str,
    raw_customer_id: str,
    goals_completed: bool,
    now: datetime,
) -> HiredAgentView:
    """Completes the wizard; starts a 7-day trial when configured with goals completed."""
    instance = await _instance(
        connection, instances.c.hired_instance_id == hired_instance_id, lock=True
    )
    if instance is None:
        raise hired_agent_not_found()
    if owned_by_other(instance["customer_id"], require_owner_id(raw_customer_id)):
        raise hired_agent_not_found()
    require_refs_only(instance["config"])
    subscription = await writable_subscription(connection, instance["subscription_id"])
    configured = is_configured(
        instance["nickname"], instance["theme"], instance["agent_id"], instance["config"]
    )
    changes: dict[str, Any] = {
        "configured": configured,
        "goals_completed": goals_completed,
        "updated_at": now,
    }
    starts_trial = configured and goals_completed and instance["trial_status"] != "active"
    if starts_trial:
        changes |= {
            "trial_status": "active",
            "trial_start_at": now,
            "trial_end_at": now + TRIAL_LENGTH,
        }
        await record_transition(connection, instance, "active", "finalize", now)
        await emit(
            connection,
            now,
            "trial_activated",
            {"trial_start_at": now.isoformat(), "trial_end_at": (now + TRIAL_LENGTH).isoformat()},
            customer_id=instance["customer_id"],
            subscription_id=instance["subscription_id"],
            hired_instance_id=hired_instance_id,
        )
    updated = await connection.execute(
        update(instances)
        .where(instances.c.hired_instance_id == hired_instance_id)
        .values(**changes)
        .returning(*instances.c)
    )
    return HiredAgentView.of(updated.mappings().one(), subscription)


async def end_due_trials(connection: AsyncConnection, now: datetime, batch_size: int) -> int:
    """Ends one batch of expired trials (claimed with SKIP LOCKED); returns how many."""
    claimed = (
        (
            await connection.execute(
                select(instances, subscriptions.c.status.label("subscription_status"))
                .select_from(
                    instances.outerjoin(
                        subscriptions,
                        subscriptions.c.subscription_id == instances.c.subscription_id,
                    )
                )
                .where(instances.c.trial_status == "active", instances.c.trial_end_at <= now)
                .order_by(instances.c.trial_end_at, instances.c.hired_instance_id)
                .limit(batch_size)
                .with_for_update(skip_locked=True, of=instances)
            )
        )
        .mappings()
        .all()
    )
    for instance in claimed:
        await _end_trial(connection, instance, now)
    return len(claimed)


async def _end_trial(connection: AsyncConnection, instance: RowMapping, now: datetime) -> None:
    converted = instance["subscription_status"] == "active"
    next_status = "ended_converted" if converted else "ended_not_converted"
    await connection.execute(
        update(instances)
        .where(instances.c.hired_instance_id == instance["hired_instance_id"])
        .values(trial_status=next_status, updated_at=now)
    )
    await record_transition(connection, instance, next_status, "process_trial_end", now)
    await emit(
        connection,
        now,
        "trial_ended",
        {"next_status": next_status, "processed_at": now.isoformat()},
        customer_id=instance["customer_id"],
        subscription_id=instance["subscription_id"],
        hired_instance_id=instance["hired_instance_id"],
    )
