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

from plant_store_client.instants import EARLIEST, LATEST
from plant_store_client.reasons import Reason
from store_service.domain.errors import DomainError, invalid

TIMESTAMP = timestamp_pb2.Timestamp.DESCRIPTOR.full_name
# Messages the store keeps as JSON text (plant_store_client/wire/documents.py), with their fields
# that are also key columns (where a NUL still cannot go).
DOCUMENT_MESSAGES = {"plant.store.v1.AgentTypeDefinition": frozenset({"agent_type_id", "version"})}
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


def _problem(field: FieldDescriptor, value: Any, text_is_data: bool) -> str | None:
    if field.type == FieldDescriptor.TYPE_STRING and "\x00" in value and not text_is_data:
        return "holds a NUL character"
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT) and not (
        math.isfinite(value)
    ):
        return "is not a finite number"
    timestamp = field.message_type is not None and field.message_type.full_name == TIMESTAMP
    if timestamp and not EARLIEST_SECONDS <= value.seconds <= LATEST_SECONDS:
        return f"is outside {EARLIEST.isoformat()} to {LATEST.isoformat()}"
    return None


def refusal(
    request: Message, path: str = "", keys: frozenset[str] | None = None
) -> DomainError | None:
    """INVALID_VALUE naming the first field that holds what no database or clock can hold.

    Within a message stored as a JSON document (`keys` names its fields that are also columns)
    text is data: any character survives there, NUL included (JSON text escapes it)."""
    for where, field, value in _values(request, path):
        text_is_data = keys is not None and field.name not in keys
        problem = _problem(field, value, text_is_data)
        if problem is not None:
            return invalid(Reason.INVALID_VALUE, f"{where} {problem}", field=where)
        if isinstance(value, Message):
            name = value.DESCRIPTOR.full_name
            inner = DOCUMENT_MESSAGES.get(name, frozenset() if keys is not None else None)
            nested = refusal(value, f"{where}.", inner)
            if nested is not None:
                return nested
    return None
