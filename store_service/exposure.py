"""Who may call the store: a port others can reach needs a token (or client certificates)."""

from __future__ import annotations

import logging

from plant_store_client.configuration import UnsafeConfiguration
from plant_store_client.hosts import is_loopback_host
from store_service.config import StoreSettings

logger = logging.getLogger(__name__)


def is_loopback(listen: str) -> bool:
    """Whether only this machine can reach the address (a Unix socket or a loopback host)."""
    if listen.startswith(("unix:", "unix-abstract:")):
        return True
    return is_loopback_host(listen.rpartition(":")[0])


def require_authentication(settings: StoreSettings) -> None:
    """Refuses a tokenless store on a reachable address unless the operator opted out."""
    authenticated = settings.auth_token or settings.tls_client_ca_file
    if authenticated or is_loopback(settings.listen):
        return
    if not settings.allow_unauthenticated:
        raise UnsafeConfiguration(
            f"refusing to serve {settings.listen} without authentication: set STORE_AUTH_TOKEN "
            "(or PLANT_STORE_TLS_CLIENT_CA), listen on a loopback address, or set "
            "STORE_ALLOW_UNAUTHENTICATED=true to let anyone who reaches the port use it"
        )
    logger.warning(
        "STORE_ALLOW_UNAUTHENTICATED is set: serving %s WITHOUT AUTHENTICATION; anyone who "
        "reaches this port can read, change and purge all data",
        settings.listen,
    )
