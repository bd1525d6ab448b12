"""/api/v1/trial-status: the read-only trial projection (contract 4.7)."""

from __future__ import annotations

from plant.store.v1 import hiring_pb2 as pb

from http_adapter import rendering
from http_adapter.dependencies import Store
from http_adapter.pages import every_page
from http_adapter.responses import JsonResponse
from http_adapter.routes import api_router
from http_adapter.schemas import responses

router = api_router("/api/v1/trial-status", "trial-status")


@router.get("", response_model=responses.Trials)
async def list_trials(store: Store, customer_id: str = "") -> JsonResponse:
    request = pb.ListTrialStatusesRequest(customer_id=customer_id)
    listed = await every_page(store, store.hiring.ListTrialStatuses, request, "trials")
    return JsonResponse({"trials": [rendering.trial(trial) for trial in listed]})


@router.get("/by-subscription/{subscription_id}", response_model=responses.TrialStatus)
async def trial_of_subscription(
    subscription_id: str, store: Store, customer_id: str = ""
) -> JsonResponse:
    request = pb.GetTrialStatusRequest(subscription_id=subscription_id, customer_id=customer_id)
    response = await store.call(store.hiring.GetTrialStatus, request)
    return JsonResponse(rendering.trial(response.trial))
