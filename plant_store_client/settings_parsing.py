"""One parser per kind of setting, shared by the store, the adapter and the command's jobs.

Each reads one environment variable and refuses a value it cannot use with InvalidSetting: one
line naming the variable, the value it got (a secret never shown; the store's DATABASE_URL,
store_service/database_urls.py, with its password masked) and
what would be accepted. A process that starts has therefore read every setting as meant: a typo
is refused, never read as a default or as false.

Settings the REST contract reads leniently at request time (contract section 3: PAYMENTS_MODE,
ENVIRONMENT, END_RETENTION_DAYS, ISSUE_GST_INVOICE, USE_AGENT_TYPE_DB, ...) keep the contract's
reading and are not parsed here.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from plant_store_client.configuration import UnsafeConfiguration

TRUE = frozenset({"1", "true", "yes", "y", "on"})
FALSE = frozenset({"0", "false", "no", "n", "off"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# gRPC target prefixes other than host:port (https://grpc.github.io/grpc/core/md_doc_naming.html).
GRPC_TARGET_SCHEMES = ("dns:", "unix:", "unix-abstract:", "ipv4:", "ipv6:", "vsock:", "xds:")
LISTEN_EXAMPLE = "host:port with a port from 1 to 65535, e.g. 127.0.0.1:8000 or [::]:8000"
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:\[\]/]*):(?P<port>\d{1,5})$")


class InvalidSetting(UnsafeConfiguration):
    """A setting with a value the process cannot use (the message is the one line to print)."""

    def __init__(self, name: str, shown: str, accepted: str) -> None:
        super().__init__(f"{name}={shown} is not accepted: expected {accepted}")


def _given(env: Mapping[str, str], name: str) -> str | None:
    """The trimmed value; None when unset or blank (blank means "the default" throughout)."""
    return (env.get(name) or "").strip() or None


def text(env: Mapping[str, str], name: str, default: str) -> str:
    return _given(env, name) or default


def optional_text(env: Mapping[str, str], name: str) -> str | None:
    return _given(env, name)


def integer(
    env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    raw = _given(env, name)
    if raw is None:
        return default
    accepted = f"a whole number from {minimum}" + (f" to {maximum}" if maximum else " up")
    try:
        value = int(raw)
    except ValueError:
        raise InvalidSetting(name, repr(raw), accepted) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise InvalidSetting(name, repr(raw), accepted)
    return value


def number(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    above: float | None = None,
    at_least: float | None = None,
) -> float:
    """A finite number (seconds, hours): above `above`, or at least `at_least`."""
    raw = _given(env, name)
    if raw is None:
        return default
    accepted = "a number " + (
        f"greater than {above:g}" if above is not None else f"of at least {at_least:g}"
    )
    try:
        value = float(raw)
    except ValueError:
        raise InvalidSetting(name, repr(raw), accepted) from None
    too_small = (above is not None and value <= above) or (
        at_least is not None and value < at_least
    )
    if not math.isfinite(value) or too_small:
        raise InvalidSetting(name, repr(raw), accepted)
    return value


def boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _given(env, name)
    if raw is None:
        return default
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise InvalidSetting(name, repr(raw), "true or false (also 1/0, yes/no, on/off)")


def choice(env: Mapping[str, str], name: str, default: str, choices: Collection[str]) -> str:
    """One of `choices` (lower case), read case-insensitively."""
    raw = _given(env, name)
    if raw is None:
        return default
    if raw.lower() not in choices:
        raise InvalidSetting(name, repr(raw), " or ".join(repr(each) for each in choices))
    return raw.lower()


def log_level(env: Mapping[str, str] = os.environ) -> str:
    """LOG_LEVEL: a logging level name, upper case."""
    return choice(env, "LOG_LEVEL", "info", [level.lower() for level in LOG_LEVELS]).upper()


def host_port(address: str) -> tuple[str, int] | None:
    """`host:port` (an IPv6 host in brackets; a blank host means this machine's loopback) or
    None when the address is not one or its port is out of range."""
    matched = _HOST_PORT.match(address)
    if matched is None or not 1 <= int(matched["port"]) <= 65535:
        return None
    return matched["host"].strip("[]") or "127.0.0.1", int(matched["port"])


def split_host_port(address: str) -> tuple[str, int]:
    """The host and port of an address already checked (listen_address, grpc_target)."""
    parsed = host_port(address)
    if parsed is None:
        raise ValueError(f"not host:port: {address!r}")
    return parsed


def listen_address(
    env: Mapping[str, str], name: str, default: str, *, unix_sockets: bool = False
) -> str:
    """Where to listen: host:port (the store's gRPC port also takes `unix:PATH`)."""
    value = text(env, name, default)
    if unix_sockets and value.startswith(("unix:", "unix-abstract:")):
        return value
    if host_port(value) is None:
        accepted = LISTEN_EXAMPLE + (", or unix:PATH" if unix_sockets else "")
        raise InvalidSetting(name, repr(value), accepted)
    return value


def optional_listen_address(env: Mapping[str, str], name: str) -> str | None:
    if _given(env, name) is None:
        return None
    return listen_address(env, name, "")


def grpc_target(env: Mapping[str, str], name: str, default: str) -> str:
    """The store's address: host:port, or a gRPC name such as dns:///host:port or unix:PATH."""
    value = text(env, name, default)
    if value.startswith(GRPC_TARGET_SCHEMES) or host_port(value) is not None:
        return value
    raise InvalidSetting(
        name, repr(value), "host:port (port 1 to 65535), or a gRPC name such as dns:///host:port"
    )


def readable_file(env: Mapping[str, str], name: str) -> str | None:
    """The path of a file the process must read (a certificate, a key); None when unset."""
    path = _given(env, name)
    if path is not None and not (os.path.isfile(path) and os.access(path, os.R_OK)):
        raise InvalidSetting(name, repr(path), "the path of a readable file")
    return path


@contextmanager
def reading_files(named: Mapping[str, str | None]) -> Iterator[None]:
    """Turns a file that cannot be read into InvalidSetting naming the variable that named it
    (`named`: variable -> path), for files read where they are used."""
    try:
        yield
    except OSError as error:
        names = [name for name, path in named.items() if path and path == error.filename]
        if not names:
            raise
        accepted = f"the path of a readable file ({error.strerror})"
        raise InvalidSetting(names[0], repr(error.filename), accepted) from error


def token(env: Mapping[str, str], name: str) -> str | None:
    """A bearer token: sent as gRPC metadata, so printable ASCII without spaces. Never shown."""
    value = _given(env, name)
    if value is not None and not (value.isascii() and value.isprintable() and " " not in value):
        raise InvalidSetting(
            name, "(a secret, not shown)", "printable ASCII characters without spaces"
        )
    return value
