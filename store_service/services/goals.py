"""Goal instances of a hired agent: list, upsert and delete, validated against the catalog."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, cast

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, from_stored_json, to_json
from store_service.db.sql import Transaction
from store_service.db.statements import catalog as catalog_statements
from store_service.db.statements import goals as statements
from store_service.domain.errors import invalid
from store_service.domain.goals import (
    find_template,
    normalise_frequency,
    require_agent_type,
    require_settings,
)
from store_service.domain.records import GoalInstanceRow, InstanceWithDefinition
from store_service.services.hired_agents import (
    HiredAgentView,
    owned_for_write,
    owned_view,
    require_owner,
    require_view_readable,
    require_view_writable,
)
from store_service.services.pages import PageQuery, Rows, page_start, read_rows
from store_service.services.units_of_work import R, Reply, UnitsOfWork


async def list_goals(
    units: UnitsOfWork,
    hired_instance_id: str,
    raw_customer_id: str,
    retention_days: int,
    as_of: datetime | None,
    page: PageQuery,
) -> Rows[GoalInstanceRow]:
    """A page of the instance's goals in creation order, while its data is kept."""
    start = page_start(statements.GOALS_OF, page)
    at = as_of or units.clock()

    async def work(tx: Transaction) -> Rows[GoalInstanceRow]:
        view = await owned_view(tx, hired_instance_id, raw_customer_id)
        require_view_readable(view, retention_days, at)
        rows = await read_rows(tx, start, hired_instance_id=hired_instance_id)
        return cast("Rows[GoalInstanceRow]", rows)

    return await units.read(work)


async def _definition(tx: Transaction, locked: InstanceWithDefinition) -> dict[str, Any] | None:
    """The definition read with the lock, when SQL chose the agent type Python chooses."""
    agent_type_id = require_agent_type(locked["agent_id"])
    definition: str | None = locked["definition"]
    if locked["definition_type"] != agent_type_id:
        # SQL's trim and upper know fewer characters than Python's: read by Python's choice.
        definition = await catalog_statements.current_document(tx, agent_type_id)
    return None if definition is None else from_stored_json(definition)


@dataclass(frozen=True, slots=True)
class GoalChange:
    hired_instance_id: str
    customer_id: str
    # None (or blank) creates a goal with a new id.
    goal_instance_id: str | None
    goal_template_id: str
    frequency: str
    settings: Document


async def upsert_goal(
    units: UnitsOfWork, change: GoalChange, reply: Reply[GoalInstanceRow, R]
) -> R:
    """Creates or replaces one goal; a replaced goal keeps its creation time."""
    return await units.write(reply, partial(_upsert_goal, change=change))


async def _upsert_goal(tx: Transaction, now: datetime, *, change: GoalChange) -> GoalInstanceRow:
    # owned_for_write, by the lock that also reads the agent type's definition.
    locked = require_owner(
        await statements.lock_with_definition(tx, change.hired_instance_id), change.customer_id
    )
    require_view_writable(HiredAgentView.joined(locked))
    frequency = normalise_frequency(change.frequency)
    definition = await _definition(tx, locked)
    template_id = change.goal_template_id.strip()
    require_settings(find_template(definition, template_id), change.settings)
    return await statements.upsert(
        tx,
        GoalInstanceRow(
            hired_instance_id=change.hired_instance_id,
            goal_instance_id=(change.goal_instance_id or "").strip() or f"GOI-{uuid.uuid4()}",
            goal_template_id=template_id,
            frequency=frequency,
            settings=to_json(change.settings),
            created_at=now,
            updated_at=now,
        ),
    )


@dataclass(frozen=True, slots=True)
class GoalDeletion:
    deleted: bool
    goal_instance_id: str


async def delete_goal(
    units: UnitsOfWork,
    hired_instance_id: str,
    raw_customer_id: str,
    raw_goal_instance_id: str,
    reply: Reply[GoalDeletion, R],
) -> R:
    """Removes a goal if present; its deliverables stay."""
    return await units.write(
        reply,
        partial(
            _delete_goal,
            hired_instance_id=hired_instance_id,
            raw_customer_id=raw_customer_id,
            raw_goal_instance_id=raw_goal_instance_id,
        ),
    )


async def _delete_goal(
    tx: Transaction,
    now: datetime,
    *,
    hired_instance_id: str,
    raw_customer_id: str,
    raw_goal_instance_id: str,
) -> GoalDeletion:
    view = await owned_for_write(tx, hired_instance_id, raw_customer_id)
    require_view_writable(view)
    goal_instance_id = raw_goal_instance_id.strip()
    if not goal_instance_id:
        raise invalid(Reason.GOAL_INSTANCE_ID_REQUIRED, "goal_instance_id is required.")
    deleted = await statements.delete_goal(tx, hired_instance_id, goal_instance_id)
    return GoalDeletion(deleted, goal_instance_id)
