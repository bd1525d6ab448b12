"""Walks orders -> subscriptions -> instances -> goals -> deliverables -> approvals and reports
every broken invariant; an empty list means the database is consistent."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Each query returns the offending rows of one invariant.
INVARIANTS = {
    "order without its subscription": """
        SELECT o.order_id FROM orders o
        LEFT JOIN subscriptions s ON s.subscription_id = o.subscription_id
        WHERE s.subscription_id IS NULL""",
    "paid order with a pending subscription": """
        SELECT o.order_id FROM orders o JOIN subscriptions s USING (subscription_id)
        WHERE o.status = 'paid' AND s.status = 'pending_payment'""",
    "paid order with a customer but no receipt": """
        SELECT o.order_id FROM orders o LEFT JOIN receipts r ON r.order_id = o.order_id
        WHERE o.status = 'paid' AND trim(coalesce(o.customer_id, '')) <> ''
          AND r.receipt_id IS NULL""",
    "paid order without its payment event": """
        SELECT o.order_id FROM orders o
        WHERE o.status = 'paid' AND NOT EXISTS (
            SELECT 1 FROM notification_events e
            WHERE e.event_type = 'payment_success' AND e.order_id = o.order_id)""",
    "receipt of an unpaid order": """
        SELECT r.receipt_id FROM receipts r JOIN orders o USING (order_id)
        WHERE o.status <> 'paid'""",
    "instance without its subscription": """
        SELECT h.hired_instance_id FROM hired_instances h
        LEFT JOIN subscriptions s ON s.subscription_id = h.subscription_id
        WHERE s.subscription_id IS NULL""",
    "active trial without a recorded start": """
        SELECT h.hired_instance_id FROM hired_instances h
        WHERE h.trial_status = 'active' AND NOT EXISTS (
            SELECT 1 FROM trial_transitions t
            WHERE t.hired_instance_id = h.hired_instance_id AND t.to_status = 'active')""",
    "goal of a missing instance": """
        SELECT g.goal_instance_id FROM goal_instances g
        LEFT JOIN hired_instances h ON h.hired_instance_id = g.hired_instance_id
        WHERE h.hired_instance_id IS NULL""",
    "deliverable of a missing instance": """
        SELECT d.deliverable_id FROM deliverables d
        LEFT JOIN hired_instances h ON h.hired_instance_id = d.hired_instance_id
        WHERE h.hired_instance_id IS NULL""",
    "approved deliverable without an approval id": """
        SELECT deliverable_id FROM deliverables
        WHERE review_status = 'approved' AND approval_id IS NULL""",
    "approval id on a deliverable that is not approved": """
        SELECT deliverable_id FROM deliverables
        WHERE review_status <> 'approved' AND approval_id IS NOT NULL""",
    "approval without its review record": """
        SELECT d.deliverable_id FROM deliverables d
        WHERE d.approval_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM deliverable_reviews r
            WHERE r.deliverable_id = d.deliverable_id AND r.approval_id = d.approval_id)""",
    "executed deliverable without an execution record": """
        SELECT d.deliverable_id FROM deliverables d
        WHERE d.execution_status = 'executed' AND NOT EXISTS (
            SELECT 1 FROM deliverable_executions e WHERE e.deliverable_id = d.deliverable_id)""",
    "two drafts for one goal period": """
        SELECT hired_instance_id FROM deliverables
        GROUP BY hired_instance_id, goal_instance_id, period_key HAVING count(*) > 1""",
}


async def broken_invariants(engine: AsyncEngine) -> dict[str, list[str]]:
    broken: dict[str, list[str]] = {}
    async with engine.connect() as connection:
        for name, query in INVARIANTS.items():
            rows = [str(row[0]) for row in await connection.execute(text(query))]
            if rows:
                broken[name] = rows
    return broken
