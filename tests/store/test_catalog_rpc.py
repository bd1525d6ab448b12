"""CatalogService over a real gRPC channel, on both databases."""

from __future__ import annotations

import grpc
import pytest
from plant.store.v1 import catalog_pb2 as pb
from plant.store.v1 import catalog_pb2_grpc

from tests.support.rpc import definition, expect_error


@pytest.fixture
def catalog(channel: grpc.aio.Channel) -> catalog_pb2_grpc.CatalogServiceStub:
    return catalog_pb2_grpc.CatalogServiceStub(channel)


async def test_lists_seeds_with_typed_fields(catalog: catalog_pb2_grpc.CatalogServiceStub) -> None:
    response = await catalog.ListAgentTypes(pb.ListAgentTypesRequest())
    marketing, trading = response.agent_types
    assert (marketing.agent_type_id, trading.agent_type_id) == (
        "marketing.healthcare.v1",
        "trading.delta_futures.v1",
    )
    theme = marketing.config_schema.fields[1]
    assert (theme.key, theme.type, list(theme.options.values)) == (
        "theme",
        pb.FIELD_TYPE_ENUM,
        ["default", "dark", "light"],
    )
    assert not marketing.config_schema.fields[0].HasField("options")
    assert trading.enforcement_defaults.deterministic


async def test_put_round_trips_optional_fields(
    catalog: catalog_pb2_grpc.CatalogServiceStub,
) -> None:
    sent = definition("custom.v1")
    put = await catalog.PutAgentType(
        pb.PutAgentTypeRequest(agent_type_id="custom.v1", agent_type=sent)
    )
    got = await catalog.GetAgentType(pb.GetAgentTypeRequest(agent_type_id="custom.v1"))
    assert put.agent_type == got.agent_type
    field = got.agent_type.config_schema.fields[0]
    assert list(field.options.values) == ["a", "b"] and not field.HasField("description")
    # Absent enforcement defaults take the contract's defaults.
    assert got.agent_type.enforcement_defaults.approval_required


async def test_errors_carry_stable_reasons(catalog: catalog_pb2_grpc.CatalogServiceStub) -> None:
    await expect_error(
        catalog.GetAgentType(pb.GetAgentTypeRequest(agent_type_id=" ")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "AGENT_TYPE_ID_REQUIRED",
    )
    await expect_error(
        catalog.GetAgentType(pb.GetAgentTypeRequest(agent_type_id="missing")),
        grpc.StatusCode.NOT_FOUND,
        "AGENT_TYPE_NOT_FOUND",
    )
    await expect_error(
        catalog.PutAgentType(pb.PutAgentTypeRequest(agent_type_id="a", agent_type=definition("b"))),
        grpc.StatusCode.INVALID_ARGUMENT,
        "AGENT_TYPE_ID_MISMATCH",
    )


async def test_store_validates_what_a_direct_client_sends(
    catalog: catalog_pb2_grpc.CatalogServiceStub,
) -> None:
    no_version = pb.AgentTypeDefinition(agent_type_id="x")
    await expect_error(
        catalog.PutAgentType(pb.PutAgentTypeRequest(agent_type_id="x", agent_type=no_version)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "AGENT_TYPE_INVALID",
    )
    untyped = definition("x")
    untyped.config_schema.fields[0].type = pb.FIELD_TYPE_UNSPECIFIED
    await expect_error(
        catalog.PutAgentType(pb.PutAgentTypeRequest(agent_type_id="x", agent_type=untyped)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "AGENT_TYPE_INVALID",
    )
    listed = await catalog.ListAgentTypes(pb.ListAgentTypesRequest())
    assert len(listed.agent_types) == 2


async def test_versions_are_unique_per_id_and_version(
    catalog: catalog_pb2_grpc.CatalogServiceStub,
) -> None:
    request = pb.CreateAgentTypeVersionRequest(agent_type=definition("v.x", "1"))
    await catalog.CreateAgentTypeVersion(request)
    await expect_error(
        catalog.CreateAgentTypeVersion(request),
        grpc.StatusCode.ALREADY_EXISTS,
        "AGENT_TYPE_VERSION_EXISTS",
    )
    await catalog.CreateAgentTypeVersion(
        pb.CreateAgentTypeVersionRequest(agent_type=definition("v.x", "2"))
    )
    latest = await catalog.GetLatestAgentTypeVersion(
        pb.GetLatestAgentTypeVersionRequest(agent_type_id="v.x")
    )
    assert latest.agent_type.version == "2"
