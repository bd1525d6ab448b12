"""/api/v1/hired-agents: the hire wizard, goals and the trial clock (contract 4.4, 4.5)."""

from __future__ import annotations

from plant.store.v1 import hiring_pb2 as pb

from http_adapter import rendering
from http_adapter.dependencies import IdempotencyKey, Store
from http_adapter.pages import every_page
from http_adapter.responses import JsonResponse
from http_adapter.routes import api_router
from http_adapter.schemas import responses
from http_adapter.schemas.hiring import DraftRequest, FinalizeRequest, GoalRequest
from http_adapter.schemas.payments import ProcessAtRequest
from http_adapter.times import ClientInstant, client_timestamp
from plant_store_client.wire.documents import to_json

router = api_router("/api/v1/hired-agents", "hired-agents")


@router.put("/draft", response_model=responses.HiredAgentInstance)
async def upsert_draft(body: DraftRequest, store: Store, key: IdempotencyKey) -> JsonResponse:
    request = pb.UpsertDraftHiredAgentRequest(
        subscription_id=body.subscription_id,
        agent_id=body.agent_id,
        customer_id=body.customer_id,
        nickname=body.nickname,
        theme=body.theme,
        config_json=to_json(body.config) if body.config is not None else None,
        request_id=key,
    )
    response = await store.call(store.hiring.UpsertDraftHiredAgent, request)
    return JsonResponse(rendering.hired_agent(response.hired_agent))


@router.get("/by-subscription/{subscription_id}", response_model=responses.HiredAgentInstance)
async def by_subscription(
    subscription_id: str,
    store: Store,
    customer_id: str = "",
    as_of: ClientInstant | None = None,
) -> JsonResponse:
    request = pb.GetHiredAgentBySubscriptionRequest(
        subscription_id=subscription_id, customer_id=customer_id, as_of=client_timestamp(as_of)
    )
    response = await store.call(store.hiring.GetHiredAgentBySubscription, request)
    return JsonResponse(rendering.hired_agent(response.hired_agent))


@router.post("/process-trial-end", response_model=responses.Processed)
async def process_trial_end(
    body: ProcessAtRequest, store: Store, key: IdempotencyKey
) -> JsonResponse:
    request = pb.ProcessTrialEndRequest(now=client_timestamp(body.now), request_id=key)
    response = await store.call(store.hiring.ProcessTrialEnd, request)
    return JsonResponse(rendering.processed(response, body.now))


@router.post("/{hired_instance_id}/finalize", response_model=responses.HiredAgentInstance)
async def finalize(
    hired_instance_id: str, body: FinalizeRequest, store: Store, key: IdempotencyKey
) -> JsonResponse:
    request = pb.FinalizeHiredAgentRequest(
        hired_instance_id=hired_instance_id,
        customer_id=body.customer_id,
        goals_completed=body.goals_completed,
        request_id=key,
    )
    response = await store.call(store.hiring.FinalizeHiredAgent, request)
    return JsonResponse(rendering.hired_agent(response.hired_agent))


@router.get("/{hired_instance_id}/goals", response_model=responses.Goals)
async def list_goals(
    hired_instance_id: str,
    store: Store,
    customer_id: str = "",
    as_of: ClientInstant | None = None,
) -> JsonResponse:
    request = pb.ListGoalsRequest(
        hired_instance_id=hired_instance_id,
        customer_id=customer_id,
        as_of=client_timestamp(as_of),
    )
    listed = await every_page(store, store.hiring.ListGoals, request, "goals")
    return JsonResponse(
        {
            "hired_instance_id": hired_instance_id,
            "goals": [rendering.goal(goal) for goal in listed],
        }
    )


@router.put("/{hired_instance_id}/goals", response_model=responses.GoalInstance)
async def upsert_goal(
    hired_instance_id: str, body: GoalRequest, store: Store, key: IdempotencyKey
) -> JsonResponse:
    request = pb.UpsertGoalRequest(
        hired_instance_id=hired_instance_id,
        customer_id=body.customer_id,
        goal_instance_id=body.goal_instance_id,
        goal_template_id=body.goal_template_id,
        frequency=body.frequency,
        settings_json=to_json(body.settings),
        request_id=key,
    )
    response = await store.call(store.hiring.UpsertGoal, request)
    return JsonResponse(rendering.goal(response.goal))


@router.delete("/{hired_instance_id}/goals", response_model=responses.DeletedGoal)
async def delete_goal(
    hired_instance_id: str,
    store: Store,
    key: IdempotencyKey,
    customer_id: str = "",
    goal_instance_id: str = "",
) -> JsonResponse:
    request = pb.DeleteGoalRequest(
        hired_instance_id=hired_instance_id,
        customer_id=customer_id,
        goal_instance_id=goal_instance_id,
        request_id=key,
    )
    response = await store.call(store.hiring.DeleteGoal, request)
    return JsonResponse(rendering.deleted_goal(response))
