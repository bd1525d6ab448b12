"""The store's Prometheus metrics, in a registry of their own.

Not the default registry: the adapter's process imports store modules too (the typed client),
and must not export the store's gauges at zero (a scraper would read `database_up 0`).
"""

from __future__ import annotations

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)

from plant_store_client.version import register_build_info

REGISTRY = CollectorRegistry()
for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(collector)
register_build_info(REGISTRY)

RPC_REQUESTS = Counter(
    "plant_store_rpc_requests_total",
    "RPCs answered, by method and status code",
    ["method", "code"],
    registry=REGISTRY,
)
RPC_DURATION = Histogram(
    "plant_store_rpc_duration_seconds",
    "Time to answer an RPC",
    ["method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
POOL_CHECKED_OUT = Gauge(
    "plant_store_db_pool_checked_out", "Database connections in use by the store", registry=REGISTRY
)
POOL_SIZE = Gauge(
    "plant_store_db_pool_size", "Database connections the pool keeps", registry=REGISTRY
)
OUTBOX_BACKLOG = Gauge(
    "plant_store_outbox_backlog",
    "Notification events not yet acknowledged by a consumer",
    registry=REGISTRY,
)
DATABASE_UP = Gauge(
    "plant_store_database_up", "1 while the database answers, else 0", registry=REGISTRY
)
