"""The caller's correlation id, carried through a call in a context variable and into logs."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")

_base_factory = logging.getLogRecordFactory()


def _record_with_correlation_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.correlation_id = correlation_id.get()
    return record


# Every record made while serving a call knows the caller's correlation id, whoever logs it.
if logging.getLogRecordFactory() is _base_factory:
    logging.setLogRecordFactory(_record_with_correlation_id)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
