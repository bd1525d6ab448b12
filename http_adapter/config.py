"""The adapter's settings, read once from the environment at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from plant_store_client import client_settings
from plant_store_client import settings_parsing as read
from plant_store_client.client_settings import DEFAULT_STORE_TARGET
from plant_store_client.configuration import UnsafeConfiguration
from plant_store_client.hosts import is_loopback_host
from plant_store_client.tls import ClientTls

DEFAULT_HTTP_LISTEN = "127.0.0.1:8000"
# Request bodies past these sizes are refused with 413 before they are read whole; Razorpay's
# webhook events are a few kilobytes.
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_MAX_WEBHOOK_BODY_BYTES = 65_536


@dataclass(frozen=True, slots=True)
class AdapterSettings:
    # Fields holding a secret are left out of the repr (see StoreSettings).
    store_target: str = DEFAULT_STORE_TARGET
    http_listen: str = DEFAULT_HTTP_LISTEN
    # host:port of a separate /metrics listener; unset: /metrics on the public port.
    metrics_listen: str | None = None
    # Every store call gets this deadline; past it the client gets 504.
    store_deadline_seconds: float = 10.0
    store_auth_token: str | None = field(default=None, repr=False)
    store_tls: ClientTls | None = None
    use_agent_type_db: bool = False
    # Payments (contract section 3): checked per request against these start-up values.
    payments_mode: str = ""
    environment: str = ""
    razorpay_key_id: str = ""
    razorpay_key_secret: str = field(default="", repr=False)
    razorpay_api_base: str = "https://api.razorpay.com"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_webhook_body_bytes: int = DEFAULT_MAX_WEBHOOK_BODY_BYTES
    # The whole Orders API exchange (contract 5.18: 10 s); tests build settings with less.
    razorpay_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        _require_https(self.razorpay_api_base)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AdapterSettings:
        """Every setting, parsed and checked: a wrong one raises InvalidSetting (one line)."""
        env = os.environ if env is None else env
        return cls(
            store_target=client_settings.store_target(env),
            http_listen=read.listen_address(env, "PLANT_HTTP_LISTEN", DEFAULT_HTTP_LISTEN),
            metrics_listen=read.optional_listen_address(env, "PLANT_HTTP_METRICS_LISTEN"),
            store_deadline_seconds=read.number(env, "PLANT_STORE_DEADLINE_SECONDS", 10.0, above=0),
            store_auth_token=read.token(env, "STORE_AUTH_TOKEN"),
            store_tls=client_settings.client_tls(env),
            # The contract's reading (section 3): anything but "true" is false.
            use_agent_type_db=(env.get("USE_AGENT_TYPE_DB") or "").lower() == "true",
            # Checked per request, as the contract says (section 3), not here.
            payments_mode=env.get("PAYMENTS_MODE") or "",
            environment=env.get("ENVIRONMENT") or "",
            razorpay_key_id=(env.get("RAZORPAY_KEY_ID") or "").strip(),
            razorpay_key_secret=(env.get("RAZORPAY_KEY_SECRET") or "").strip(),
            razorpay_api_base=(env.get("RAZORPAY_API_BASE") or "https://api.razorpay.com").strip(),
            max_body_bytes=read.integer(
                env, "PLANT_HTTP_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, minimum=1
            ),
            max_webhook_body_bytes=read.integer(
                env,
                "PLANT_HTTP_MAX_WEBHOOK_BODY_BYTES",
                DEFAULT_MAX_WEBHOOK_BODY_BYTES,
                minimum=1,
            ),
        )


def _require_https(api_base: str) -> None:
    """Key pairs travel to RAZORPAY_API_BASE: plain http only to this machine (a stand-in)."""
    url = httpx.URL(api_base)
    if url.scheme == "https" or (url.scheme == "http" and is_loopback_host(url.host)):
        return
    raise UnsafeConfiguration(
        f"RAZORPAY_API_BASE must be an https URL (http only on loopback), not {api_base!r}"
    )
