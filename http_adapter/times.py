"""Client-supplied times: naive values are taken as UTC (the original compared them wrongly)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf import timestamp_pb2

from store_service.wire.values import timestamp


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def client_timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    return timestamp(as_utc(value)) if value is not None else None
