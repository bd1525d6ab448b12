"""The SQL of idempotency records: the claim of a key, its stored answer, and the purge of
records past their retention."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql

from store_service.db.models import IdempotencyRecord, table_of
from store_service.db.sql import Statement, Transaction
from store_service.domain.records import StoredAnswer

records = table_of(IdempotencyRecord)

_NEW_RECORD: dict[str, Any] = {
    "scope_key": bindparam("scope_key"),
    "fingerprint": bindparam("fingerprint"),
    "response": bindparam("response"),
    "created_at": bindparam("created_at"),
}
CLAIM = Statement(
    postgresql.insert(records)
    .values(_NEW_RECORD)
    .on_conflict_do_nothing(index_elements=["scope_key"])
    .returning(records.c.scope_key)
)
FIND = Statement(
    select(records.c.fingerprint, records.c.response).where(
        records.c.scope_key == bindparam("scope_key")
    )
)
COMPLETE = Statement(
    update(records)
    .where(records.c.scope_key == bindparam("key"))
    .values(response=bindparam("response"))
)
_EXPIRED = (
    select(records.c.scope_key)
    .where(records.c.created_at < bindparam("cutoff"))
    .order_by(records.c.created_at)
    .limit(bindparam("batch_size"))
)
COUNT_EXPIRED = Statement(select(func.count()).select_from(_EXPIRED.subquery()))
PURGE_EXPIRED = Statement(
    delete(records)
    .where(records.c.scope_key.in_(_EXPIRED.with_for_update(skip_locked=True).scalar_subquery()))
    .returning(records.c.scope_key)
)


async def stored_answer(tx: Transaction, scope_key: str) -> StoredAnswer | None:
    return cast("StoredAnswer | None", await tx.first(FIND, scope_key=scope_key))
