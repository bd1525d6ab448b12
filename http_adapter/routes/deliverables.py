"""Deliverables and the goal scheduler (contract 4.6)."""

from __future__ import annotations

from plant.store.v1 import deliverables_pb2 as pb

from http_adapter import rendering
from http_adapter.dependencies import CorrelationId, IdempotencyKey, Store
from http_adapter.pages import every_page
from http_adapter.responses import JsonResponse
from http_adapter.routes import api_router
from http_adapter.schemas import responses
from http_adapter.schemas.deliverables import ExecuteRequest, ReviewRequest, RunDueRequest
from http_adapter.times import ClientInstant, client_timestamp
from plant_store_client.wire.enums import REVIEW_DECISION

router = api_router("/api/v1", "deliverables")


@router.get("/hired-agents/{hired_instance_id}/deliverables", response_model=responses.Deliverables)
async def list_deliverables(
    hired_instance_id: str,
    store: Store,
    customer_id: str = "",
    as_of: ClientInstant | None = None,
) -> JsonResponse:
    request = pb.ListDeliverablesRequest(
        hired_instance_id=hired_instance_id,
        customer_id=customer_id,
        as_of=client_timestamp(as_of),
    )
    listed = await every_page(store, store.deliverables.ListDeliverables, request, "deliverables")
    return JsonResponse(
        {
            "hired_instance_id": hired_instance_id,
            "deliverables": [rendering.deliverable(item) for item in listed],
        }
    )


@router.post("/deliverables/{deliverable_id}/review", response_model=responses.Reviewed)
async def review(
    deliverable_id: str, body: ReviewRequest, store: Store, key: IdempotencyKey
) -> JsonResponse:
    request = pb.ReviewDeliverableRequest(
        deliverable_id=deliverable_id,
        customer_id=body.customer_id,
        decision=REVIEW_DECISION.value(body.decision),
        notes=body.notes,
        approval_id=body.approval_id,
        request_id=key,
    )
    response = await store.call(store.deliverables.ReviewDeliverable, request)
    return JsonResponse(rendering.reviewed(response.deliverable))


@router.post("/deliverables/{deliverable_id}/execute", response_model=responses.Executed)
async def execute(
    deliverable_id: str,
    body: ExecuteRequest,
    store: Store,
    cid: CorrelationId,
    key: IdempotencyKey,
) -> JsonResponse:
    request = pb.ExecuteDeliverableRequest(
        deliverable_id=deliverable_id,
        customer_id=body.customer_id,
        approval_id=body.approval_id,
        correlation_id=cid,
        request_id=key,
    )
    response = await store.call(store.deliverables.ExecuteDeliverable, request)
    return JsonResponse(rendering.executed(response.deliverable))


@router.post("/scheduler/goals/run-due", response_model=responses.DueDrafts)
async def run_due(body: RunDueRequest, store: Store, key: IdempotencyKey) -> JsonResponse:
    request = pb.RunDueDraftsRequest(
        now=client_timestamp(body.now), hired_instance_id=body.hired_instance_id, request_id=key
    )
    response = await store.call(store.deliverables.RunDueDrafts, request)
    return JsonResponse(rendering.due_drafts(response))
