"""Review decisions and the approval gate of execution (5.13, 5.14)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from plant_store_client.reasons import Reason
from store_service.domain.errors import DomainError, ErrorKind, failed_precondition
from store_service.domain.values import trim

APPROVAL_ACTIONS = frozenset({"publish", "send", "post", "place_order", "close_position"})


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    review_status: str
    approval_id: str | None
    review_notes: str | None


def review_outcome(
    decision: str,
    notes: str | None,
    requested_approval_id: str | None,
    current_approval_id: str | None,
) -> ReviewOutcome:
    """Approve keeps (or takes the given) approval id, else issues one; reject clears it."""
    review_notes = trim(notes) or None
    if decision == "rejected":
        return ReviewOutcome("rejected", None, review_notes)
    approval_id = trim(requested_approval_id) or current_approval_id or f"APR-{uuid.uuid4()}"
    return ReviewOutcome("approved", approval_id, review_notes)


def execution_action(payload: dict[str, Any]) -> str:
    return trim(payload.get("intent_action")) or "publish"


class PolicyDenial(DomainError):
    """Execution refused by policy; the denial is recorded, so its writes are kept."""

    def __init__(self, reason: Reason, details: dict[str, str]) -> None:
        super().__init__(
            ErrorKind.PERMISSION_DENIED,
            reason,
            "Policy denied deliverable execution",
            details,
            keeps_writes=True,
        )
        self.details = details


def require_executable(
    deliverable_id: str,
    review_status: str,
    stored_approval_id: str | None,
    payload: dict[str, Any],
    provided_approval_id: str | None,
) -> tuple[str, str]:
    """(action, approval id) of an allowed execution; raises the contract's refusals."""
    if review_status != "approved":
        raise failed_precondition(Reason.DELIVERABLE_NOT_APPROVED, "Deliverable is not approved.")
    action = execution_action(payload)
    provided = trim(provided_approval_id)
    if action.lower() in APPROVAL_ACTIONS and not provided:
        raise PolicyDenial(
            Reason.APPROVAL_REQUIRED,
            {
                "action": action,
                "message": "External action requires customer approval_id",
                "deliverable_id": deliverable_id,
                "decision_id": str(uuid.uuid4()),
            },
        )
    if not stored_approval_id or provided != trim(stored_approval_id):
        raise PolicyDenial(
            Reason.APPROVAL_INVALID,
            {
                "deliverable_id": deliverable_id,
                "action": action,
                "message": "Invalid approval_id for execution",
            },
        )
    return action, provided
