"""The database layer's tests give it work that leaves a row of number_sequences per run
(kind -> last_value): the type of that work, and how a test reads back what ran."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from google.protobuf.wrappers_pb2 import Int64Value
from sqlalchemy import select

from store_service.db.database import Database
from store_service.db.models import NumberSequence, table_of
from store_service.db.sql import Statement, Transaction

sequences = table_of(NumberSequence)
RUNS = Statement(select(sequences.c.kind, sequences.c.last_value).order_by(sequences.c.kind))
Work = Callable[[Transaction, datetime], Awaitable[Int64Value]]


async def recorded(database: Database) -> dict[str, int]:
    async with database.reader() as tx:
        return {row["kind"]: row["last_value"] for row in await tx.rows(RUNS)}
