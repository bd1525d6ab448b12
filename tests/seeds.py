"""Rows for tests that seed many subscriptions and hired instances straight into the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from store_service.db.engine import create_engine
from store_service.db.models import HiredInstance, IdempotencyRecord, Subscription, table_of

START = datetime(2026, 1, 1, tzinfo=UTC)


def subscription_row(index: int, **overrides: Any) -> dict[str, Any]:
    """An active subscription SUB-{index:04d} of customer c{index}."""
    return {
        "subscription_id": f"SUB-{index:04d}",
        "agent_id": "AGT-1",
        "duration": "monthly",
        "customer_id": f"c{index}",
        "status": "active",
        "current_period_start": START,
        "current_period_end": START,
        "cancel_at_period_end": False,
        "ended_at": None,
    } | overrides


def instance_row(index: int, **overrides: Any) -> dict[str, Any]:
    """Hired instance HAI-{index:04d} of subscription SUB-{index:04d}, a bare draft."""
    return {
        "hired_instance_id": f"HAI-{index:04d}",
        "subscription_id": f"SUB-{index:04d}",
        "agent_id": "AGT-1",
        "customer_id": f"c{index}",
        "nickname": None,
        "theme": None,
        "config": "{}",
        "configured": False,
        "goals_completed": False,
        "active": True,
        "trial_status": "not_started",
        "trial_start_at": None,
        "trial_end_at": None,
        "created_at": START,
        "updated_at": START,
    } | overrides


def idempotency_row(index: int, **overrides: Any) -> dict[str, Any]:
    """Idempotency record key-{index} of a request answered at START."""
    return {
        "scope_key": f"key-{index}",
        "fingerprint": "0" * 64,
        "response": b"",
        "created_at": START,
    } | overrides


async def seed(
    database_url: str,
    subscriptions: Sequence[dict[str, Any]] = (),
    instances: Sequence[dict[str, Any]] = (),
    records: Sequence[dict[str, Any]] = (),
) -> None:
    """Inserts these rows (subscriptions first: instances refer to them)."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            for model, rows in (
                (Subscription, subscriptions),
                (HiredInstance, instances),
                (IdempotencyRecord, records),
            ):
                if rows:
                    await connection.execute(insert(table_of(model)), list(rows))
    finally:
        await engine.dispose()
