"""Period keys: which draft of a goal a moment belongs to (5.11)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store_service.domain.values import trim

ON_DEMAND = "on_demand"


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def instance_zone(config: dict[str, object]) -> ZoneInfo:
    """The instance's configured time zone; unknown or missing zones are UTC."""
    return _zone(trim(config.get("timezone")) or "UTC")


def period_key(frequency: str, at: datetime, zone: ZoneInfo) -> str:
    kind = frequency.strip().lower()
    if kind not in ("daily", "weekly", "monthly"):
        return ON_DEMAND
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)
    if kind == "daily":
        return f"daily:{local:%Y-%m-%d}"
    if kind == "weekly":
        year, week, _ = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"monthly:{local:%Y-%m}"
