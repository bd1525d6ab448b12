"""Which host names only this machine can reach."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """Whether the host is this machine's loopback (`localhost` or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        # All interfaces ("" or a wildcard) or a host name: reachable from elsewhere.
        return False
