"""DeliverablesService: drafts, reviews, approval-gated execution and the goal scheduler."""

from __future__ import annotations

from typing import Any

import grpc
from plant.store.v1 import deliverables_pb2 as pb
from plant.store.v1 import deliverables_pb2_grpc

from plant_store_client.logging_context import correlation_id
from plant_store_client.reasons import Reason
from plant_store_client.wire.enums import REVIEW_DECISION
from plant_store_client.wire.values import optional_instant, optional_text
from store_service.config import StoreSettings
from store_service.domain.errors import invalid
from store_service.domain.records import DeliverableRow
from store_service.rpc import page_tokens
from store_service.rpc.deliverables_messages import (
    deliverable_message,
    denial_message,
    execution_message,
    review_message,
)
from store_service.rpc.paging import page_query, paged, within_budget
from store_service.services import deliverables
from store_service.services.batches import batch_size
from store_service.services.deliverables import DueDrafts, ExecutionRequest, ReviewDecision
from store_service.services.pages import invalid_page_token
from store_service.services.units_of_work import Reply, UnitsOfWork


def _due_drafts_message(due: DueDrafts) -> pb.RunDueDraftsResponse:
    resume_after = due.resume_after
    return pb.RunDueDraftsResponse(
        generated=len(due.deliverable_ids),
        deliverable_ids=due.deliverable_ids,
        instances_examined=due.instances_examined,
        next_page_token="" if resume_after is None else page_tokens.encode(*resume_after),
    )


class DeliverablesServicer(deliverables_pb2_grpc.DeliverablesServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.retention_days = settings.end_retention_days

    async def ListDeliverables(
        self, request: pb.ListDeliverablesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListDeliverablesResponse:
        query = page_query(request)
        rows = await deliverables.list_deliverables(
            self.units,
            request.hired_instance_id,
            request.customer_id,
            self.retention_days,
            optional_instant(request, "as_of"),
            query,
        )
        page = paged(query, rows, deliverable_message)
        return pb.ListDeliverablesResponse(
            hired_instance_id=request.hired_instance_id,
            deliverables=page.items,
            next_page_token=page.next_page_token,
        )

    async def ReviewDeliverable(
        self, request: pb.ReviewDeliverableRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ReviewDeliverableResponse:
        decision = REVIEW_DECISION.optional_name(request.decision)
        if decision is None:
            raise invalid(Reason.UNSUPPORTED_DECISION, "Unsupported decision.")

        def answer(row: DeliverableRow) -> pb.ReviewDeliverableResponse:
            return pb.ReviewDeliverableResponse(deliverable=deliverable_message(row))

        return await deliverables.review(
            self.units,
            ReviewDecision(
                deliverable_id=request.deliverable_id,
                customer_id=request.customer_id,
                decision=decision,
                notes=optional_text(request, "notes"),
                approval_id=optional_text(request, "approval_id"),
            ),
            self.retention_days,
            Reply(
                "DeliverablesService.ReviewDeliverable",
                request,
                pb.ReviewDeliverableResponse,
                answer,
            ),
        )

    async def ExecuteDeliverable(
        self, request: pb.ExecuteDeliverableRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ExecuteDeliverableResponse:
        def answer(row: DeliverableRow) -> pb.ExecuteDeliverableResponse:
            return pb.ExecuteDeliverableResponse(deliverable=deliverable_message(row))

        return await deliverables.execute(
            self.units,
            ExecutionRequest(
                deliverable_id=request.deliverable_id,
                customer_id=request.customer_id,
                approval_id=optional_text(request, "approval_id"),
                correlation_id=request.correlation_id or correlation_id.get(),
            ),
            self.retention_days,
            Reply(
                "DeliverablesService.ExecuteDeliverable",
                request,
                pb.ExecuteDeliverableResponse,
                answer,
            ),
        )

    async def RunDueDrafts(
        self, request: pb.RunDueDraftsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.RunDueDraftsResponse:
        page_size = batch_size(request.page_size) if request.page_size else 0
        target = (optional_text(request, "hired_instance_id") or "").strip() or None
        after = page_tokens.decode(request.page_token)
        return await deliverables.run_due(
            self.units,
            page_size=page_size,
            hired_instance_id=target,
            after=after,
            now=optional_instant(request, "now"),
            reply=Reply(
                "DeliverablesService.RunDueDrafts",
                request,
                pb.RunDueDraftsResponse,
                _due_drafts_message,
            ),
        )

    async def ListReviews(
        self, request: pb.ListReviewsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListReviewsResponse:
        query = page_query(request)
        rows = await deliverables.review_history(self.units, request.deliverable_id, query)
        page = paged(query, rows, review_message)
        return pb.ListReviewsResponse(reviews=page.items, next_page_token=page.next_page_token)

    async def ListExecutions(
        self, request: pb.ListExecutionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListExecutionsResponse:
        query = page_query(request)
        rows = await deliverables.execution_history(self.units, request.deliverable_id, query)
        page = paged(query, rows, execution_message)
        return pb.ListExecutionsResponse(
            executions=page.items, next_page_token=page.next_page_token
        )

    async def ListEnforcementDenials(
        self, request: pb.ListEnforcementDenialsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListEnforcementDenialsResponse:
        size = batch_size(request.page_size)
        try:
            before = int(request.page_token) if request.page_token else None
        except ValueError:
            raise invalid_page_token() from None
        rows = await deliverables.denials(self.units, request.deliverable_id or None, before, size)
        # Its page token is the id of the last denial listed, not a page_tokens cursor.
        denials = within_budget(denial_message(row) for row in rows)
        more = len(denials) < len(rows) or len(rows) == size
        token = str(rows[len(denials) - 1]["denial_id"]) if more else ""
        return pb.ListEnforcementDenialsResponse(denials=denials, next_page_token=token)
