"""DeliverablesService: drafts, reviews, approval-gated execution and the goal scheduler."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import partial
from typing import Any

import grpc
from plant.store.v1 import deliverables_pb2 as pb
from plant.store.v1 import deliverables_pb2_grpc

from plant_store_client.logging_context import correlation_id
from plant_store_client.reasons import Reason
from plant_store_client.wire.enums import REVIEW_DECISION
from plant_store_client.wire.values import optional_instant, optional_text
from store_service.config import StoreSettings
from store_service.db.keyset import Cursor
from store_service.db.sql import Row, Transaction
from store_service.domain.errors import invalid
from store_service.rpc import page_tokens, paging
from store_service.rpc.deliverables_messages import (
    deliverable_message,
    denial_message,
    execution_message,
    review_message,
)
from store_service.services import deliverables
from store_service.services.batches import DEFAULT_BATCH_SIZE, batch_size
from store_service.services.units_of_work import Reply, UnitsOfWork, as_is


def _grouped(page: list[Row], created: list[Row]) -> list[str]:
    """New ids grouped per instance in page order, sorted within each instance."""
    per_instance: dict[str, list[str]] = defaultdict(list)
    for row in created:
        per_instance[row["hired_instance_id"]].append(row["deliverable_id"])
    return [
        deliverable_id
        for row in page
        for deliverable_id in sorted(per_instance.get(row["hired_instance_id"], []))
    ]


class DeliverablesServicer(deliverables_pb2_grpc.DeliverablesServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.retention_days = settings.end_retention_days

    async def ListDeliverables(
        self, request: pb.ListDeliverablesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListDeliverablesResponse:
        as_of = optional_instant(request, "as_of")

        async def work(tx: Transaction, now: datetime) -> pb.ListDeliverablesResponse:
            async def fetch(after: Cursor | None, limit: int) -> list[Row]:
                return await deliverables.list_deliverables(
                    tx,
                    request.hired_instance_id,
                    request.customer_id,
                    self.retention_days,
                    as_of or now,
                    page=(after, limit),
                )

            page = await paging.read_page(
                deliverables.OF_INSTANCE,
                request,
                fetch,
                deliverable_message,
            )
            return pb.ListDeliverablesResponse(
                hired_instance_id=request.hired_instance_id,
                deliverables=page.items,
                next_page_token=page.next_page_token,
            )

        # Listing only reads, then inserts missing drafts with ON CONFLICT DO NOTHING in one
        # statement: no transaction is needed around it.
        return await self.units.autocommit(work)

    async def ReviewDeliverable(
        self, request: pb.ReviewDeliverableRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ReviewDeliverableResponse:
        decision = REVIEW_DECISION.optional_name(request.decision)
        if decision is None:
            raise invalid(Reason.UNSUPPORTED_DECISION, "Unsupported decision.")

        async def work(tx: Transaction, now: datetime) -> pb.ReviewDeliverableResponse:
            row = await deliverables.review(
                tx,
                deliverable_id=request.deliverable_id,
                raw_customer_id=request.customer_id,
                decision=decision,
                notes=optional_text(request, "notes"),
                approval_id=optional_text(request, "approval_id"),
                retention_days=self.retention_days,
                now=now,
            )
            return pb.ReviewDeliverableResponse(deliverable=deliverable_message(row))

        return await self.units.write_at_once(
            Reply(
                "DeliverablesService.ReviewDeliverable",
                request,
                pb.ReviewDeliverableResponse,
                as_is,
            ),
            work,
        )

    async def ExecuteDeliverable(
        self, request: pb.ExecuteDeliverableRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ExecuteDeliverableResponse:
        cid = request.correlation_id or correlation_id.get()

        async def work(tx: Transaction, now: datetime) -> pb.ExecuteDeliverableResponse:
            row = await deliverables.execute(
                tx,
                deliverable_id=request.deliverable_id,
                raw_customer_id=request.customer_id,
                approval_id=optional_text(request, "approval_id"),
                correlation_id=cid,
                retention_days=self.retention_days,
                now=now,
            )
            return pb.ExecuteDeliverableResponse(deliverable=deliverable_message(row))

        return await self.units.write_at_once(
            Reply(
                "DeliverablesService.ExecuteDeliverable",
                request,
                pb.ExecuteDeliverableResponse,
                as_is,
            ),
            work,
        )

    async def RunDueDrafts(
        self, request: pb.RunDueDraftsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.RunDueDraftsResponse:
        page_size = batch_size(request.page_size) if request.page_size else 0
        step = min(page_size, DEFAULT_BATCH_SIZE) if page_size else DEFAULT_BATCH_SIZE
        target = (optional_text(request, "hired_instance_id") or "").strip() or None
        start = page_tokens.decode(request.page_token)
        effective = optional_instant(request, "now")

        async def run(clock: datetime) -> pb.RunDueDraftsResponse:
            now, cursor = effective or clock, start
            generated: list[str] = []
            examined = 0
            while True:
                limit = min(step, page_size - examined) if page_size else step

                page, created = await self.units.in_transaction(
                    partial(
                        deliverables.run_due_page,
                        after=cursor,
                        hired_instance_id=target,
                        limit=limit,
                        at=now,
                    )
                )
                examined += len(page)
                generated += _grouped(page, created)
                if len(page) < limit:
                    return pb.RunDueDraftsResponse(
                        generated=len(generated),
                        deliverable_ids=generated,
                        instances_examined=examined,
                    )
                cursor = (page[-1]["created_at"], page[-1]["hired_instance_id"])
                if page_size and examined >= page_size:
                    return pb.RunDueDraftsResponse(
                        generated=len(generated),
                        deliverable_ids=generated,
                        instances_examined=examined,
                        next_page_token=page_tokens.encode(*cursor),
                    )

        return await self.units.job(
            Reply("DeliverablesService.RunDueDrafts", request, pb.RunDueDraftsResponse, as_is), run
        )

    async def ListReviews(
        self, request: pb.ListReviewsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListReviewsResponse:
        async def work(tx: Transaction) -> pb.ListReviewsResponse:
            page = await paging.read_page(
                deliverables.REVIEW_HISTORY,
                request,
                partial(deliverables.review_history, tx, request.deliverable_id),
                review_message,
            )
            return pb.ListReviewsResponse(reviews=page.items, next_page_token=page.next_page_token)

        return await self.units.read(work)

    async def ListExecutions(
        self, request: pb.ListExecutionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListExecutionsResponse:
        async def work(tx: Transaction) -> pb.ListExecutionsResponse:
            page = await paging.read_page(
                deliverables.EXECUTION_HISTORY,
                request,
                partial(deliverables.execution_history, tx, request.deliverable_id),
                execution_message,
            )
            return pb.ListExecutionsResponse(
                executions=page.items, next_page_token=page.next_page_token
            )

        return await self.units.read(work)

    async def ListEnforcementDenials(
        self, request: pb.ListEnforcementDenialsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListEnforcementDenialsResponse:
        size = batch_size(request.page_size)
        try:
            before = int(request.page_token) if request.page_token else None
        except ValueError:
            raise invalid(
                Reason.INVALID_PAGE_TOKEN, "page_token is not one this store issued"
            ) from None

        async def work(tx: Transaction) -> pb.ListEnforcementDenialsResponse:
            rows = await deliverables.denials_page(tx, request.deliverable_id or None, before, size)
            denials = paging.within_budget(denial_message(row) for row in rows)
            more = len(denials) < len(rows) or len(rows) == size
            token = str(rows[len(denials) - 1]["denial_id"]) if more else ""
            return pb.ListEnforcementDenialsResponse(denials=denials, next_page_token=token)

        return await self.units.read(work)
