"""Timestamps, optional fields and request documents on the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.message import Message

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, InvalidDocument, from_json
from plant_store_client.wire.errors import InvalidWireValue

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
        raise InvalidWireValue(
            Reason.INVALID_TIMESTAMP,
            "A timestamp is outside the years 1-9999",
            seconds=str(message.seconds),
        ) from None


def optional_instant(owner: Message, field: str) -> datetime | None:
    """The aware UTC time in `owner.field`, or None when the field is not set."""
    if not owner.HasField(field):
        return None
    value: timestamp_pb2.Timestamp = getattr(owner, field)
    return instant(value)


def _plain(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        number = value.number_value
        # Struct numbers are doubles; an old client's 300 most likely meant 300, not 300.0.
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return _struct_document(value.struct_value)
    if kind == "list_value":
        return [_plain(item) for item in value.list_value.values]
    return None


def _struct_document(message: struct_pb2.Struct) -> Document:
    """The JSON object a (deprecated) Struct holds, with integral numbers as integers."""
    return {key: _plain(value) for key, value in message.fields.items()}


def request_document(owner: Message, field: str) -> Document | None:
    """A request's document: `{field}_json` (a JSON object as text) when set, else the
    deprecated Struct `field` of older clients; None when neither is set."""
    text_field = f"{field}_json"
    if owner.HasField(text_field):
        try:
            return from_json(getattr(owner, text_field))
        except InvalidDocument as error:
            raise InvalidWireValue(
                Reason.INVALID_DOCUMENT, f"{text_field} is {error}", field=text_field
            ) from None
    if owner.HasField(field):
        return _struct_document(getattr(owner, field))
    return None


def optional_text(owner: Message, field: str) -> str | None:
    """A proto3 `optional string` as None when unset."""
    if not owner.HasField(field):
        return None
    value: str = getattr(owner, field)
    return value


def iso(value: datetime | None) -> str | None:
    """A datetime exactly as pydantic v2 writes it (UTC as Z, other offsets kept), without
    pydantic's per-call cost: isoformat differs from it only in writing UTC as +00:00."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
