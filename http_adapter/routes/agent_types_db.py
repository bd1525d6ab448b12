"""/api/v1/agent-types-db: the versioned registry, behind USE_AGENT_TYPE_DB (contract 4.2).

With the flag off this path mirrors the current catalog and refuses writes, as the contract
requires; the flag only chooses which store RPC serves the path.
"""

from __future__ import annotations

from typing import Any

from plant.store.v1 import catalog_pb2 as pb

from http_adapter.dependencies import IdempotencyKey, Settings, Store
from http_adapter.errors import ContractError
from http_adapter.pages import every_page
from http_adapter.responses import JsonResponse
from http_adapter.routes import api_router
from http_adapter.routes.agent_types import definition_message, definitions
from http_adapter.schemas.agent_types import AgentTypeDefinition
from plant_store_client.wire.agent_types import to_document

router = api_router("/api/v1/agent-types-db", "agent-types-db")

NOT_ENABLED = "DB-backed agent types not enabled. Set USE_AGENT_TYPE_DB=true"


def _require_db_mode(settings: Any) -> None:
    if not settings.use_agent_type_db:
        raise ContractError(400, NOT_ENABLED)


@router.get("", response_model=list[AgentTypeDefinition])
@router.get("/", include_in_schema=False)
async def list_agent_types(store: Store, settings: Settings) -> JsonResponse:
    if settings.use_agent_type_db:
        method: Any = store.catalog.ListLatestAgentTypeVersions
        request: Any = pb.ListLatestAgentTypeVersionsRequest()
    else:
        method, request = store.catalog.ListAgentTypes, pb.ListAgentTypesRequest()
    return JsonResponse(definitions(await every_page(store, method, request, "agent_types")))


@router.get("/{agent_type_id}", response_model=AgentTypeDefinition)
async def get_agent_type(agent_type_id: str, store: Store, settings: Settings) -> JsonResponse:
    if settings.use_agent_type_db:
        latest = pb.GetLatestAgentTypeVersionRequest(agent_type_id=agent_type_id)
        response: Any = await store.call(store.catalog.GetLatestAgentTypeVersion, latest)
    else:
        current = pb.GetAgentTypeRequest(agent_type_id=agent_type_id)
        response = await store.call(store.catalog.GetAgentType, current)
    return JsonResponse(to_document(response.agent_type))


@router.post("/", status_code=201, response_model=AgentTypeDefinition)
async def create_agent_type(
    body: AgentTypeDefinition, store: Store, settings: Settings, key: IdempotencyKey
) -> JsonResponse:
    _require_db_mode(settings)
    request = pb.CreateAgentTypeVersionRequest(agent_type=definition_message(body), request_id=key)
    response = await store.call(store.catalog.CreateAgentTypeVersion, request)
    return JsonResponse(to_document(response.agent_type), status_code=201)


@router.put("/{agent_type_id}", response_model=AgentTypeDefinition)
async def update_agent_type(
    agent_type_id: str,
    body: AgentTypeDefinition,
    store: Store,
    settings: Settings,
    key: IdempotencyKey,
) -> JsonResponse:
    _require_db_mode(settings)
    request = pb.UpdateAgentTypeVersionRequest(
        agent_type_id=agent_type_id, agent_type=definition_message(body), request_id=key
    )
    response = await store.call(store.catalog.UpdateAgentTypeVersion, request)
    return JsonResponse(to_document(response.agent_type))
