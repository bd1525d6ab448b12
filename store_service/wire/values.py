"""Timestamps and JSON documents on the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.message import Message

from store_service.domain.errors import invalid

# Timestamps are converted with integer arithmetic from the epoch: protobuf's FromDatetime and
# ToDatetime go through time tuples, which is most of the cost of rendering a long list.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECONDS_PER_DAY = 86_400
NANOS_PER_MICROSECOND = 1_000
MAX_NANOS = 999_999_999


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    """`value` as a Timestamp; a naive datetime is taken as UTC (as protobuf does)."""
    if value is None:
        return None
    since_epoch = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)) - EPOCH
    return timestamp_pb2.Timestamp(
        seconds=since_epoch.days * SECONDS_PER_DAY + since_epoch.seconds,
        nanos=since_epoch.microseconds * NANOS_PER_MICROSECOND,
    )


def instant(message: timestamp_pb2.Timestamp) -> datetime:
    """The aware UTC datetime of a Timestamp (to the microsecond, rounded toward zero)."""
    try:
        if not 0 <= message.nanos <= MAX_NANOS:
            raise ValueError(message.nanos)
        return EPOCH + timedelta(
            seconds=message.seconds, microseconds=message.nanos // NANOS_PER_MICROSECOND
        )
    except (ValueError, OverflowError):
        raise invalid(
            "INVALID_TIMESTAMP",
            "A timestamp is outside the years 1-9999",
            seconds=str(message.seconds),
        ) from None


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


def _plain(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        number = value.number_value
        # Struct numbers are doubles; JSON that said 300 should say 300 again, not 300.0.
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return document(value.struct_value)
    if kind == "list_value":
        return [_plain(item) for item in value.list_value.values]
    return None


def document(message: struct_pb2.Struct) -> dict[str, Any]:
    """The JSON object a Struct holds, with integral numbers as integers, keys sorted.

    A Struct's map iterates in an order its hash seed picks afresh in every process; sorted
    keys make one document render the same bytes everywhere (a replayed answer included)."""
    fields = message.fields
    return {key: _plain(fields[key]) for key in sorted(fields)}


def optional_text(owner: Message, field: str) -> str | None:
    """A proto3 `optional string` as None when unset."""
    if not owner.HasField(field):
        return None
    value: str = getattr(owner, field)
    return value
