"""The adapter's settings, read once from the environment at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from store_service.tls import ClientTls

DEFAULT_STORE_TARGET = "127.0.0.1:50051"
DEFAULT_HTTP_LISTEN = "127.0.0.1:8000"
# Request bodies past these sizes are refused with 413 before they are read whole; Razorpay's
# webhook events are a few kilobytes.
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_MAX_WEBHOOK_BODY_BYTES = 65_536


@dataclass(frozen=True, slots=True)
class AdapterSettings:
    store_target: str = DEFAULT_STORE_TARGET
    http_listen: str = DEFAULT_HTTP_LISTEN
    # Every store call gets this deadline; past it the client gets 504.
    store_deadline_seconds: float = 10.0
    store_auth_token: str | None = None
    store_tls: ClientTls | None = None
    use_agent_type_db: bool = False
    # Payments (contract section 3): checked per request against these start-up values.
    payments_mode: str = ""
    environment: str = ""
    razorpay_key_id: str = ""
    razorpay_key_secret: str = ""
    razorpay_api_base: str = "https://api.razorpay.com"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_webhook_body_bytes: int = DEFAULT_MAX_WEBHOOK_BODY_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AdapterSettings:
        env = os.environ if env is None else env
        return cls(
            store_target=(env.get("PLANT_STORE_TARGET") or DEFAULT_STORE_TARGET).strip(),
            http_listen=(env.get("PLANT_HTTP_LISTEN") or DEFAULT_HTTP_LISTEN).strip(),
            store_deadline_seconds=float(env.get("PLANT_STORE_DEADLINE_SECONDS") or 10.0),
            store_auth_token=(env.get("STORE_AUTH_TOKEN") or "").strip() or None,
            store_tls=ClientTls.from_env(env),
            use_agent_type_db=(env.get("USE_AGENT_TYPE_DB") or "").lower() == "true",
            payments_mode=env.get("PAYMENTS_MODE") or "",
            environment=env.get("ENVIRONMENT") or "",
            razorpay_key_id=(env.get("RAZORPAY_KEY_ID") or "").strip(),
            razorpay_key_secret=(env.get("RAZORPAY_KEY_SECRET") or "").strip(),
            razorpay_api_base=(env.get("RAZORPAY_API_BASE") or "https://api.razorpay.com").strip(),
            max_body_bytes=int(env.get("PLANT_HTTP_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
            max_webhook_body_bytes=int(
                env.get("PLANT_HTTP_MAX_WEBHOOK_BODY_BYTES") or DEFAULT_MAX_WEBHOOK_BODY_BYTES
            ),
        )


def split_host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)
