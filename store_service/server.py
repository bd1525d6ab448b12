"""The store's composition root: database, servicers, health, reflection, graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from types import ModuleType
from typing import TYPE_CHECKING

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection
from plant.store.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    deliverables_pb2,
    deliverables_pb2_grpc,
    events_pb2,
    events_pb2_grpc,
    hiring_pb2,
    hiring_pb2_grpc,
    maintenance_pb2,
    maintenance_pb2_grpc,
)
from prometheus_client import start_http_server

from plant_store_client.collector import settle_after_start_up
from plant_store_client.settings_parsing import reading_files, split_host_port
from plant_store_client.start_failures import listening, require_free
from plant_store_client.tracing import tracer_provider_from_env
from plant_store_client.version import VERSION
from store_service.config import StoreSettings
from store_service.database_urls import masked
from store_service.db.connect_failures import connect_failure
from store_service.db.database import Database
from store_service.db.migrate import current_revision, head_revision, is_known, migrate
from store_service.exposure import require_authentication
from store_service.metrics import (
    DATABASE_UP,
    OUTBOX_BACKLOG,
    POOL_CHECKED_OUT,
    POOL_SIZE,
    REGISTRY,
)
from store_service.rpc.billing import BillingServicer
from store_service.rpc.catalog import CatalogServicer
from store_service.rpc.deliverables import DeliverablesServicer
from store_service.rpc.events import EventsServicer
from store_service.rpc.hiring import HiringServicer
from store_service.rpc.interceptors import StoreInterceptor
from store_service.rpc.maintenance import MaintenanceServicer
from store_service.services import outbox
from store_service.services.units_of_work import Clock, UnitsOfWork, utc_now
from store_service.tls import SERVER_CERT, SERVER_CLIENT_CA, SERVER_KEY, server_credentials
from store_service.tracing import server_interceptors

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

logger = logging.getLogger(__name__)

API_MODULES: tuple[ModuleType, ...] = (
    catalog_pb2,
    billing_pb2,
    hiring_pb2,
    deliverables_pb2,
    events_pb2,
    maintenance_pb2,
)
HEALTH_PROBE_INTERVAL_SECONDS = 1.0
HEALTH_PROBE_TIMEOUT_SECONDS = 2.0
OUTBOX_PROBE_INTERVAL_SECONDS = 10.0
# While the database stays down, its reason is logged again this often.
DATABASE_DOWN_REMINDER_SECONDS = 10.0


def plant_service_names() -> list[str]:
    """Every service of the typed API, read from the generated descriptors."""
    return [
        service.full_name
        for module in API_MODULES
        for service in module.DESCRIPTOR.services_by_name.values()
    ]


class SchemaOutOfDate(RuntimeError):
    pass


class StoreServer:
    """A running store: serves until stop() is awaited."""

    def __init__(
        self,
        settings: StoreSettings,
        database: Database,
        clock: Clock,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        files = {
            SERVER_CERT: settings.tls_cert_file,
            SERVER_KEY: settings.tls_key_file,
            SERVER_CLIENT_CA: settings.tls_client_ca_file,
        }
        with reading_files(files):
            credentials = server_credentials(*files.values())
        require_authentication(settings)
        self.settings = settings
        self.database = database
        self.health = health_aio.HealthServicer()
        self.tracer_provider = tracer_provider
        self.server = grpc.aio.server(
            interceptors=[
                *server_interceptors(tracer_provider),
                StoreInterceptor(settings.auth_token),
            ],
            # Refuse to share a port: two stores on one address would split traffic silently.
            options=[("grpc.so_reuseport", 0)],
        )
        units = self.units = UnitsOfWork(database, clock)
        catalog_pb2_grpc.add_CatalogServiceServicer_to_server(CatalogServicer(units), self.server)
        billing_pb2_grpc.add_BillingServiceServicer_to_server(
            BillingServicer(units, settings), self.server
        )
        events_pb2_grpc.add_EventsServiceServicer_to_server(EventsServicer(units), self.server)
        deliverables_pb2_grpc.add_DeliverablesServiceServicer_to_server(
            DeliverablesServicer(units, settings), self.server
        )
        hiring_pb2_grpc.add_HiringServiceServicer_to_server(
            HiringServicer(units, settings), self.server
        )
        maintenance_pb2_grpc.add_MaintenanceServiceServicer_to_server(
            MaintenanceServicer(units, settings), self.server
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [
                *plant_service_names(),
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ],
            self.server,
        )
        self.port = self._listen(settings.listen, credentials)
        self._monitors: list[asyncio.Task[None]] = []
        self._serving = False
        POOL_CHECKED_OUT.set_function(lambda: float(database.checked_out()))
        POOL_SIZE.set_function(lambda: float(database.pool_size))

    @property
    def _security(self) -> str:
        if not (self.settings.tls_cert_file and self.settings.tls_key_file):
            return "plaintext"
        return "mutual TLS" if self.settings.tls_client_ca_file else "TLS"

    def _listen(self, listen: str, credentials: grpc.ServerCredentials | None) -> int:
        require_free("PLANT_STORE_LISTEN", listen)
        with listening("PLANT_STORE_LISTEN", listen):
            if credentials is None:
                port: int = self.server.add_insecure_port(listen)
            else:
                port = self.server.add_secure_port(listen, credentials)
        return port

    async def start(self) -> None:
        if self.settings.metrics_listen:
            # First: a busy metrics port stops the store before it touches the database.
            host, port = split_host_port(self.settings.metrics_listen)
            with listening("PLANT_STORE_METRICS_LISTEN", self.settings.metrics_listen):
                start_http_server(port, addr=host, registry=REGISTRY)
        await self._prepare_schema()
        problem = await self._database_problem()
        self._serving = problem is None
        await self._set_health(self._serving)
        await self.server.start()
        self._monitors = [
            asyncio.create_task(self._watch_database(problem)),
            asyncio.create_task(self._watch_outbox()),
        ]
        logger.info(
            "plant-store %s: store listening on %s (port %d, %s), database %s, metrics %s",
            VERSION,
            self.settings.listen,
            self.port,
            self._security,
            masked(self.settings.effective_database_url),
            self.settings.metrics_listen or "off",
        )

    async def _prepare_schema(self) -> None:
        if self.settings.persistence_mode == "memory":
            logger.warning(
                "PERSISTENCE_MODE=memory: data lives in process memory and is LOST at exit"
            )
            await migrate(self.database.engine)
            return
        try:
            async with self.database.engine.connect() as connection:
                revision = await current_revision(connection)
        except Exception as error:
            # Served NOT_SERVING meanwhile; _watch_database keeps saying why until it answers.
            logger.warning("%s; serving NOT_SERVING", self._why(error))
            return
        if revision == head_revision():
            return
        if revision is None:
            raise SchemaOutOfDate("the database has no schema: run `plant-store migrate` first")
        if not is_known(revision):
            raise SchemaOutOfDate(
                f"database schema {revision!r} is newer than this code ({head_revision()!r}): "
                "deploy the code that migrated it"
            )
        raise SchemaOutOfDate(
            f"database schema is at {revision!r}, code expects {head_revision()!r}: "
            "run `plant-store migrate` first"
        )

    async def _watch_outbox(self) -> None:
        while True:
            # While the database is down _watch_database says so; the probe would only repeat it.
            if self._serving:
                with contextlib.suppress(Exception):
                    OUTBOX_BACKLOG.set(await outbox.backlog(self.units))
            await asyncio.sleep(OUTBOX_PROBE_INTERVAL_SECONDS)

    async def _set_health(self, serving: bool) -> None:
        DATABASE_UP.set(1 if serving else 0)
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        # The overall status goes last: whoever sees it also sees every service's.
        for name in (*plant_service_names(), ""):
            await self.health.set(name, status)

    def _why(self, error: BaseException) -> str:
        """Why the database cannot be used, in one line (its URL's password masked)."""
        url = self.settings.effective_database_url
        return connect_failure(error, url) or (
            f"DATABASE_URL={masked(url)}: unusable ({type(error).__qualname__})"
        )

    async def _database_problem(self) -> str | None:
        """None while the database answers; otherwise why it does not."""
        try:
            await asyncio.wait_for(self.database.ping(), HEALTH_PROBE_TIMEOUT_SECONDS)
        except Exception as error:
            return self._why(error)
        return None

    async def _watch_database(self, problem: str | None) -> None:
        """Probes the database every second; says when its state or the reason changes, and
        repeats the reason while it lasts, so a log read at any time tells why."""
        loop = asyncio.get_running_loop()
        said_at = loop.time()
        while True:
            await asyncio.sleep(HEALTH_PROBE_INTERVAL_SECONDS)
            latest = await self._database_problem()
            if latest is None and problem is not None:
                logger.info("database answers: SERVING")
            elif latest is not None and (
                latest != problem or loop.time() - said_at >= DATABASE_DOWN_REMINDER_SECONDS
            ):
                logger.warning("%s; NOT_SERVING, retrying", latest)
                said_at = loop.time()
            problem = latest
            if (problem is None) != self._serving:
                self._serving = problem is None
                await self._set_health(self._serving)

    async def stop(self, grace: float | None = None) -> None:
        """Stops accepting calls, lets in-flight calls finish within the grace, then lets go."""
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        for monitor in self._monitors:
            monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await monitor
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        await self.database.dispose()
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()


def build_store(
    settings: StoreSettings,
    database: Database | None = None,
    clock: Clock = utc_now,
    tracer_provider: TracerProvider | None = None,
) -> StoreServer:
    if database is None:
        database = Database.from_url(
            settings.effective_database_url,
            pool_size=settings.db_pool_size,
            lock_wait_seconds=settings.lock_wait_seconds,
        )
    return StoreServer(settings, database, clock, tracer_provider)


async def serve(settings: StoreSettings) -> None:
    """Runs the store until SIGTERM or SIGINT."""
    store = build_store(settings, tracer_provider=tracer_provider_from_env("plant-store"))
    await store.start()
    settle_after_start_up()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    logger.info("shutting down: draining in-flight calls")
    await store.stop()
    logger.info("store stopped")
