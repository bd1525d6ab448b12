"""Goal instances of a hired agent: list, upsert and delete, validated against the catalog."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import from_stored_json, to_json
from store_service.db.keyset import Cursor, Key, Keyset
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
    tx: Transaction,
    hired_instance_id: str,
    raw_customer_id: str,
    retention_days: int,
    at: datetime,
    page: tuple[Cursor | None, int],
) -> list[Row]:
    """A page (after a cursor, a limit) of the instance's goals in creation order."""
    view = await owned_view(tx, hired_instance_id, raw_customer_id)
    require_view_readable(view, retention_days, at)
    after, limit = page
    return await GOALS_OF.page(tx, after, limit, hired_instance_id=hired_instance_id)


async def _definition(tx: Transaction, locked: Row) -> dict[str, Any] | None:
    """The definition read with the lock, when SQL chose the agent type Python chooses."""
    agent_type_id = require_agent_type(locked["agent_id"])
    definition: str | None = locked["definition"]
    if locked["definition_type"] != agent_type_id:
        # SQL's trim and upper know fewer characters than Python's: read by Python's choice.
        definition = await tx.scalar(DEFINITION, agent_type_id=agent_type_id)
    return None if definition is None else from_stored_json(definition)


async def upsert_goal(
    tx: Transaction,
    *,
    hired_instance_id: str,
    raw_customer_id: str,
    goal_instance_id: str | None,
    goal_template_id: str,
    frequency: str,
    settings: dict[str, Any],
    now: datetime,
) -> Row:
    """Creates or replaces one goal; a replaced goal keeps its creation time."""
    view = await owned_for_write(tx, hired_instance_id, raw_customer_id, LOCK_WITH_DEFINITION)
    require_view_writable(view)
    frequency = normalise_frequency(frequency)
    definition = await _definition(tx, view.instance)
    template_id = goal_template_id.strip()
    require_settings(find_template(definition, template_id), settings)
    row = await tx.first(
        UPSERT,
        hired_instance_id=hired_instance_id,
        goal_instance_id=(goal_instance_id or "").strip() or f"GOI-{uuid.uuid4()}",
        goal_template_id=template_id,
        frequency=frequency,
        settings=to_json(settings),
        created_at=now,
        updated_at=now,
    )
    assert row is not None
    return row


async def delete_goal(
    tx: Transaction, hired_instance_id: str, raw_customer_id: str, raw_goal_instance_id: str
) -> tuple[bool, str]:
    """Removes a goal if present; its deliverables stay."""
    view = await owned_for_write(tx, hired_instance_id, raw_customer_id)
    require_view_writable(view)
    goal_instance_id = raw_goal_instance_id.strip()
    if not goal_instance_id:
        raise invalid(Reason.GOAL_INSTANCE_ID_REQUIRED, "goal_instance_id is required.")
    deleted = await tx.first(
        DELETE, hired_instance_id=hired_instance_id, goal_instance_id=goal_instance_id
    )
    return deleted is not None, goal_instance_id
