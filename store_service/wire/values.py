"""Timestamps and JSON documents on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format, struct_pb2, timestamp_pb2
from google.protobuf.message import Message


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(value)
    return message


def instant(message: timestamp_pb2.Timestamp) -> datetime:
    return message.ToDatetime(tzinfo=UTC)


def optional_instant(owner: Message, field: str) -> datetime | None:
    """The aware UTC time in `owner.field`, or None when the field is not set."""
    if not owner.HasField(field):
        return None
    value: timestamp_pb2.Timestamp = getattr(owner, field)
    return instant(value)


def struct(document: dict[str, Any] | None) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    if document:
        message.update(document)
    return message


def _integral_numbers(value: Any) -> Any:
    # Struct numbers are doubles; JSON that said 300 should say 300 again, not 300.0.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_numbers(item) for item in value]
    return value


def document(message: struct_pb2.Struct) -> dict[str, Any]:
    converted: dict[str, Any] = _integral_numbers(json_format.MessageToDict(message))
    return converted


def optional_text(owner: Message, field: str) -> str | None:
    """A proto3 `optional string` as None when unset."""
    if not owner.HasField(field):
        return None
    value: str = getattr(owner, field)
    return value
