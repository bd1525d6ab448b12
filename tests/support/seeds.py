"""Rows for tests that seed many subscriptions and hired instances straight into the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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
