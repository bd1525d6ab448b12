"""Why a process could not start, said in one line; the traceback only at LOG_LEVEL=DEBUG.

Exit codes of `plant-store`: 2 for a configuration it refuses (a wrong setting or argument, a
schema it must not serve), 1 for a start-up that failed at run time (a busy port, a database
that cannot be reached or used) and for a store call that failed.
"""

from __future__ import annotations

import errno
import logging
import socket
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from plant_store_client import settings_parsing as read

CONFIGURATION = 2
RUNTIME = 1
EXIT_STATUS = """exit status:
  0  done
  2  a setting or argument refused (one line on stderr names it and what is accepted)
  1  a start-up that failed at run time (a busy port, an unusable database), a failed store call
LOG_LEVEL=DEBUG adds the traceback to the line."""


class StartFailure(RuntimeError):
    """The process cannot start as configured; the message is the one line to print."""


def report(command: str, error: BaseException, code: int) -> int:
    """Prints `error` as one line on stderr (and its traceback at DEBUG); returns `code`."""
    print(f"plant-store {command}: {error}", file=sys.stderr)
    if logging.getLogger().isEnabledFor(logging.DEBUG):
        traceback.print_exception(error, file=sys.stderr)
    return code


def bound_socket(variable: str, address: str) -> socket.socket:
    """A socket bound to `address` (a host:port already checked), or StartFailure naming
    `variable` when nothing here can listen there."""
    host, port = read.split_host_port(address)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    bound = socket.socket(family, socket.SOCK_STREAM)
    # As gRPC and uvicorn bind: a port left in TIME_WAIT by a previous run is free.
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        with listening(variable, address):
            bound.bind((host, port))
    except StartFailure:
        bound.close()
        raise
    return bound


def require_free(variable: str, address: str) -> None:
    """Refuses (StartFailure) a host:port nothing here can listen on, before gRPC tries: its
    C core would log a line of its own and then only say that binding failed."""
    if read.host_port(address) is None:  # a Unix socket: gRPC's own refusal is all there is
        return
    bound_socket(variable, address).close()


def _reason(error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return "the address is already in use (another process listens there)"
    if error.errno == errno.EADDRNOTAVAIL:
        return "no interface of this machine has that address"
    if error.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges)"
    return error.strerror or str(error)


@contextmanager
def listening(variable: str, address: str) -> Iterator[None]:
    """Turns a failure to listen at `address` into a StartFailure naming its setting."""
    try:
        yield
    except OSError as error:
        raise StartFailure(f"cannot listen on {variable}={address}: {_reason(error)}") from error
    except RuntimeError as error:  # gRPC: "Failed to bind to address ..."
        raise StartFailure(f"cannot listen on {variable}={address}: {error}") from error
