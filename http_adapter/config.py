"""The adapter's settings, read once from the environment at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_STORE_TARGET = "127.0.0.1:50051"
DEFAULT_HTTP_LISTEN = "127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class AdapterSettings:
    store_target: str = DEFAULT_STORE_TARGET
    http_listen: str = DEFAULT_HTTP_LISTEN
    # Every store call gets this deadline; past it the client gets 504.
    store_deadline_seconds: float = 10.0
    store_auth_token: str | None = None
    use_agent_type_db: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AdapterSettings:
        env = os.environ if env is None else env
        return cls(
            store_target=(env.get("PLANT_STORE_TARGET") or DEFAULT_STORE_TARGET).strip(),
            http_listen=(env.get("PLANT_HTTP_LISTEN") or DEFAULT_HTTP_LISTEN).strip(),
            store_deadline_seconds=float(env.get("PLANT_STORE_DEADLINE_SECONDS") or 10.0),
            store_auth_token=(env.get("STORE_AUTH_TOKEN") or "").strip() or None,
            use_agent_type_db=(env.get("USE_AGENT_TYPE_DB") or "").lower() == "true",
        )


def split_host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)
