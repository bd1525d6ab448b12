"""Times on the wire: our conversions agree with protobuf's and pydantic's own, value for value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf import timestamp_pb2
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from plant_store_client.wire.errors import InvalidWireValue
from plant_store_client.wire.values import instant, iso, timestamp

AWARE = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(0)), timezone(timedelta(hours=5, minutes=30))]
        + [timezone(timedelta(minutes=-m)) for m in (1, 59, 600)]
    ),
)
SECONDS = st.integers(min_value=-62_135_596_800, max_value=253_402_300_799)
NANOS = st.integers(min_value=0, max_value=999_999_999)


@given(AWARE)
def test_timestamp_matches_protobuf(value: datetime) -> None:
    expected = timestamp_pb2.Timestamp()
    expected.FromDatetime(value)
    assert timestamp(value) == expected


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_naive_datetime_is_taken_as_utc_like_protobuf_does(value: datetime) -> None:
    expected = timestamp_pb2.Timestamp()
    expected.FromDatetime(value)
    assert timestamp(value) == expected


@given(SECONDS, NANOS)
def test_instant_matches_protobuf(seconds: int, nanos: int) -> None:
    message = timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)
    assert instant(message) == message.ToDatetime(tzinfo=UTC)


@given(AWARE)
def test_a_time_survives_the_round_trip(value: datetime) -> None:
    message = timestamp(value)
    assert message is not None
    assert instant(message) == value


@pytest.mark.parametrize(
    ("seconds", "nanos"), [(253_402_300_800, 0), (-62_135_596_801, 0), (0, -1), (0, 10**9)]
)
def test_a_timestamp_outside_the_calendar_is_refused(seconds: int, nanos: int) -> None:
    with pytest.raises(InvalidWireValue) as refused:
        instant(timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
    assert refused.value.reason == "INVALID_TIMESTAMP"


@given(st.one_of(AWARE, st.datetimes()))
def test_iso_writes_what_pydantic_writes(value: datetime) -> None:
    assert iso(value) == TypeAdapter(datetime).dump_python(value, mode="json")
