"""Every environment variable the `plant-store` processes read, for `--help` and the README.

Settings are read where they are used (store_service/config.py, http_adapter/config.py, …); this
catalog is what an operator sees. tests/store/test_command.py keeps it complete: a variable
read anywhere in the code but missing here, or missing from the README's table, fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    default: str
    meaning: str


LOGGING = (
    Variable("LOG_LEVEL", "INFO", "JSON log threshold; WARNING drops per-request access lines"),
    Variable("OTEL_TRACES_EXPORTER", "unset", "otlp or console turns on tracing (OTEL_* apply)"),
    Variable("OTEL_SERVICE_NAME", "per process", "the service name traces carry"),
)
CLIENT = (
    Variable("PLANT_STORE_TARGET", "127.0.0.1:50051", "the store's gRPC target"),
    Variable("STORE_AUTH_TOKEN", "unset", "bearer token sent to (and required by) the store"),
    Variable("PLANT_STORE_TLS_CA", "unset", "CA that signed the store's certificate (TLS on)"),
    Variable("PLANT_STORE_TLS_CLIENT_CERT", "unset", "client certificate, for mutual TLS"),
    Variable("PLANT_STORE_TLS_CLIENT_KEY", "unset", "client key, for mutual TLS"),
)
DATABASE = (
    Variable("DATABASE_URL", "sqlite+aiosqlite:///plant_store.db", "the database (or SQLite)"),
    Variable("PERSISTENCE_MODE", "db", "memory: a fresh in-memory database, lost at exit"),
)
STORE = (
    *DATABASE,
    Variable("PLANT_STORE_LISTEN", "127.0.0.1:50051", "where the store listens"),
    Variable("STORE_AUTH_TOKEN", "unset", "when set, every RPC but health needs it"),
    Variable(
        "STORE_ALLOW_UNAUTHENTICATED", "false", "true: serve a non-loopback address tokenless"
    ),
    Variable("PLANT_STORE_TLS_CERT", "unset", "the store's certificate (PEM)"),
    Variable("PLANT_STORE_TLS_KEY", "unset", "the store's private key (PEM)"),
    Variable("PLANT_STORE_TLS_CLIENT_CA", "unset", "CA of client certificates (mutual TLS)"),
    Variable("PLANT_STORE_METRICS_LISTEN", "unset", "host:port of the store's /metrics"),
    Variable("STORE_DB_POOL_SIZE", "20", "database connections per store process"),
    Variable("STORE_LOCK_WAIT_SECONDS", "2", "longest wait for a row lock (LOCK_TIMEOUT past it)"),
    Variable("STORE_SHUTDOWN_GRACE_SECONDS", "10", "how long SIGTERM lets calls finish"),
    Variable("IDEMPOTENCY_RETENTION_HOURS", "48", "how long write answers stay replayable"),
    Variable("OUTBOX_RETENTION_HOURS", "168", "how long acknowledged events are kept"),
    Variable("END_RETENTION_DAYS", "30", "how long ended hired agents are kept"),
    Variable("ISSUE_GST_INVOICE", "true", "whether checkouts issue invoices"),
    Variable("SELLER_GSTIN", "unset", "the seller's GSTIN on invoices"),
    Variable("SELLER_GST_STATE_CODE", "27", "the seller's GST state code"),
    Variable("SELLER_LEGAL_NAME", "WAOOAW", "the seller's name on invoices"),
    Variable("RAZORPAY_KEY_SECRET", "unset", "verifies checkout signatures"),
    Variable("RAZORPAY_WEBHOOK_SECRET", "unset", "verifies webhook signatures"),
    *LOGGING,
)
ADAPTER = (
    Variable("PLANT_HTTP_LISTEN", "127.0.0.1:8000", "where the REST API listens"),
    Variable("PLANT_HTTP_METRICS_LISTEN", "unset", "host:port of /metrics, off the public port"),
    Variable("PLANT_HTTP_MAX_BODY_BYTES", "1048576", "largest request body (413 past it)"),
    Variable("PLANT_HTTP_MAX_WEBHOOK_BODY_BYTES", "65536", "largest Razorpay webhook body"),
    *CLIENT,
    Variable("PLANT_STORE_DEADLINE_SECONDS", "10", "deadline of every store call (504 past it)"),
    Variable("USE_AGENT_TYPE_DB", "false", "true serves /agent-types-db from the registry"),
    Variable("PAYMENTS_MODE", "coupon", "which checkout the REST API accepts"),
    Variable("ENVIRONMENT", "unset", "the deployment's name (payments mode rules)"),
    Variable("RAZORPAY_KEY_ID", "unset", "Razorpay Orders API key id"),
    Variable("RAZORPAY_KEY_SECRET", "unset", "Razorpay Orders API key secret"),
    Variable("RAZORPAY_API_BASE", "https://api.razorpay.com", "where the Orders API is"),
    *LOGGING,
)
JOB = (*CLIENT, Variable("LOG_LEVEL", "INFO", "JSON log threshold"))


def unique(variables: Iterable[Variable]) -> tuple[Variable, ...]:
    """The first entry of each name: `run` lists the store's and the adapter's together."""
    seen: dict[str, Variable] = {}
    for variable in variables:
        seen.setdefault(variable.name, variable)
    return tuple(seen.values())


def describe(variables: Iterable[Variable]) -> str:
    """The `environment:` section of a subcommand's help."""
    listed = unique(variables)
    width = max(len(variable.name) for variable in listed)
    lines = [
        f"  {variable.name:<{width}}  {variable.meaning} (default: {variable.default})"
        for variable in listed
    ]
    return "environment:\n" + "\n".join(lines)
