"""Deliverables: draft generation (one per goal and period), review and gated execution."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, cast

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, from_stored_json, to_json
from store_service.db.sql import Contended, Transaction
from store_service.db.statements import deliverables as sql
from store_service.domain.approvals import PolicyDenial, require_executable, review_outcome
from store_service.domain.drafts import Goal, draft_for
from store_service.domain.errors import not_found
from store_service.domain.hiring import require_owner_id, require_readable
from store_service.domain.periods import instance_zone, period_key
from store_service.domain.records import (
    DeliverableExecutionRow,
    DeliverableReviewRow,
    DeliverableRow,
    EligibleInstance,
    EnforcementDenialRow,
    GoalInstanceRow,
    LockedDeliverable,
)
from store_service.services.batches import DEFAULT_BATCH_SIZE
from store_service.services.hired_agents import (
    HiredAgentView,
    require_owner,
    require_view_readable,
)
from store_service.services.pages import PageQuery, Rows, cursor_after, page_start, read_rows
from store_service.services.units_of_work import R, Reply, UnitsOfWork


# Not frozen: one is made per instance of every scheduler page, and a frozen dataclass costs
# three times as much to make.
@dataclass(slots=True)
class _Owner:
    """An instance as drafts are made for it: its config parsed once for all its goals."""

    hired_instance_id: str
    agent_id: str
    config: Document

    @classmethod
    def of(cls, instance: EligibleInstance) -> _Owner:
        return cls(
            instance["hired_instance_id"],
            instance["agent_id"],
            from_stored_json(instance["config"]),
        )


def _draft_row(owner: _Owner, goal: GoalInstanceRow, key: str, at: datetime) -> DeliverableRow:
    settings = from_stored_json(goal["settings"])
    draft = draft_for(
        owner.agent_id,
        owner.config,
        Goal(goal["goal_instance_id"], goal["goal_template_id"], settings),
    )
    return {
        "deliverable_id": f"DEL-{uuid.uuid4()}",
        "hired_instance_id": owner.hired_instance_id,
        "goal_instance_id": goal["goal_instance_id"],
        "goal_template_id": goal["goal_template_id"],
        "period_key": key,
        "title": draft.title,
        "payload": to_json(draft.payload),
        "review_status": "pending_review",
        "review_notes": None,
        "approval_id": None,
        "execution_status": "not_executed",
        "executed_at": None,
        "created_at": at,
        "updated_at": at,
    }


def _missing_drafts(
    owners: dict[str, _Owner],
    goal_rows: Sequence[GoalInstanceRow],
    existing: set[sql.DraftKey],
    at: datetime,
) -> list[DeliverableRow]:
    """Draft rows for every goal whose current period has no deliverable yet."""
    missing = []
    for goal in goal_rows:
        owner = owners[goal["hired_instance_id"]]
        key = period_key(goal["frequency"], at, instance_zone(owner.config))
        if (goal["hired_instance_id"], goal["goal_instance_id"], key) not in existing:
            missing.append(_draft_row(owner, goal, key, at))
    return missing


async def _generate_due(
    tx: Transaction, instances: Sequence[EligibleInstance], at: datetime
) -> list[DeliverableRow]:
    """Creates the drafts due at `at` for these instances; returns the new rows.

    Drafts that exist are skipped before their content is computed, and the insert itself is
    ON CONFLICT DO NOTHING on (instance, goal, period), so concurrent generators never make a
    second draft for a period.
    """
    if not instances:
        return []
    by_id = {instance["hired_instance_id"]: _Owner.of(instance) for instance in instances}
    goal_rows = await sql.goals_of(tx, list(by_id))
    if not goal_rows:
        return []
    keys = {
        period_key(goal["frequency"], at, instance_zone(by_id[goal["hired_instance_id"]].config))
        for goal in goal_rows
    }
    existing = await sql.draft_keys(tx, list(by_id), keys)
    return await sql.insert_drafts(tx, _missing_drafts(by_id, goal_rows, existing, at))


async def list_deliverables(
    units: UnitsOfWork,
    hired_instance_id: str,
    raw_customer_id: str,
    retention_days: int,
    as_of: datetime | None,
    page: PageQuery,
) -> Rows[DeliverableRow]:
    """The first page (no cursor) generates what is due at `as_of` (or now) and lists every
    deliverable of the instance; a later page lists at most the page's size after its cursor."""
    after = cursor_after(sql.OF_INSTANCE, page)

    async def work(tx: Transaction, now: datetime) -> list[DeliverableRow]:
        at = as_of or now
        viewed = await sql.instance_with_goals(tx, hired_instance_id)
        view = HiredAgentView.joined(require_owner(viewed[0] if viewed else None, raw_customer_id))
        require_view_readable(view, retention_days, at)
        if after is not None:
            return await sql.page_of_instance(tx, hired_instance_id, after, page.size + 1)
        listed = await sql.all_of_instance(tx, hired_instance_id)
        existing = {sql.draft_key(row) for row in listed}
        owner = _Owner.of(viewed[0])
        missing = _missing_drafts({hired_instance_id: owner}, sql.goals_in(viewed), existing, at)
        if not missing:
            return listed
        created = await sql.insert_drafts(tx, missing)
        if len(created) < len(missing):  # a concurrent generator won some periods: read them
            return await sql.all_of_instance(tx, hired_instance_id)
        return sorted(
            [*listed, *created], key=lambda row: (row["created_at"], row["deliverable_id"])
        )

    # Listing only reads, then inserts missing drafts with ON CONFLICT DO NOTHING in one
    # statement: no transaction is needed around it.
    return Rows(await units.autocommit(work), sql.OF_INSTANCE.cursor)


@dataclass(frozen=True, slots=True)
class DueDrafts:
    """What one scheduler call did: the new drafts' ids (grouped per instance in the order the
    instances were examined, sorted within each), how many instances it examined, and where
    the next call resumes (None once every eligible instance has been examined)."""

    deliverable_ids: list[str]
    instances_examined: int
    resume_after: tuple[datetime, str] | None


def _grouped(page: Sequence[EligibleInstance], created: Sequence[DeliverableRow]) -> list[str]:
    """New ids grouped per instance in page order, sorted within each instance."""
    per_instance: dict[str, list[str]] = defaultdict(list)
    for row in created:
        per_instance[row["hired_instance_id"]].append(row["deliverable_id"])
    return [
        deliverable_id
        for instance in page
        for deliverable_id in sorted(per_instance.get(instance["hired_instance_id"], []))
    ]


async def _run_due_page(
    tx: Transaction,
    *,
    after: tuple[datetime, str] | None,
    hired_instance_id: str | None,
    limit: int,
    at: datetime,
) -> tuple[list[EligibleInstance], list[DeliverableRow]]:
    """One scheduler step: the next eligible instances and the drafts made for them."""
    page = await sql.eligible(tx, after, hired_instance_id, limit)
    return page, await _generate_due(tx, page, at)


async def run_due(
    units: UnitsOfWork,
    *,
    page_size: int,
    hired_instance_id: str | None,
    after: tuple[datetime, str] | None,
    now: datetime | None,
    reply: Reply[DueDrafts, R],
) -> R:
    """Generates the drafts due at `now` (or the job's clock) for the eligible instances after
    `after`, at most `page_size` of them (0: all), one transaction per batch of instances."""
    step = min(page_size, DEFAULT_BATCH_SIZE) if page_size else DEFAULT_BATCH_SIZE

    async def run(clock: datetime) -> DueDrafts:
        at, cursor = now or clock, after
        generated: list[str] = []
        examined = 0
        while True:
            limit = min(step, page_size - examined) if page_size else step
            page, created = await units.in_transaction(
                partial(
                    _run_due_page,
                    after=cursor,
                    hired_instance_id=hired_instance_id,
                    limit=limit,
                    at=at,
                )
            )
            examined += len(page)
            generated += _grouped(page, created)
            if len(page) < limit:
                return DueDrafts(generated, examined, None)
            cursor = (page[-1]["created_at"], page[-1]["hired_instance_id"])
            if page_size and examined >= page_size:
                return DueDrafts(generated, examined, cursor)

    return await units.job(reply, run)


async def _reviewable(
    tx: Transaction,
    raw_deliverable_id: str,
    raw_customer_id: str,
    retention_days: int,
    now: datetime,
) -> LockedDeliverable:
    """The deliverable (locked), for the owner of its instance, while readable."""
    deliverable = await sql.locked(tx, raw_deliverable_id.strip())
    if deliverable is None:
        raise not_found(Reason.DELIVERABLE_NOT_FOUND, "Deliverable not found.")
    require_owner(
        deliverable if deliverable["owner_instance_id"] else None,
        raw_customer_id,
        customer_key="owner_customer_id",
    )
    require_readable(
        deliverable["subscription_status"],
        deliverable["subscription_ended_at"],
        retention_days,
        now,
    )
    return deliverable


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    deliverable_id: str
    customer_id: str
    # A REVIEW_DECISION name.
    decision: str
    notes: str | None
    approval_id: str | None


async def review(
    units: UnitsOfWork,
    decision: ReviewDecision,
    retention_days: int,
    reply: Reply[DeliverableRow, R],
) -> R:
    """Records a customer's review of a deliverable and its new review state."""
    # One guarded update (with its history row) after reads: no transaction needed unless a
    # concurrent writer changed what was read.
    return await units.write_at_once(
        reply, partial(_review, decision=decision, retention_days=retention_days)
    )


async def _review(
    tx: Transaction, now: datetime, *, decision: ReviewDecision, retention_days: int
) -> DeliverableRow:
    current = await _reviewable(
        tx, decision.deliverable_id, decision.customer_id, retention_days, now
    )
    outcome = review_outcome(
        decision.decision, decision.notes, decision.approval_id, current["approval_id"]
    )
    return await _change_and_record(
        tx,
        sql.REVIEW,
        {
            "key": current["deliverable_id"],
            "seen_approval_id": current["approval_id"],
            "review_status": outcome.review_status,
            "approval_id": outcome.approval_id,
            "review_notes": outcome.review_notes,
            "updated_at": now,
        },
        customer_id=require_owner_id(decision.customer_id),
        decision=decision.decision,
        notes=outcome.review_notes,
        approval_id=outcome.approval_id,
        reviewed_at=now,
    )


@dataclass(frozen=True, slots=True)
class ExecutionRequest:
    deliverable_id: str
    customer_id: str
    approval_id: str | None
    correlation_id: str


async def execute(
    units: UnitsOfWork,
    execution: ExecutionRequest,
    retention_days: int,
    reply: Reply[DeliverableRow, R],
) -> R:
    """Executes an approved deliverable; a refused execution is recorded as a denial."""
    # Like a review: one guarded write after reads (or one denial insert before a refusal).
    return await units.write_at_once(
        reply, partial(_execute, execution=execution, retention_days=retention_days)
    )


async def _execute(
    tx: Transaction, now: datetime, *, execution: ExecutionRequest, retention_days: int
) -> DeliverableRow:
    current = await _reviewable(
        tx, execution.deliverable_id, execution.customer_id, retention_days, now
    )
    customer_id = require_owner_id(execution.customer_id)
    try:
        action, approved_by = require_executable(
            current["deliverable_id"],
            current["review_status"],
            current["approval_id"],
            from_stored_json(current["payload"]),
            execution.approval_id,
        )
    except PolicyDenial as denial:
        await tx.execute(
            sql.APPEND_DENIAL,
            deliverable_id=current["deliverable_id"],
            customer_id=customer_id,
            reason=denial.reason,
            details=to_json(denial.details),
            correlation_id=execution.correlation_id,
            denied_at=now,
        )
        raise
    return await _change_and_record(
        tx,
        sql.EXECUTION,
        {"key": current["deliverable_id"], "approved_by": current["approval_id"], "now": now},
        customer_id=customer_id,
        approval_id=approved_by,
        action=action,
        correlation_id=execution.correlation_id,
        executed_at=now,
    )


async def _change_and_record(
    tx: Transaction, guarded: sql.GuardedChange, change: dict[str, Any], **history: Any
) -> DeliverableRow:
    """The changed deliverable, its history row written. A failed guard means the deliverable
    changed since it was read, which only happens when nothing locked it: `Contended`."""
    changed = await sql.change_and_record(tx, guarded, change, **history)
    if changed is None:
        raise Contended()
    return changed


async def review_history(
    units: UnitsOfWork, deliverable_id: str, page: PageQuery
) -> Rows[DeliverableReviewRow]:
    """A page of a deliverable's reviews, oldest first."""
    start = page_start(sql.REVIEW_HISTORY, page)

    async def work(tx: Transaction) -> Rows[DeliverableReviewRow]:
        rows = await read_rows(tx, start, deliverable_id=deliverable_id)
        return cast("Rows[DeliverableReviewRow]", rows)

    return await units.read(work)


async def execution_history(
    units: UnitsOfWork, deliverable_id: str, page: PageQuery
) -> Rows[DeliverableExecutionRow]:
    """A page of a deliverable's executions, oldest first."""
    start = page_start(sql.EXECUTION_HISTORY, page)

    async def work(tx: Transaction) -> Rows[DeliverableExecutionRow]:
        rows = await read_rows(tx, start, deliverable_id=deliverable_id)
        return cast("Rows[DeliverableExecutionRow]", rows)

    return await units.read(work)


async def denials(
    units: UnitsOfWork, deliverable_id: str | None, before: int | None, limit: int
) -> list[EnforcementDenialRow]:
    """At most `limit` recorded denials before the denial id `before`, newest first,
    optionally of one deliverable."""
    return await units.read(
        partial(sql.denials_before, deliverable_id=deliverable_id, before=before, limit=limit)
    )
