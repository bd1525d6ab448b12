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

NEXT = Statement(
    postgresql.insert(sequences)
    .values(kind=bindparam("kind"), day=bindparam("day"), last_value=1)
    .on_conflict_do_update(
        index_elements=["kind", "day"], set_={"last_value": sequences.c.last_value + 1}
    )
    .returning(sequences.c.last_value)
)


async def next_number(tx: Transaction, prefix: str, now: datetime) -> str:
    value = await tx.scalar(NEXT, kind=prefix, day=now.strftime("%Y%m%d"))
    return document_number(prefix, now, int(value))
