"""/api/v1/agent-types: the current agent type catalog (contract 4.1)."""

from __future__ import annotations

from typing import Any

from plant.store.v1 import catalog_pb2 as pb

from http_adapter.dependencies import IdempotencyKey, Store
from http_adapter.pages import every_page
from http_adapter.responses import JsonResponse
from http_adapter.routes import api_router
from http_adapter.schemas.agent_types import AgentTypeDefinition
from plant_store_client.wire.agent_types import to_document, to_message

router = api_router("/api/v1/agent-types", "agent-types")


def definitions(listed: list[pb.AgentTypeDefinition]) -> list[dict[str, Any]]:
    return [to_document(definition) for definition in listed]


def definition_message(body: AgentTypeDefinition) -> pb.AgentTypeDefinition:
    return to_message(body.model_dump())


@router.get("", response_model=list[AgentTypeDefinition])
@router.get("/", include_in_schema=False)
async def list_agent_types(store: Store) -> JsonResponse:
    request = pb.ListAgentTypesRequest()
    return JsonResponse(
        definitions(await every_page(store, store.catalog.ListAgentTypes, request, "agent_types"))
    )


@router.get("/{agent_type_id}", response_model=AgentTypeDefinition)
async def get_agent_type(agent_type_id: str, store: Store) -> JsonResponse:
    request = pb.GetAgentTypeRequest(agent_type_id=agent_type_id)
    response = await store.call(store.catalog.GetAgentType, request)
    return JsonResponse(to_document(response.agent_type))


@router.put("/{agent_type_id}", response_model=AgentTypeDefinition)
async def put_agent_type(
    agent_type_id: str, body: AgentTypeDefinition, store: Store, key: IdempotencyKey
) -> JsonResponse:
    request = pb.PutAgentTypeRequest(
        agent_type_id=agent_type_id, agent_type=definition_message(body), request_id=key
    )
    response = await store.call(store.catalog.PutAgentType, request)
    return JsonResponse(to_document(response.agent_type))
