"""Customer scoping rules shared by several aggregates."""

from __future__ import annotations

from plant_store_client.reasons import Reason
from store_service.domain.errors import invalid


def require_customer_id(raw: str) -> str:
    """The trimmed customer id of a billing or trial read; blank is refused."""
    customer_id = raw.strip()
    if not customer_id:
        raise invalid(Reason.CUSTOMER_ID_REQUIRED, "customer_id is required")
    return customer_id


def conflicting_customers(stored: str | None, given: str | None) -> bool:
    """Both sides name a customer and they differ (exact comparison, as the contract says)."""
    return bool(stored) and bool(given) and stored != given
