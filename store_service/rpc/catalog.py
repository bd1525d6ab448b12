"""CatalogService: agent type definitions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

import grpc
from plant.store.v1 import catalog_pb2 as pb
from plant.store.v1 import catalog_pb2_grpc

from plant_store_client.wire.agent_types import to_document, to_message
from plant_store_client.wire.documents import from_stored_json
from store_service.db.keyset import Cursor, Keyset
from store_service.db.sql import Row, Transaction
from store_service.domain.agent_types import validate_definition
from store_service.rpc import paging
from store_service.services import catalog
from store_service.services.units_of_work import Reply, UnitsOfWork, as_is


def _document(definition: pb.AgentTypeDefinition) -> dict[str, Any]:
    document = to_document(definition)
    validate_definition(document)
    return document


def _definition_message(row: Row) -> pb.AgentTypeDefinition:
    return to_message(from_stored_json(row["document"]))


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self, units: UnitsOfWork) -> None:
        self.units = units

    async def _definitions(
        self,
        keyset: Keyset,
        request: paging.PageRequest,
        fetch: Callable[[Transaction, Cursor | None, int], Awaitable[list[Row]]],
    ) -> paging.Page[pb.AgentTypeDefinition]:
        async def work(tx: Transaction) -> paging.Page[pb.AgentTypeDefinition]:
            return await paging.read_page(keyset, request, partial(fetch, tx), _definition_message)

        return await self.units.read(work)

    async def ListAgentTypes(
        self, request: pb.ListAgentTypesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListAgentTypesResponse:
        page = await self._definitions(catalog.LIST_CURRENT, request, catalog.list_agent_types)
        return pb.ListAgentTypesResponse(
            agent_types=page.items, next_page_token=page.next_page_token
        )

    async def GetAgentType(
        self, request: pb.GetAgentTypeRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetAgentTypeResponse:
        async def work(tx: Transaction) -> dict[str, Any]:
            return await catalog.get_agent_type(tx, request.agent_type_id)

        return pb.GetAgentTypeResponse(agent_type=to_message(await self.units.read(work)))

    async def PutAgentType(
        self, request: pb.PutAgentTypeRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.PutAgentTypeResponse:
        document = _document(request.agent_type)

        async def work(tx: Transaction, now: datetime) -> pb.PutAgentTypeResponse:
            stored = await catalog.put_agent_type(tx, request.agent_type_id, document, now)
            return pb.PutAgentTypeResponse(agent_type=to_message(stored))

        return await self.units.write(
            Reply("CatalogService.PutAgentType", request, pb.PutAgentTypeResponse, as_is), work
        )

    async def ListLatestAgentTypeVersions(
        self,
        request: pb.ListLatestAgentTypeVersionsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.ListLatestAgentTypeVersionsResponse:
        page = await self._definitions(catalog.LIST_LATEST, request, catalog.list_latest_versions)
        return pb.ListLatestAgentTypeVersionsResponse(
            agent_types=page.items, next_page_token=page.next_page_token
        )

    async def GetLatestAgentTypeVersion(
        self,
        request: pb.GetLatestAgentTypeVersionRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.GetLatestAgentTypeVersionResponse:
        async def work(tx: Transaction) -> dict[str, Any]:
            return await catalog.get_latest_version(tx, request.agent_type_id)

        document = await self.units.read(work)
        return pb.GetLatestAgentTypeVersionResponse(agent_type=to_message(document))

    async def CreateAgentTypeVersion(
        self, request: pb.CreateAgentTypeVersionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CreateAgentTypeVersionResponse:
        document = _document(request.agent_type)

        async def work(tx: Transaction, now: datetime) -> pb.CreateAgentTypeVersionResponse:
            stored = await catalog.create_version(tx, document, now)
            return pb.CreateAgentTypeVersionResponse(agent_type=to_message(stored))

        return await self.units.write(
            Reply(
                "CatalogService.CreateAgentTypeVersion",
                request,
                pb.CreateAgentTypeVersionResponse,
                as_is,
            ),
            work,
        )

    async def UpdateAgentTypeVersion(
        self, request: pb.UpdateAgentTypeVersionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.UpdateAgentTypeVersionResponse:
        document = _document(request.agent_type)

        async def work(tx: Transaction, now: datetime) -> pb.UpdateAgentTypeVersionResponse:
            stored = await catalog.update_version(tx, request.agent_type_id, document, now)
            return pb.UpdateAgentTypeVersionResponse(agent_type=to_message(stored))

        return await self.units.write(
            Reply(
                "CatalogService.UpdateAgentTypeVersion",
                request,
                pb.UpdateAgentTypeVersionResponse,
                as_is,
            ),
            work,
        )
