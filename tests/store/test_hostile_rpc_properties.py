"""Every RPC refuses hostile values in any of its fields with INVALID_ARGUMENT INVALID_VALUE and
writes nothing, on both databases: NUL in a string or a map key, a NaN or infinite double, a
timestamp within a day of the calendar's ends or past them, at any depth of the request."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory, struct_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from http_adapter.errors import error_info
from plant_store_client.instants import EARLIEST, LATEST
from store_service.rpc.request_values import DOCUMENT_MESSAGES
from store_service.server import API_MODULES
from tests.hostile import check_property, database_contents, on_loop

METHODS: list[MethodDescriptor] = [
    method
    for module in API_MODULES
    for service in module.DESCRIPTOR.services_by_name.values()
    for method in service.methods
]
TIMESTAMP = timestamp_pb2.Timestamp.DESCRIPTOR.full_name
STRUCT = struct_pb2.Struct.DESCRIPTOR.full_name
SECONDS_PER_DAY = 86_400
# Where a hostile value can go: a path of field names through nested messages.
Slot = tuple[FieldDescriptor, ...]


def slots(descriptor: Descriptor, depth: int = 3, keys: frozenset[str] | None = None) -> list[Slot]:
    """Fields a hostile value can go into; inside a message kept as a JSON document, strings
    other than its key columns are data (any character goes, request_values.py)."""
    found: list[Slot] = []
    for field in descriptor.fields:
        kind = field.message_type.full_name if field.message_type is not None else None
        text_is_data = keys is not None and field.name not in keys
        scalar = field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT) or (
            field.type == FieldDescriptor.TYPE_STRING and not text_is_data
        )
        if scalar or kind in (TIMESTAMP, STRUCT):
            found.append((field,))
        elif (
            field.message_type is not None
            and depth > 0
            and not field.message_type.GetOptions().map_entry
        ):
            inner = DOCUMENT_MESSAGES.get(kind or "", frozenset() if keys is not None else None)
            found.extend((field, *rest) for rest in slots(field.message_type, depth - 1, inner))
    return found


EARLIEST_SECONDS = int(EARLIEST.timestamp())
LATEST_SECONDS = int(LATEST.timestamp())
hostile_seconds = st.one_of(
    st.integers(EARLIEST_SECONDS - 3 * SECONDS_PER_DAY, EARLIEST_SECONDS - 1),
    st.integers(LATEST_SECONDS + 1, LATEST_SECONDS + 3 * SECONDS_PER_DAY),
    st.integers(-(2**63), EARLIEST_SECONDS - 1),
    st.integers(LATEST_SECONDS + 1, 2**63 - 1),
)
nul_texts = st.tuples(st.text(max_size=4), st.text(max_size=4)).map(
    lambda parts: parts[0] + "\x00" + parts[1]
)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])


def hostile_struct(draw: st.DrawFn) -> struct_pb2.Struct:
    document = struct_pb2.Struct()
    inner = document.fields["a"].struct_value if draw(st.booleans()) else document
    if draw(st.booleans()):
        inner.fields[draw(nul_texts)].string_value = "x"
    elif draw(st.booleans()):
        inner.fields["n"].number_value = draw(non_finite)
    else:
        inner.fields["s"].list_value.values.add().string_value = draw(nul_texts)
    return document


def _place(message: Message, slot: Slot, draw: st.DrawFn) -> None:
    field, *rest = slot
    if rest:
        child = getattr(message, field.name)
        target = child.add() if field.is_repeated else child
        _place(target, tuple(rest), draw)
        return
    kind = field.message_type.full_name if field.message_type is not None else None
    if kind == TIMESTAMP:
        value: Any = timestamp_pb2.Timestamp(seconds=draw(hostile_seconds))
    elif kind == STRUCT:
        value = hostile_struct(draw)
    elif field.type == FieldDescriptor.TYPE_STRING:
        value = draw(nul_texts)
    else:
        value = draw(non_finite)
    container = getattr(message, field.name)
    if field.is_repeated and isinstance(value, Message):
        container.add().CopyFrom(value)
    elif field.is_repeated:
        container.append(value)
    elif isinstance(value, Message):
        container.CopyFrom(value)
    else:
        setattr(message, field.name, value)


@st.composite
def hostile_calls(draw: st.DrawFn) -> tuple[str, bytes]:
    method = draw(st.sampled_from([m for m in METHODS if slots(m.input_type)]))
    request = message_factory.GetMessageClass(method.input_type)()
    _place(request, draw(st.sampled_from(slots(method.input_type))), draw)
    return f"/{method.containing_service.full_name}/{method.name}", request.SerializeToString()


def test_most_rpcs_have_a_field_to_attack() -> None:
    assert sum(1 for method in METHODS if slots(method.input_type)) > 40


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.usefixtures("store")
async def test_hostile_values_are_refused_before_any_write(
    channel: grpc.aio.Channel, database_url: str
) -> None:
    loop = asyncio.get_running_loop()

    async def refused(method: str, request: bytes) -> None:
        before = await database_contents(database_url)
        with pytest.raises(grpc.aio.AioRpcError) as refusal:
            await channel.unary_unary(method)(request, timeout=30)
        assert refusal.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (method, refusal.value)
        info = error_info(refusal.value)
        assert info is not None and info.reason == "INVALID_VALUE", (method, info)
        assert await database_contents(database_url) == before, method

    @PROPERTY
    @given(call=hostile_calls())
    def check(call: tuple[str, bytes]) -> None:
        on_loop(loop, refused(*call))

    await check_property(check)
