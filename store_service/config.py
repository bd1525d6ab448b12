"""The store's settings, read once from the environment at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from store_service.db.lock_waits import DEFAULT_LOCK_WAIT_SECONDS

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


def _nonblank(raw: str | None, default: str) -> str:
    value = (raw or "").strip()
    return value or default


def masked_url(url: str) -> str:
    """The URL as it may be logged: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "an unparsable URL"


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
        env = os.environ if env is None else env
        mode = (env.get("PERSISTENCE_MODE") or "db").strip().lower()
        if mode not in ("db", "memory"):
            raise ValueError(f"PERSISTENCE_MODE must be 'db' or 'memory', not {mode!r}")
        return cls(
            database_url=_nonblank(env.get("DATABASE_URL"), DEFAULT_DATABASE_URL),
            persistence_mode=mode,
            listen=_nonblank(env.get("PLANT_STORE_LISTEN"), DEFAULT_LISTEN),
            metrics_listen=(env.get("PLANT_STORE_METRICS_LISTEN") or "").strip() or None,
            tls_cert_file=(env.get("PLANT_STORE_TLS_CERT") or "").strip() or None,
            tls_key_file=(env.get("PLANT_STORE_TLS_KEY") or "").strip() or None,
            tls_client_ca_file=(env.get("PLANT_STORE_TLS_CLIENT_CA") or "").strip() or None,
            auth_token=(env.get("STORE_AUTH_TOKEN") or "").strip() or None,
            allow_unauthenticated=_truthy(env.get("STORE_ALLOW_UNAUTHENTICATED"), "false"),
            shutdown_grace_seconds=float(env.get("STORE_SHUTDOWN_GRACE_SECONDS") or 10.0),
            end_retention_days=_retention_days(env.get("END_RETENTION_DAYS")),
            issue_gst_invoice=_truthy(env.get("ISSUE_GST_INVOICE"), "true"),
            seller_gstin=(env.get("SELLER_GSTIN") or "").strip() or None,
            seller_state_code=_nonblank(env.get("SELLER_GST_STATE_CODE"), "27"),
            seller_legal_name=_nonblank(env.get("SELLER_LEGAL_NAME"), "WAOOAW"),
            razorpay_key_secret=(env.get("RAZORPAY_KEY_SECRET") or "").strip() or None,
            razorpay_webhook_secret=(env.get("RAZORPAY_WEBHOOK_SECRET") or "").strip() or None,
            db_pool_size=int(env.get("STORE_DB_POOL_SIZE") or 20),
            lock_wait_seconds=float(
                env.get("STORE_LOCK_WAIT_SECONDS") or DEFAULT_LOCK_WAIT_SECONDS
            ),
            idempotency_retention_hours=float(env.get("IDEMPOTENCY_RETENTION_HOURS") or 48.0),
            outbox_retention_hours=float(env.get("OUTBOX_RETENTION_HOURS") or 168.0),
        )
