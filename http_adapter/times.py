"""Times in and out of the adapter.

Client-supplied times: naive values are taken as UTC (the original compared them wrongly), and
only instants every time zone can represent get through (plant_store_client/instants.py).
Answered times: the store's Timestamps written exactly as pydantic writes a datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from plant_store_client.instants import EARLIEST, LATEST, representable
from plant_store_client.wire.values import iso, optional_instant, timestamp

RANGE = {
    "earliest": iso(EARLIEST),
    "latest": iso(LATEST.replace(microsecond=0)),
}


def _representable(value: datetime) -> datetime:
    if not representable(value):
        raise PydanticCustomError(
            "datetime_out_of_range", "Input should be a datetime from {earliest} to {latest}", RANGE
        )
    return value


# `now` and `as_of` as requests carry them: ISO 8601 text or epoch numbers (contract 1.4).
ClientInstant = Annotated[
    datetime,
    AfterValidator(_representable),
    WithJsonSchema({"type": ["string", "number"], "format": "date-time"}),
]


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def client_timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    return timestamp(as_utc(value)) if value is not None else None


def time_of(owner: Message, field: str) -> str | None:
    """The Timestamp `owner.field` as pydantic writes it; None when the field is not set."""
    return iso(optional_instant(owner, field))
