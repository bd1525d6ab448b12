"""Values no request may carry, whichever RPC: checked once, before any use case runs.

The REST adapter refuses these at its edge; the store refuses them for every other client, and
the same on both databases (PostgreSQL cannot store a NUL in text or jsonb, SQLite can).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from google.protobuf import timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from store_service.domain.errors import DomainError, invalid
from store_service.domain.instants import EARLIEST, LATEST

TIMESTAMP = timestamp_pb2.Timestamp.DESCRIPTOR.full_name
EARLIEST_SECONDS = int(EARLIEST.timestamp())
LATEST_SECONDS = int(LATEST.timestamp())


def _values(message: Message, path: str) -> Iterator[tuple[str, FieldDescriptor, Any]]:
    """Every (path, field, value) in `message`, map keys and nested messages included."""
    for field, value in message.ListFields():
        where = f"{path}{field.name}"
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            for key, item in value.items():
                yield where, key_field, key
                yield f"{where}.{key}", value_field, item
        elif field.is_repeated:
            for index, item in enumerate(value):
                yield f"{where}.{index}", field, item
        else:
            yield where, field, value


def _problem(field: FieldDescriptor, value: Any) -> str | None:
    if field.type == FieldDescriptor.TYPE_STRING and "\x00" in value:
        return "holds a NUL character"
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT) and not (
        math.isfinite(value)
    ):
        return "is not a finite number"
    timestamp = field.message_type is not None and field.message_type.full_name == TIMESTAMP
    if timestamp and not EARLIEST_SECONDS <= value.seconds <= LATEST_SECONDS:
        return f"is outside {EARLIEST.isoformat()} to {LATEST.isoformat()}"
    return None


def refusal(request: Message, path: str = "") -> DomainError | None:
    """INVALID_VALUE naming the first field that holds what no database or clock can hold."""
    for where, field, value in _values(request, path):
        problem = _problem(field, value)
        if problem is not None:
            return invalid("INVALID_VALUE", f"{where} {problem}", field=where)
        if isinstance(value, Message):
            nested = refusal(value, f"{where}.")
            if nested is not None:
                return nested
    return None
