"""How long data is kept."""

from __future__ import annotations

from datetime import timedelta

from plant_store_client.reasons import Reason
from store_service.domain.errors import invalid

MINIMUM_IDEMPOTENCY_RETENTION = timedelta(hours=24)


def idempotency_retention(requested: timedelta | None, configured_hours: float) -> timedelta:
    """The requested retention, else the configured one; replays stay possible for 24 h."""
    retention = requested if requested else timedelta(hours=configured_hours)
    if retention < MINIMUM_IDEMPOTENCY_RETENTION:
        raise invalid(
            Reason.RETENTION_TOO_SHORT,
            "idempotency records are kept at least 24 hours",
            retention_seconds=str(int(retention.total_seconds())),
        )
    return retention
