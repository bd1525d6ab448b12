"""The typed client retries UNAVAILABLE (bounded, with backoff) and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.rpc import code_pb2
from plant.store.v1 import catalog_pb2 as pb

from plant_store_client.client import StoreClient
from store_service.rpc.status import build_status
from tests.rest.test_error_mapping import StandIn


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    server = StandIn()
    await server.server.start()
    yield server
    await server.server.stop(0)


def failing(times: int, code: int) -> tuple[Any, list[int]]:
    calls: list[int] = []

    async def behavior(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        calls.append(1)
        if len(calls) <= times:
            await context.abort_with_status(build_status(code, "X", "no"))
        return pb.ListAgentTypesResponse()

    return behavior, calls


async def test_unavailable_is_retried_until_it_answers(stand_in: StandIn) -> None:
    stand_in.behavior, calls = failing(2, code_pb2.UNAVAILABLE)
    client = StoreClient(f"127.0.0.1:{stand_in.port}", 10, None, retries=True)
    try:
        await client.call(client.catalog.ListAgentTypes, pb.ListAgentTypesRequest(), "c")
    finally:
        await client.close()
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("retries", "code", "attempts"),
    [
        (True, code_pb2.INVALID_ARGUMENT, 1),
        (True, code_pb2.UNAVAILABLE, 5),
        (False, code_pb2.UNAVAILABLE, 1),
    ],
)
async def test_retries_are_bounded_and_only_for_unavailable(
    stand_in: StandIn, retries: bool, code: int, attempts: int
) -> None:
    stand_in.behavior, calls = failing(100, code)
    client = StoreClient(f"127.0.0.1:{stand_in.port}", 10, None, retries=retries)
    try:
        with pytest.raises(grpc.aio.AioRpcError):
            await client.call(client.catalog.ListAgentTypes, pb.ListAgentTypesRequest(), "c")
    finally:
        await client.close()
    assert len(calls) == attempts
