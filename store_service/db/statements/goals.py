"""The SQL of goal instances, and of the agent type definition a goal write checks against."""

from __future__ import annotations

from typing import cast

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql

from store_service.db.keyset import Key, Keyset
from store_service.db.models import AgentType, GoalInstance, HiredInstance, table_of
from store_service.db.sql import Statement, Transaction, all_columns
from store_service.db.statements.hired_agents import locked_for_write
from store_service.domain.hiring import AGENT_TYPE_PREFIXES
from store_service.domain.records import GoalInstanceRow, InstanceWithDefinition

goals = table_of(GoalInstance)
agent_types = table_of(AgentType)
instances = table_of(HiredInstance)

GOALS_OF = Keyset(
    select(goals).where(goals.c.hired_instance_id == bindparam("hired_instance_id")),
    Key(goals.c.created_at),
    Key(goals.c.goal_instance_id),
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


async def lock_with_definition(
    tx: Transaction, hired_instance_id: str
) -> InstanceWithDefinition | None:
    row = await tx.first(LOCK_WITH_DEFINITION, hired_instance_id=hired_instance_id)
    return cast("InstanceWithDefinition | None", row)


async def upsert(tx: Transaction, goal: GoalInstanceRow) -> GoalInstanceRow:
    row = await tx.first(UPSERT, **goal)
    assert row is not None
    return cast(GoalInstanceRow, row)


async def delete_goal(tx: Transaction, hired_instance_id: str, goal_instance_id: str) -> bool:
    """Whether the goal was there to delete."""
    deleted = await tx.first(
        DELETE, hired_instance_id=hired_instance_id, goal_instance_id=goal_instance_id
    )
    return deleted is not None
