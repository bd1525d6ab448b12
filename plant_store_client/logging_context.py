"""Structured logs: one JSON object a line, each carrying the caller's correlation id.

The correlation id travels through a call in a context variable (set by the store's
interceptor, and by the adapter for its requests); every record made meanwhile carries it.
"""

from __future__ import annotations

import logging
import traceback
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")

# A caller's correlation id is theirs to choose; what we log and forward is bounded and
# printable ASCII (gRPC metadata refuses anything else, and a log line should not grow with it).
MAX_CORRELATION_ID = 128


def printable_correlation_id(value: str) -> str:
    """`value` with anything but printable ASCII escaped, cut to MAX_CORRELATION_ID characters."""
    if not (value.isascii() and value.isprintable()):
        value = "".join(
            character
            if character.isascii() and character.isprintable()
            else character.encode("unicode_escape").decode("ascii")
            for character in value[:MAX_CORRELATION_ID]
        )
    return value[:MAX_CORRELATION_ID]


_base_factory = logging.getLogRecordFactory()


def _record_with_correlation_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.correlation_id = correlation_id.get()
    return record


# Every record made while serving a call knows the caller's correlation id, whoever logs it.
if logging.getLogRecordFactory() is _base_factory:
    logging.setLogRecordFactory(_record_with_correlation_id)


# uvicorn adds `color_message`, the message with ANSI colour codes: not for JSON lines.
NOT_LOGGED = (*RESERVED_ATTRS, "color_message")


def failure(error: BaseException) -> dict[str, str]:
    """Log fields for a failure: its class (and its cause's) and where it was raised.

    Never its message: exception texts quote the values involved (a customer's documents, a
    secret in a goal's settings, a statement's parameters)."""
    cause = error.__cause__
    classes = " from ".join(type(each).__qualname__ for each in (error, cause) if each is not None)
    return {"error": classes, "stack": "".join(traceback.format_tb(error.__traceback__))}


def json_formatter(service: str) -> logging.Formatter:
    return OrjsonFormatter(
        "{levelname}{name}{message}{correlation_id}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        static_fields={"service": service},
        reserved_attrs=NOT_LOGGED,
        # ISO 8601 in UTC with its offset, e.g. 2026-11-30T04:43:57.393000+00:00.
        timestamp=True,
    )


def configure_logging(level: str = "INFO", service: str = "plant-store") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
