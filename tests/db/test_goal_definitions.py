"""A goal write reads its agent type's definition with the instance lock; an agent id that SQL
and Python normalise differently still finds the definition Python's rule names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf.empty_pb2 import Empty
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import insert

from store_service.db.database import Database
from store_service.db.models import HiredInstance, Subscription, table_of
from store_service.domain.errors import DomainError
from store_service.domain.records import GoalInstanceRow
from store_service.services import goals
from store_service.services.goals import GoalChange
from store_service.services.units_of_work import Reply, UnitsOfWork
from tests.seeds import instance_row, subscription_row

NOW = datetime(2026, 11, 26, tzinfo=UTC)
SETTINGS = {"coin": "BTC", "side": "buy", "units": 1}


async def hire(database: Database, index: int, agent_id: str) -> str:
    async with database.transaction() as tx:
        await tx.execute(insert(table_of(Subscription)).values(subscription_row(index)))
        row = instance_row(index, agent_id=agent_id)
        await tx.execute(insert(table_of(HiredInstance)).values(row))
        await tx.commit()
    return str(row["hired_instance_id"])


async def add_goal(database: Database, index: int, template: str) -> str:
    change = GoalChange(
        hired_instance_id=f"HAI-{index:04d}",
        customer_id=f"c{index}",
        goal_instance_id=None,
        goal_template_id=template,
        frequency="on_demand",
        settings=SETTINGS,
    )
    reply: Reply[GoalInstanceRow, StringValue] = Reply(
        "HiringService.UpsertGoal",
        Empty(),
        StringValue,
        lambda goal: StringValue(value=goal["goal_template_id"]),
    )
    answer = await goals.upsert_goal(UnitsOfWork(database, lambda: NOW), change, reply)
    return answer.value


@pytest.mark.parametrize(
    "agent_id",
    [
        "AGT-TRD-DELTA-001",
        "agt-trd-delta-001",  # upper-cased by both
        "\tAGT-TRD-DELTA-001\n",  # Python's strip removes tabs and newlines, SQL's trim does not
    ],
)
async def test_the_goal_is_checked_against_the_agent_types_definition(
    database: Database, agent_id: str
) -> None:
    await hire(database, 1, agent_id)
    assert await add_goal(database, 1, "trading.trade_intent_draft.v1") == (
        "trading.trade_intent_draft.v1"
    )
    with pytest.raises(DomainError, match="Unknown goal_template_id"):
        await add_goal(database, 1, "marketing.no_such_template.v1")


async def test_an_agent_id_of_no_known_type_is_refused(database: Database) -> None:
    await hire(database, 2, "AGT-XYZ-1")
    with pytest.raises(DomainError, match="Unknown agent type"):
        await add_goal(database, 2, "trading.trade_intent_draft.v1")
