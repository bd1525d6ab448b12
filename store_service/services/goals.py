"""Goal instances of a hired agent: list, upsert and delete, validated against the catalog."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, from_stored_json, to_json
from store_service.db.keyset import Key, Keyset
from store_service.db.models import AgentType, GoalInstance, HiredInstance, table_of
from store_service.db.sql import Row, Statement, Transaction, all_columns
from store_service.domain.errors import invalid
from store_service.domain.goals import (
    find_template,
    normalise_frequency,
    require_agent_type,
    require_settings,
)
from store_service.domain.hiring import AGENT_TYPE_PREFIXES
from store_service.services.hired_agents import (
    locked_for_write,
    owned_for_write,
    owned_view,
    require_view_readable,
    require_view_writable,
)
from store_service.services.pages import PageQuery, Rows, read_rows
from store_service.services.units_of_work import R, Reply, UnitsOfWork

goals = table_of(GoalInstance)
agent_types = table_of(AgentType)
instances = table_of(HiredInstance)

GOALS_OF = Keyset(
    select(goals).where(goals.c.hired_instance_id == bindparam("hired_instance_id")),
    Key(goals.c.created_at),
    Key(goals.c.goal_instance_id),
)
DEFINITION = Statement(
    select(agent_types.c.document).where(agent_types.c.agent_type_id == bindparam("agent_type_id"))
)
# agent_type_for in SQL, from the same prefixes.
_AGENT_TYPE = case(
    *(
        (func.upper(func.trim(instances.c.agent_id)).startswith(prefix, autoescape=True), kind)
        for prefix, kind in AGENT_TYPE_PREFIXES
    )
)
# A goal write reads its agent type's definition in the statement that locks the instance.
LOCK_WITH_DEFINITION = locked_for_write(
    _AGENT_TYPE.label("definition_type"),
    select(agent_types.c.document)
    .where(agent_types.c.agent_type_id == _AGENT_TYPE)
    .scalar_subquery()
    .label("definition"),
)
_UPSERT = postgresql.insert(goals).values(all_columns(goals))
UPSERT = Statement(
    _UPSERT.on_conflict_do_update(
        index_elements=["hired_instance_id", "goal_instance_id"],
        set_={
            "goal_template_id": _UPSERT.excluded.goal_template_id,
            "frequency": _UPSERT.excluded.frequency,
            "settings": _UPSERT.excluded.settings,
            "updated_at": _UPSERT.excluded.updated_at,
        },
    ).returning(*goals.c)
)
DELETE = Statement(
    delete(goals)
    .where(
        goals.c.hired_instance_id == bindparam("hired_instance_id"),
        goals.c.goal_instance_id == bindparam("goal_instance_id"),
    )
    .returning(goals.c.goal_instance_id)
)


async def list_goals(
    units: UnitsOfWork,
    hired_instance_id: str,
    raw_customer_id: str,
    retention_days: int,
    as_of: datetime | None,
    page: PageQuery,
) -> Rows[Row]:
    """A page of the instance's goals in creation order, while its data is kept."""
    at = as_of or units.clock()

    async def work(tx: Transaction) -> Rows[Row]:
        view = await owned_view(tx, hired_instance_id, raw_customer_id)
        require_view_readable(view, retention_days, at)
        return await read_rows(tx, GOALS_OF, page, hired_instance_id=hired_instance_id)

    return await units.read(work)


async def _definition(tx: Transaction, locked: Row) -> dict[str, Any] | None:
    """The definition read with the lock, when SQL chose the agent type Python chooses."""
    agent_type_id = require_agent_type(locked["agent_id"])
    definition: str | None = locked["definition"]
    if locked["definition_type"] != agent_type_id:
        # SQL's trim and upper know fewer characters than Python's: read by Python's choice.
        definition = await tx.scalar(DEFINITION, agent_type_id=agent_type_id)
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


async def upsert_goal(units: UnitsOfWork, change: GoalChange, reply: Reply[Row, R]) -> R:
    """Creates or replaces one goal; a replaced goal keeps its creation time."""
    return await units.write(reply, partial(_upsert_goal, change=change))


async def _upsert_goal(tx: Transaction, now: datetime, *, change: GoalChange) -> Row:
    view = await owned_for_write(
        tx, change.hired_instance_id, change.customer_id, LOCK_WITH_DEFINITION
    )
    require_view_writable(view)
    frequency = normalise_frequency(change.frequency)
    definition = await _definition(tx, view.instance)
    template_id = change.goal_template_id.strip()
    require_settings(find_template(definition, template_id), change.settings)
    row = await tx.first(
        UPSERT,
        hired_instance_id=change.hired_instance_id,
        goal_instance_id=(change.goal_instance_id or "").strip() or f"GOI-{uuid.uuid4()}",
        goal_template_id=template_id,
        frequency=frequency,
        settings=to_json(change.settings),
        created_at=now,
        updated_at=now,
    )
    assert row is not None
    return row


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
    deleted = await tx.first(
        DELETE, hired_instance_id=hired_instance_id, goal_instance_id=goal_instance_id
    )
    return GoalDeletion(deleted is not None, goal_instance_id)
