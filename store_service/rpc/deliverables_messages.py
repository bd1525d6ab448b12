"""Deliverable rows -> DeliverablesService messages."""

from __future__ import annotations

from plant.store.v1 import deliverables_pb2 as pb

from plant_store_client.wire.enums import EXECUTION_STATUS, REVIEW_DECISION, REVIEW_STATUS
from plant_store_client.wire.values import timestamp
from store_service.domain.records import (
    DeliverableExecutionRow,
    DeliverableReviewRow,
    DeliverableRow,
    EnforcementDenialRow,
)


def deliverable_message(row: DeliverableRow) -> pb.Deliverable:
    return pb.Deliverable(
        deliverable_id=row["deliverable_id"],
        hired_instance_id=row["hired_instance_id"],
        goal_instance_id=row["goal_instance_id"],
        goal_template_id=row["goal_template_id"],
        title=row["title"],
        payload_json=row["payload"],
        review_status=REVIEW_STATUS.value(row["review_status"]),
        review_notes=row["review_notes"],
        approval_id=row["approval_id"],
        execution_status=EXECUTION_STATUS.value(row["execution_status"]),
        executed_at=timestamp(row["executed_at"]),
        created_at=timestamp(row["created_at"]),
        updated_at=timestamp(row["updated_at"]),
        period_key=row["period_key"],
    )


def review_message(row: DeliverableReviewRow) -> pb.Review:
    return pb.Review(
        review_id=row["review_id"],
        deliverable_id=row["deliverable_id"],
        customer_id=row["customer_id"],
        decision=REVIEW_DECISION.value(row["decision"]),
        notes=row["notes"],
        approval_id=row["approval_id"],
        reviewed_at=timestamp(row["reviewed_at"]),
    )


def execution_message(row: DeliverableExecutionRow) -> pb.Execution:
    return pb.Execution(
        execution_id=row["execution_id"],
        deliverable_id=row["deliverable_id"],
        customer_id=row["customer_id"],
        approval_id=row["approval_id"],
        action=row["action"],
        correlation_id=row["correlation_id"],
        executed_at=timestamp(row["executed_at"]),
    )


def denial_message(row: EnforcementDenialRow) -> pb.EnforcementDenial:
    return pb.EnforcementDenial(
        denial_id=row["denial_id"],
        deliverable_id=row["deliverable_id"],
        reason=row["reason"],
        details_json=row["details"],
        correlation_id=row["correlation_id"],
        denied_at=timestamp(row["denied_at"]),
    )
