"""Deferred writes (`Transaction.later`) land exactly when their unit of work does, on both
backends: with the next statement or at commit, never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, literal_column, select

from store_service.db.database import Database
from store_service.db.models import NumberSequence, table_of
from store_service.db.sql import Statement
from store_service.db.statements.numbers import DRAW

sequences = table_of(NumberSequence)

SET_COUNTER = Statement(
    insert(sequences).values(
        kind=bindparam("kind"), day=bindparam("day"), last_value=bindparam("last_value")
    )
)
COUNTERS = Statement(
    select(sequences.c.kind, sequences.c.last_value)
    .where(sequences.c.day == bindparam("day"))
    .order_by(sequences.c.kind)
)
_DOUBLED = select((bindparam("value") * 2).label("doubled")).cte("doubled")
# A main statement with a WITH clause of its own and a parameter.
DOUBLED = Statement(select(_DOUBLED.c.doubled, literal_column("1").label("one")))


async def counters(database: Database, day: str) -> dict[str, int]:
    async with database.reader() as tx:
        return {row["kind"]: row["last_value"] for row in await tx.rows(COUNTERS, day=day)}


async def test_deferred_writes_travel_with_the_next_statement_and_commit(
    database: Database,
) -> None:
    async with database.transaction() as tx:
        tx.later(SET_COUNTER, kind="A", day="d1", last_value=11)
        tx.later(SET_COUNTER, kind="B", day="d1", last_value=22)
        # The carrying statement keeps its own parameters apart from theirs.
        drawn = await tx.first(DRAW[1], kind_0="C", day="d1")
        assert drawn is not None and drawn["last_value"] == 1
        tx.later(SET_COUNTER, kind="D", day="d1", last_value=44)
        await tx.commit()
    assert await counters(database, "d1") == {"A": 11, "B": 22, "C": 1, "D": 44}


async def test_a_statement_with_its_own_with_clause_carries_deferred_writes(
    database: Database,
) -> None:
    async with database.transaction() as tx:
        tx.later(SET_COUNTER, kind="A", day="d2", last_value=5)
        row = await tx.first(DOUBLED, value=21)
        await tx.commit()
    assert row is not None
    assert (row["doubled"], row["one"]) == (42, 1)
    assert await counters(database, "d2") == {"A": 5}


async def test_a_rolled_back_unit_sends_none_of_its_deferred_writes(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            await tx.first(DRAW[1], kind_0="A", day="d3")
            tx.later(SET_COUNTER, kind="B", day="d3", last_value=2)
            raise RuntimeError("refused")
    assert await counters(database, "d3") == {}


async def test_autocommit_work_sends_what_is_still_pending(database: Database) -> None:
    async with database.autocommit() as tx:
        tx.later(SET_COUNTER, kind="A", day="d4", last_value=7)
    assert await counters(database, "d4") == {"A": 7}


async def test_a_failing_deferred_write_fails_its_unit(database: Database) -> None:
    async with database.transaction() as tx:
        tx.later(SET_COUNTER, kind="A", day="d5", last_value=1)
        await tx.commit()
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        async with database.transaction() as tx:
            tx.later(SET_COUNTER, kind="B", day="d5", last_value=1)
            tx.later(SET_COUNTER, kind="A", day="d5", last_value=2)
            await tx.commit()
    assert await counters(database, "d5") == {"A": 1}
