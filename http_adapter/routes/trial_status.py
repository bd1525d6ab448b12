"""/api/v1/trial-status: the read-only trial projection (contract 4.7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from plant.store.v1 import hiring_pb2 as pb

from http_adapter import rendering
from http_adapter.dependencies import CorrelationId, Store

router = APIRouter(prefix="/api/v1/trial-status", tags=["trial-status"])


@router.get("")
async def list_trials(store: Store, cid: CorrelationId, customer_id: str = "") -> dict[str, Any]:
    request = pb.ListTrialStatusesRequest(customer_id=customer_id)
    response = await store.call(store.hiring.ListTrialStatuses, request, cid)
    return {"trials": [rendering.trial(trial) for trial in response.trials]}


@router.get("/by-subscription/{subscription_id}")
async def trial_of_subscription(
    subscription_id: str, store: Store, cid: CorrelationId, customer_id: str = ""
) -> dict[str, Any]:
    request = pb.GetTrialStatusRequest(subscription_id=subscription_id, customer_id=customer_id)
    response = await store.call(store.hiring.GetTrialStatus, request, cid)
    return rendering.trial(response.trial)
