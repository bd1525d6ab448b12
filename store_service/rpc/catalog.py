"""CatalogService: agent type definitions."""

from __future__ import annotations

from typing import Any

import grpc
from plant.store.v1 import catalog_pb2 as pb
from plant.store.v1 import catalog_pb2_grpc

from plant_store_client.wire.agent_types import to_document, to_message
from plant_store_client.wire.documents import from_stored_json
from store_service.domain.records import CatalogEntry
from store_service.rpc.paging import page_query, paged
from store_service.services import catalog
from store_service.services.units_of_work import Reply, UnitsOfWork


def _definition_message(entry: CatalogEntry) -> pb.AgentTypeDefinition:
    return to_message(from_stored_json(entry["document"]))


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self, units: UnitsOfWork) -> None:
        self.units = units

    async def ListAgentTypes(
        self, request: pb.ListAgentTypesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListAgentTypesResponse:
        query = page_query(request)
        rows = await catalog.list_agent_types(self.units, query)
        page = paged(query, rows, _definition_message)
        return pb.ListAgentTypesResponse(
            agent_types=page.items, next_page_token=page.next_page_token
        )

    async def GetAgentType(
        self, request: pb.GetAgentTypeRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetAgentTypeResponse:
        document = await catalog.get_agent_type(self.units, request.agent_type_id)
        return pb.GetAgentTypeResponse(agent_type=to_message(document))

    async def PutAgentType(
        self, request: pb.PutAgentTypeRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.PutAgentTypeResponse:
        return await catalog.put_agent_type(
            self.units,
            request.agent_type_id,
            to_document(request.agent_type),
            Reply(
                "CatalogService.PutAgentType",
                request,
                pb.PutAgentTypeResponse,
                lambda stored: pb.PutAgentTypeResponse(agent_type=to_message(stored)),
            ),
        )

    async def ListLatestAgentTypeVersions(
        self,
        request: pb.ListLatestAgentTypeVersionsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.ListLatestAgentTypeVersionsResponse:
        query = page_query(request)
        rows = await catalog.list_latest_versions(self.units, query)
        page = paged(query, rows, _definition_message)
        return pb.ListLatestAgentTypeVersionsResponse(
            agent_types=page.items, next_page_token=page.next_page_token
        )

    async def GetLatestAgentTypeVersion(
        self,
        request: pb.GetLatestAgentTypeVersionRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.GetLatestAgentTypeVersionResponse:
        document = await catalog.get_latest_version(self.units, request.agent_type_id)
        return pb.GetLatestAgentTypeVersionResponse(agent_type=to_message(document))

    async def CreateAgentTypeVersion(
        self, request: pb.CreateAgentTypeVersionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CreateAgentTypeVersionResponse:
        return await catalog.create_version(
            self.units,
            to_document(request.agent_type),
            Reply(
                "CatalogService.CreateAgentTypeVersion",
                request,
                pb.CreateAgentTypeVersionResponse,
                lambda stored: pb.CreateAgentTypeVersionResponse(agent_type=to_message(stored)),
            ),
        )

    async def UpdateAgentTypeVersion(
        self, request: pb.UpdateAgentTypeVersionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.UpdateAgentTypeVersionResponse:
        return await catalog.update_version(
            self.units,
            request.agent_type_id,
            to_document(request.agent_type),
            Reply(
                "CatalogService.UpdateAgentTypeVersion",
                request,
                pb.UpdateAgentTypeVersionResponse,
                lambda stored: pb.UpdateAgentTypeVersionResponse(agent_type=to_message(stored)),
            ),
        )
