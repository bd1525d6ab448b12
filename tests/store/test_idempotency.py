"""AIP-155 request ids: a repeated write replays its first answer and does no work twice."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from plant.store.v1 import catalog_pb2 as pb
from plant.store.v1 import catalog_pb2_grpc
from sqlalchemy import func, select

from store_service.db.engine import create_engine
from store_service.db.models import AgentTypeVersion, IdempotencyRecord, table_of
from tests.store.test_catalog_rpc import definition, expect_error


@pytest.fixture
def catalog(channel: grpc.aio.Channel) -> catalog_pb2_grpc.CatalogServiceStub:
    return catalog_pb2_grpc.CatalogServiceStub(channel)


async def count_rows(database_url: str, model: type, **equal: object) -> int:
    """How many rows of `model` there are (with these column values, if given)."""
    table = table_of(model)
    where = [table.c[column] == value for column, value in equal.items()]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(select(func.count()).select_from(table).where(*where))
            return int(count or 0)
    finally:
        await engine.dispose()


async def test_a_repeated_request_id_replays_the_first_answer(
    catalog: catalog_pb2_grpc.CatalogServiceStub, database_url: str
) -> None:
    request = pb.CreateAgentTypeVersionRequest(agent_type=definition("idem.v1"), request_id="r-1")
    first = await catalog.CreateAgentTypeVersion(request)
    # Without the request id the repeat would be refused as a duplicate version.
    again = await catalog.CreateAgentTypeVersion(request)
    assert again == first
    assert await count_rows(database_url, AgentTypeVersion) == 3
    assert await count_rows(database_url, IdempotencyRecord) == 1


async def test_the_same_request_id_with_another_request_is_refused(
    catalog: catalog_pb2_grpc.CatalogServiceStub,
) -> None:
    first = pb.CreateAgentTypeVersionRequest(agent_type=definition("idem.v1"), request_id="r-2")
    await catalog.CreateAgentTypeVersion(first)
    other = pb.CreateAgentTypeVersionRequest(agent_type=definition("idem.v2"), request_id="r-2")
    await expect_error(
        catalog.CreateAgentTypeVersion(other), grpc.StatusCode.ABORTED, "IDEMPOTENCY_KEY_REUSED"
    )


async def test_a_failed_request_stores_no_answer(
    catalog: catalog_pb2_grpc.CatalogServiceStub, database_url: str
) -> None:
    duplicate = pb.CreateAgentTypeVersionRequest(
        agent_type=definition("marketing.healthcare.v1", "1.0.0"), request_id="r-3"
    )
    await expect_error(
        catalog.CreateAgentTypeVersion(duplicate),
        grpc.StatusCode.ALREADY_EXISTS,
        "AGENT_TYPE_VERSION_EXISTS",
    )
    assert await count_rows(database_url, IdempotencyRecord) == 0


async def test_concurrent_repeats_do_the_work_once(
    catalog: catalog_pb2_grpc.CatalogServiceStub, database_url: str
) -> None:
    request = pb.CreateAgentTypeVersionRequest(agent_type=definition("race.v1"), request_id="r-4")
    answers = await asyncio.gather(*(catalog.CreateAgentTypeVersion(request) for _ in range(8)))
    assert all(answer == answers[0] for answer in answers)
    assert await count_rows(database_url, AgentTypeVersion) == 3
