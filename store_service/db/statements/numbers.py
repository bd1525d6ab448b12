"""The SQL of per-day document numbers (services/numbers.py says how they are drawn): each
statement exists once per count of kinds drawn together, kinds bound as kind_0, kind_1 …"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Text, bindparam, func, literal_column, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql

from store_service.db.models import NumberDayStart, NumberSequence, table_of
from store_service.db.sql import Statement, Transaction
from store_service.domain.records import DrawnNumber

sequences = table_of(NumberSequence)
starts = table_of(NumberDayStart)
# Receipts alone, or receipt and invoice of one order: both numbers in one round trip.
COUNTS = (1, 2)


def _kinds(count: int) -> list[Any]:
    return [bindparam(f"kind_{i}", type_=starts.c.kind.type) for i in range(count)]


def _sequence_of(kind: ColumnElement[str]) -> ColumnElement[Any]:
    """The kind's sequence, `document_numbers_<kind>` (created by migration 0006)."""
    return sql_cast(
        literal_column("'document_numbers_'", Text) + func.lower(kind), postgresql.REGCLASS
    )


def _counting(count: int) -> Statement:
    """One upsert that advances `count` counters (kind_0 … of one day) and returns them."""
    rows = [{"kind": kind, "day": bindparam("day"), "last_value": 1} for kind in _kinds(count)]
    upsert = postgresql.insert(sequences).values(rows)
    return Statement(
        upsert.on_conflict_do_update(
            index_elements=["kind", "day"], set_={"last_value": sequences.c.last_value + 1}
        ).returning(sequences.c.kind, sequences.c.last_value)
    )


def _drawing(count: int) -> Statement:
    """The next value of each kind's sequence, less the day's start; no row for a day that has
    not started (and then no value is drawn)."""
    drawn = func.nextval(_sequence_of(starts.c.kind)) - starts.c.start_value
    return Statement(
        select(starts.c.kind, drawn.label("last_value")).where(
            starts.c.day == bindparam("day"), starts.c.kind.in_(_kinds(count))
        )
    )


def _starting(count: int) -> Statement:
    """Records where the day starts in each kind's sequence: after the last value drawn."""
    rows = [
        {
            "kind": kind,
            "day": bindparam("day"),
            "start_value": func.coalesce(func.pg_sequence_last_value(_sequence_of(kind)), 0),
        }
        for kind in _kinds(count)
    ]
    return Statement(postgresql.insert(starts).values(rows).on_conflict_do_nothing())


DRAW = {count: _counting(count) for count in COUNTS}
DRAW_FROM_SEQUENCES = {count: _drawing(count) for count in COUNTS}
START_DAY = {count: _starting(count) for count in COUNTS}


def _params(kinds: tuple[str, ...], day: str) -> dict[str, str]:
    return {"day": day, **{f"kind_{i}": kind for i, kind in enumerate(kinds)}}


async def draw(
    tx: Transaction, statements: dict[int, Statement], kinds: tuple[str, ...], day: str
) -> list[DrawnNumber]:
    """The values `statements` (DRAW or DRAW_FROM_SEQUENCES) draw for these kinds of one day."""
    return cast("list[DrawnNumber]", await tx.rows(statements[len(kinds)], **_params(kinds, day)))


async def start_day(tx: Transaction, kinds: tuple[str, ...], day: str) -> None:
    await tx.execute(START_DAY[len(kinds)], **_params(kinds, day))
