"""Serves the adapter with uvicorn at PLANT_HTTP_LISTEN."""

from __future__ import annotations

import contextlib
import logging

import uvicorn

from http_adapter.app import create_app
from http_adapter.config import AdapterSettings
from http_adapter.observability import serve_metrics
from plant_store_client.collector import settle_after_start_up
from plant_store_client.settings_parsing import split_host_port
from plant_store_client.start_failures import StartFailure, bound_socket, listening
from plant_store_client.tracing import tracer_provider_from_env
from plant_store_client.version import VERSION

logger = logging.getLogger(__name__)


def serve_http() -> None:
    settings = AdapterSettings.from_env()
    host, port = split_host_port(settings.http_listen)
    # Bound here (as uvicorn would) so that a busy port is refused in one line naming
    # PLANT_HTTP_LISTEN, not logged by uvicorn on its way out.
    public = bound_socket("PLANT_HTTP_LISTEN", settings.http_listen)
    public.set_inheritable(True)
    app = create_app(settings, tracer_provider=tracer_provider_from_env("plant-adapter"))
    if settings.metrics_listen:
        with listening("PLANT_HTTP_METRICS_LISTEN", settings.metrics_listen):
            serve_metrics(settings.metrics_listen)
    settle_after_start_up()
    logger.info(
        "plant-store %s: adapter serving http://%s:%d, store at %s, metrics %s",
        VERSION,
        host,
        port,
        settings.store_target,
        settings.metrics_listen or "on the public port",
    )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        # Our JSON logging (configured by the CLI) stays in charge; requests are logged by
        # http_adapter.observability with their route and correlation id.
        log_config=None,
        access_log=False,
        # Nothing here reads the client's address; rewriting it from proxy headers costs time.
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    # What uvicorn.run does around Server.run: Ctrl-C ends quietly, and a server that never
    # started (the app's start-up failed, as logged) is a failed start, not a clean exit.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[public])
    if not server.started:
        raise StartFailure("the adapter did not start (its start-up failed: see the log)")
