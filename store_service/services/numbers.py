"""Per-day document numbers from a counter row: unique, gap-free, safe across processes.

The increment is an upsert on the (kind, day) row, so concurrent transactions queue on that row
and a rolled-back transaction gives its number back. Callers draw numbers as late as possible
in their transaction to keep that row lock short.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.dialect import upsert_insert
from store_service.db.models import NumberSequence, table_of
from store_service.domain.billing import document_number

sequences = table_of(NumberSequence)


async def next_number(connection: AsyncConnection, prefix: str, now: datetime) -> str:
    day = now.strftime("%Y%m%d")
    statement = upsert_insert(connection, sequences).values(kind=prefix, day=day, last_value=1)
    value = await connection.scalar(
        statement.on_conflict_do_update(
            index_elements=["kind", "day"],
            set_={"last_value": sequences.c.last_value + 1},
        ).returning(sequences.c.last_value)
    )
    assert value is not None
    return document_number(prefix, now, int(value))
