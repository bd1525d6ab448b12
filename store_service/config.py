"""The store's settings, read once from the environment at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from plant_store_client import settings_parsing as read
from store_service.database_urls import database_url
from store_service.db.lock_waits import DEFAULT_LOCK_WAIT_SECONDS
from store_service.domain.retention import MINIMUM_IDEMPOTENCY_RETENTION

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///plant_store.db"
DEFAULT_LISTEN = "127.0.0.1:50051"
MEMORY_DATABASE_URL = "sqlite+aiosqlite://"
TRUTHY = frozenset({"1", "true", "yes", "y"})


def normalise_database_url(url: str) -> str:
    """Selects the async driver for the plain URL forms operators usually write."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _retention_days(raw: str | None) -> int:
    try:
        days = int((raw or "").strip())
    except ValueError:
        return 30
    return max(days, 0)


def _truthy(raw: str | None, default: str) -> bool:
    return (raw or default).strip().lower() in TRUTHY


@dataclass(frozen=True, slots=True)
class StoreSettings:
    # Settings get printed by debuggers, tracebacks and careless log lines: fields holding a
    # secret (the database URL carries its password) are left out of the repr.

    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    # "memory": a fresh in-memory SQLite database, migrated at start-up, gone at exit.
    persistence_mode: str = "db"
    listen: str = DEFAULT_LISTEN
    # Where Prometheus scrapes /metrics (host:port); unset means no metrics endpoint.
    metrics_listen: str | None = None
    # TLS: the server's certificate and key (PEM files); with a client CA, callers must present
    # a certificate it signed (mutual TLS).
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    tls_client_ca_file: str | None = None
    auth_token: str | None = field(default=None, repr=False)
    # The explicit opt-out that lets a store serve a non-loopback address without a token.
    allow_unauthenticated: bool = False
    shutdown_grace_seconds: float = 10.0
    end_retention_days: int = 30
    issue_gst_invoice: bool = True
    seller_gstin: str | None = None
    seller_state_code: str = "27"
    seller_legal_name: str = "WAOOAW"
    razorpay_key_secret: str | None = field(default=None, repr=False)
    razorpay_webhook_secret: str | None = field(default=None, repr=False)
    db_pool_size: int = 20
    # The longest any statement waits for a lock (a call's deadline may make it shorter).
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
    # Idempotency records are replayable at least this long (never less than 24 h).
    idempotency_retention_hours: float = 48.0
    # Acknowledged outbox events are kept this long for debugging, then purged.
    outbox_retention_hours: float = 168.0

    @property
    def effective_database_url(self) -> str:
        if self.persistence_mode == "memory":
            return MEMORY_DATABASE_URL
        return normalise_database_url(self.database_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StoreSettings:
        """Every setting, parsed and checked: a wrong one raises InvalidSetting (one line)."""
        env = os.environ if env is None else env
        return cls(
            database_url=database_url(env, "DATABASE_URL", DEFAULT_DATABASE_URL),
            persistence_mode=read.choice(env, "PERSISTENCE_MODE", "db", ("db", "memory")),
            listen=read.listen_address(
                env, "PLANT_STORE_LISTEN", DEFAULT_LISTEN, unix_sockets=True
            ),
            metrics_listen=read.optional_listen_address(env, "PLANT_STORE_METRICS_LISTEN"),
            tls_cert_file=read.optional_text(env, "PLANT_STORE_TLS_CERT"),
            tls_key_file=read.optional_text(env, "PLANT_STORE_TLS_KEY"),
            tls_client_ca_file=read.optional_text(env, "PLANT_STORE_TLS_CLIENT_CA"),
            auth_token=read.token(env, "STORE_AUTH_TOKEN"),
            allow_unauthenticated=read.boolean(env, "STORE_ALLOW_UNAUTHENTICATED", False),
            shutdown_grace_seconds=read.number(
                env, "STORE_SHUTDOWN_GRACE_SECONDS", 10.0, at_least=0
            ),
            # Read as the contract says (section 3): leniently, at the value's use.
            end_retention_days=_retention_days(env.get("END_RETENTION_DAYS")),
            issue_gst_invoice=_truthy(env.get("ISSUE_GST_INVOICE"), "true"),
            seller_gstin=(env.get("SELLER_GSTIN") or "").strip() or None,
            seller_state_code=read.text(env, "SELLER_GST_STATE_CODE", "27"),
            seller_legal_name=read.text(env, "SELLER_LEGAL_NAME", "WAOOAW"),
            razorpay_key_secret=(env.get("RAZORPAY_KEY_SECRET") or "").strip() or None,
            razorpay_webhook_secret=(env.get("RAZORPAY_WEBHOOK_SECRET") or "").strip() or None,
            db_pool_size=read.integer(env, "STORE_DB_POOL_SIZE", 20, minimum=1, maximum=1000),
            lock_wait_seconds=read.number(
                env, "STORE_LOCK_WAIT_SECONDS", DEFAULT_LOCK_WAIT_SECONDS, above=0
            ),
            idempotency_retention_hours=read.number(
                env,
                "IDEMPOTENCY_RETENTION_HOURS",
                48.0,
                at_least=MINIMUM_IDEMPOTENCY_RETENTION / timedelta(hours=1),
            ),
            outbox_retention_hours=read.number(env, "OUTBOX_RETENTION_HOURS", 168.0, above=0),
        )
