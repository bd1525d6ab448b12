"""PAYMENTS_MODE and ENVIRONMENT (contract section 3): which checkout the edge accepts."""

from __future__ import annotations

from http_adapter.config import AdapterSettings
from http_adapter.errors import ContractError

PRODUCTION = frozenset({"prod", "production"})


def resolved_mode(settings: AdapterSettings) -> str:
    mode = settings.payments_mode.strip().lower() or "coupon"
    if mode not in ("razorpay", "coupon"):
        raise ContractError(500, "Invalid PAYMENTS_MODE; expected 'razorpay' or 'coupon'.")
    if mode == "coupon" and settings.environment.strip().lower() in PRODUCTION:
        raise ContractError(500, "PAYMENTS_MODE=coupon is not allowed in production.")
    return mode


def require_mode(settings: AdapterSettings, mode: str, refusal: str) -> None:
    if resolved_mode(settings) != mode:
        raise ContractError(403, refusal)
