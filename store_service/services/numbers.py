"""Per-day document numbers: unique and increasing per kind and day, safe across processes.

PostgreSQL: each kind draws from its own sequence, and a day's number is the drawn value minus
where that day started in the sequence (`number_day_starts`, written once by the day's first
draw). Drawing takes no row lock, so checkouts never queue on a shared row and a session
holding that row cannot stall them; a rolled-back transaction leaves a gap instead
(docs/decisions.md).

SQLite, where writers take turns anyway: an upsert on the (kind, day) counter row, gap-free.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, bindparam, cast, func, literal_column, select
from sqlalchemy.dialects import postgresql

from store_service.db.models import NumberDayStart, NumberSequence, table_of
from store_service.db.sql import Statement, Transaction
from store_service.domain.billing import document_number

sequences = table_of(NumberSequence)
starts = table_of(NumberDayStart)
# Receipts alone, or receipt and invoice of one order: both numbers in one round trip.
COUNTS = (1, 2)


def _kinds(count: int) -> list[Any]:
    return [bindparam(f"kind_{i}", type_=starts.c.kind.type) for i in range(count)]


def _sequence_of(kind: ColumnElement[str]) -> ColumnElement[Any]:
    """The kind's sequence, `document_numbers_<kind>` (created by migration 0006)."""
    return cast(literal_column("'document_numbers_'", Text) + func.lower(kind), postgresql.REGCLASS)


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


def _params(prefixes: tuple[str, ...], day: str) -> dict[str, str]:
    return {"day": day, **{f"kind_{i}": prefix for i, prefix in enumerate(prefixes)}}


async def _values(
    tx: Transaction, statements: dict[int, Statement], prefixes: tuple[str, ...], day: str
) -> dict[str, int]:
    drawn = await tx.rows(statements[len(prefixes)], **_params(prefixes, day))
    return {row["kind"]: int(row["last_value"]) for row in drawn}


async def _from_sequences(tx: Transaction, prefixes: tuple[str, ...], day: str) -> dict[str, int]:
    values = await _values(tx, DRAW_FROM_SEQUENCES, prefixes, day)
    missing = tuple(prefix for prefix in prefixes if prefix not in values)
    if missing:
        # The day's first draw of these kinds: concurrent first draws wait on this insert, then
        # find its row; only the missing kinds draw again, so none burns a value.
        await tx.execute(START_DAY[len(missing)], **_params(missing, day))
        values |= await _values(tx, DRAW_FROM_SEQUENCES, missing, day)
    return values


async def next_numbers(tx: Transaction, prefixes: tuple[str, ...], now: datetime) -> list[str]:
    """The next number of each prefix, in the order given.

    SQLite counters are locked in that order; every caller names receipts before invoices, so
    two transactions drawing both queue on the first counter instead of deadlocking.
    """
    day = now.strftime("%Y%m%d")
    if tx.dialect == "postgresql":
        values = await _from_sequences(tx, prefixes, day)
    else:
        values = await _values(tx, DRAW, prefixes, day)
    return [document_number(prefix, now, values[prefix]) for prefix in prefixes]
