"""Hired agent rules: refs-only config, themes, agent classes, the configured flag, retention."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from plant_store_client.reasons import Reason
from store_service.domain.conversions import python_int
from store_service.domain.errors import failed_precondition, invalid, permission_denied
from store_service.domain.values import nonblank, trim

TRADING_AGENT_TYPE = "trading.delta_futures.v1"
MARKETING_AGENT_TYPE = "marketing.healthcare.v1"
THEMES = frozenset({"default", "dark", "light"})
SUPPORTED_PLATFORMS = frozenset(
    {"youtube", "instagram", "facebook", "linkedin", "whatsapp", "x", "twitter"}
)
SENSITIVE_KEYS = frozenset(
    {
        "api_key",
        "apikey",
        "api_secret",
        "client_secret",
        "access_token",
        "refresh_token",
        "password",
        "private_key",
        "secret_key",
    }
)
SENSITIVE_SUFFIXES = ("_token", "_secret", "_private_key", "_api_key", "_api_secret")
REFERENCE_SUFFIXES = ("_ref", "_id")
TRIAL_LENGTH = timedelta(days=7)


def _sensitive(key: str) -> bool:
    normalised = key.strip().lower()
    if normalised.endswith(REFERENCE_SUFFIXES):
        return False
    return normalised in SENSITIVE_KEYS or normalised.endswith(SENSITIVE_SUFFIXES)


def find_raw_secret(value: Any, path: str = "config") -> str | None:
    """The first path (depth-first, document order) holding a raw secret, or None (5.1)."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}"
            if _sensitive(key) and isinstance(item, str) and item.strip():
                return child
            found = find_raw_secret(item, child)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_raw_secret(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def require_refs_only(config: Any) -> None:
    path = find_raw_secret(config)
    if path is not None:
        raise invalid(
            Reason.RAW_SECRET_IN_CONFIG,
            f"Raw secrets are not allowed in Plant config (found at {path}). "
            "Use credential refs only.",
            path=path,
        )


def normalise_theme(theme: str | None) -> str | None:
    """The theme to store, or None when none was supplied (5.2)."""
    value = (theme or "").strip().lower()
    if not value:
        return None
    if value not in THEMES:
        raise invalid(Reason.UNSUPPORTED_THEME, "Unsupported theme.")
    return value


# Which agent type an agent id belongs to, by the prefix of its upper-cased id (5.3).
AGENT_TYPE_PREFIXES = (("AGT-TRD-", TRADING_AGENT_TYPE), ("AGT-MKT-", MARKETING_AGENT_TYPE))


def agent_type_for(agent_id: str) -> str | None:
    """The agent type an agent id belongs to, from its prefix (5.3)."""
    normalised = agent_id.strip().upper()
    for prefix, agent_type in AGENT_TYPE_PREFIXES:
        if normalised.startswith(prefix):
            return agent_type
    return None


def _nonblank_items(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [trim(item) for item in value if nonblank(item)]


def _positive_int(value: Any) -> bool:
    parsed = python_int(value)
    return parsed is not None and parsed > 0


def _trading_configured(config: dict[str, Any]) -> bool:
    coins = [coin.upper() for coin in _nonblank_items(config.get("allowed_coins"))]
    risk_limits = config.get("risk_limits")
    return (
        nonblank(config.get("timezone"))
        and trim(config.get("exchange_provider")) == "delta_exchange_india"
        and nonblank(config.get("exchange_credential_ref"))
        and bool(coins)
        and nonblank(config.get("default_coin"))
        and trim(config.get("default_coin")).upper() in coins
        and _positive_int(config.get("interval_seconds"))
        and isinstance(risk_limits, dict)
        and _positive_int(risk_limits.get("max_units_per_order"))
    )


def _credential_present(value: Any) -> bool:
    if isinstance(value, str):
        return nonblank(value)
    return isinstance(value, dict) and nonblank(value.get("credential_ref"))


def _legacy_platforms_configured(platforms: list[Any]) -> bool:
    return any(
        isinstance(entry, dict)
        and nonblank(entry.get("platform"))
        and trim(entry.get("platform")).lower() in SUPPORTED_PLATFORMS
        and nonblank(entry.get("credential_ref"))
        for entry in platforms
    )


def _schema_platforms_configured(config: dict[str, Any]) -> bool:
    enabled = config.get("platforms_enabled")
    credentials = config.get("platform_credentials")
    if not isinstance(enabled, list) or not isinstance(credentials, dict):
        return False
    kept = [
        trim(item).lower()
        for item in enabled
        if nonblank(item) and trim(item).lower() in SUPPORTED_PLATFORMS
    ]
    return bool(kept) and all(
        _credential_present(credentials.get(platform) or credentials.get(platform.upper()))
        for platform in kept
    )


def _marketing_configured(config: dict[str, Any]) -> bool:
    basics = all(
        nonblank(config.get(key))
        for key in ("primary_language", "timezone", "brand_name", "location")
    ) and bool(_nonblank_items(config.get("offerings_services")))
    if not basics:
        return False
    platforms = config.get("platforms")
    if isinstance(platforms, list) and platforms:
        return _legacy_platforms_configured(platforms)
    return _schema_platforms_configured(config)


def is_configured(
    nickname: str | None, theme: str | None, agent_id: str, config: dict[str, Any]
) -> bool:
    """The stored `configured` flag (5.4)."""
    if not (nonblank(nickname) and nonblank(theme)):
        return False
    agent_type = agent_type_for(agent_id)
    if agent_type == TRADING_AGENT_TYPE:
        return _trading_configured(config)
    if agent_type == MARKETING_AGENT_TYPE:
        return _marketing_configured(config)
    return True


def retention_expires_at(
    status: str | None, ended_at: datetime | None, retention_days: int
) -> datetime | None:
    if status != "canceled" or ended_at is None:
        return None
    return ended_at + timedelta(days=retention_days)


def require_readable(
    status: str | None, ended_at: datetime | None, retention_days: int, at: datetime
) -> None:
    """The 410 rules of 5.8: canceled data stays readable up to and including the expiry."""
    if status != "canceled":
        return
    if ended_at is None or retention_days <= 0 or at > ended_at + timedelta(days=retention_days):
        raise failed_precondition(
            Reason.HIRED_AGENT_DATA_GONE, "Hired agent data is no longer available."
        )


def require_writable(status: str | None) -> None:
    if status != "active":
        raise failed_precondition(
            Reason.HIRED_AGENT_READ_ONLY, "Subscription is not active; hired agent is read-only."
        )


def require_owner_id(raw: str) -> str:
    """The trimmed customer id of a hired-agent request; blank is refused."""
    customer_id = raw.strip()
    if not customer_id:
        raise invalid(Reason.HIRED_AGENT_CUSTOMER_ID_REQUIRED, "customer_id is required.")
    return customer_id


def owned_by_other(stored: str | None, customer_id: str) -> bool:
    return nonblank(stored) and trim(stored) != customer_id


def require_subscription_owner(subscription_customer_id: str | None, customer_id: str) -> None:
    """A draft may only attach an agent to a subscription without a customer or of the caller.
    The subscription keeps its customer id as sent: trimmed here like the draft's, so a client
    that sends one id with spaces to both is still its owner."""
    if owned_by_other(subscription_customer_id, customer_id):
        raise permission_denied(
            Reason.SUBSCRIPTION_CUSTOMER_MISMATCH, "Subscription does not belong to customer"
        )
