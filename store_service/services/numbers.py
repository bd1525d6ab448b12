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

from store_service.db.sql import Statement, Transaction
from store_service.db.statements import numbers as statements
from store_service.domain.billing import document_number


async def _values(
    tx: Transaction, drawing: dict[int, Statement], prefixes: tuple[str, ...], day: str
) -> dict[str, int]:
    drawn = await statements.draw(tx, drawing, prefixes, day)
    return {row["kind"]: int(row["last_value"]) for row in drawn}


async def _from_sequences(tx: Transaction, prefixes: tuple[str, ...], day: str) -> dict[str, int]:
    values = await _values(tx, statements.DRAW_FROM_SEQUENCES, prefixes, day)
    missing = tuple(prefix for prefix in prefixes if prefix not in values)
    if missing:
        # The day's first draw of these kinds: concurrent first draws wait on this insert, then
        # find its row; only the missing kinds draw again, so none burns a value.
        await statements.start_day(tx, missing, day)
        values |= await _values(tx, statements.DRAW_FROM_SEQUENCES, missing, day)
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
        values = await _values(tx, statements.DRAW, prefixes, day)
    return [document_number(prefix, now, values[prefix]) for prefix in prefixes]
