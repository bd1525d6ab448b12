"""Per-day document numbers from a counter row: unique, gap-free, safe across processes.

The increment is an upsert on the (kind, day) row, so concurrent transactions queue on that row
and a rolled-back transaction gives its number back. Callers draw numbers as late as possible
in their transaction to keep that row lock short.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql

from store_service.db.models import NumberSequence, table_of
from store_service.db.sql import Statement, Transaction
from store_service.domain.billing import document_number

sequences = table_of(NumberSequence)


def _drawing(count: int) -> Statement:
    """One upsert that advances `count` counters (kind_0 … of one day) and returns them."""
    rows = [
        {"kind": bindparam(f"kind_{i}"), "day": bindparam("day"), "last_value": 1}
        for i in range(count)
    ]
    upsert = postgresql.insert(sequences).values(rows)
    return Statement(
        upsert.on_conflict_do_update(
            index_elements=["kind", "day"], set_={"last_value": sequences.c.last_value + 1}
        ).returning(sequences.c.kind, sequences.c.last_value)
    )


# Receipts alone, or receipt and invoice of one order: both numbers in one round trip.
DRAW = {count: _drawing(count) for count in (1, 2)}


async def next_numbers(tx: Transaction, prefixes: tuple[str, ...], now: datetime) -> list[str]:
    """The next number of each prefix, in the order given.

    Counters are locked in that order; every caller names receipts before invoices, so two
    transactions drawing both queue on the first counter instead of deadlocking.
    """
    drawn = await tx.rows(
        DRAW[len(prefixes)],
        day=now.strftime("%Y%m%d"),
        **{f"kind_{i}": prefix for i, prefix in enumerate(prefixes)},
    )
    values = {row["kind"]: int(row["last_value"]) for row in drawn}
    return [document_number(prefix, now, values[prefix]) for prefix in prefixes]
