"""Request idempotency (AIP-155): the first answer to a write is stored with the write itself.

A repeat carrying the same scope key gets that stored answer back; the same key with another
request is refused. The reservation row is inserted first in the writing transaction, so two
concurrent requests with one key serialise on the row's unique key: the second waits for the
first to commit (and then replays it) or to roll back (and then does the work itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.dialect import upsert_insert
from store_service.db.models import IdempotencyRecord, table_of
from store_service.domain.errors import aborted

records = table_of(IdempotencyRecord)


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    scope_key: str
    fingerprint: str

    @classmethod
    def for_request(cls, method: str, request_id: str, request_bytes: bytes) -> IdempotencyKey:
        """The generic key: the RPC's name and request id, fingerprinted by the request bytes."""
        return cls(f"{method}::{request_id}", hashlib.sha256(request_bytes).hexdigest())


def _check_fingerprint(key: IdempotencyKey, fingerprint: str) -> None:
    if fingerprint != key.fingerprint:
        raise aborted(
            "IDEMPOTENCY_KEY_REUSED",
            "Idempotency-Key reuse with different payload.",
            scope_key=key.scope_key,
        )


async def reserve(connection: AsyncConnection, key: IdempotencyKey, now: datetime) -> bytes | None:
    """Claims the key for this transaction; returns the stored answer if it was claimed before."""
    claimed = await connection.execute(
        upsert_insert(connection, records)
        .values(scope_key=key.scope_key, fingerprint=key.fingerprint, response=None, created_at=now)
        .on_conflict_do_nothing(index_elements=["scope_key"])
        .returning(records.c.scope_key)
    )
    if claimed.first() is not None:
        return None
    row = (
        await connection.execute(
            select(records.c.fingerprint, records.c.response).where(
                records.c.scope_key == key.scope_key
            )
        )
    ).one()
    _check_fingerprint(key, row.fingerprint)
    if row.response is None:
        raise aborted(
            "IDEMPOTENT_REQUEST_IN_PROGRESS",
            "A request with this idempotency key is still in progress; retry later.",
        )
    stored: bytes = row.response
    return stored


async def complete(connection: AsyncConnection, key: IdempotencyKey, response: bytes) -> None:
    """Stores the answer to replay; committed together with the work it answers."""
    await connection.execute(
        update(records).where(records.c.scope_key == key.scope_key).values(response=response)
    )


async def release(connection: AsyncConnection, key: IdempotencyKey) -> None:
    """Gives the key back: the request failed, so a repeat must do the work itself."""
    await connection.execute(delete(records).where(records.c.scope_key == key.scope_key))


async def lookup(connection: AsyncConnection, key: IdempotencyKey) -> bytes | None:
    """The stored answer for a key, without claiming it (for multi-transaction jobs)."""
    row = (
        await connection.execute(
            select(records.c.fingerprint, records.c.response).where(
                records.c.scope_key == key.scope_key
            )
        )
    ).first()
    if row is None:
        return None
    _check_fingerprint(key, row.fingerprint)
    response: bytes | None = row.response
    return response


async def record(
    connection: AsyncConnection, key: IdempotencyKey, response: bytes, now: datetime
) -> bytes:
    """Stores the answer of a finished job; returns the answer that was stored first."""
    await connection.execute(
        upsert_insert(connection, records)
        .values(
            scope_key=key.scope_key, fingerprint=key.fingerprint, response=response, created_at=now
        )
        .on_conflict_do_nothing(index_elements=["scope_key"])
    )
    stored = await lookup(connection, key)
    assert stored is not None
    return stored


async def purge_batch(
    connection: AsyncConnection, cutoff: datetime, batch_size: int, *, dry_run: bool
) -> int:
    """Deletes (or, dry, counts) one batch of records created before the cutoff."""
    expired = (
        select(records.c.scope_key)
        .where(records.c.created_at < cutoff)
        .order_by(records.c.created_at)
        .limit(batch_size)
    )
    if dry_run:
        counted = await connection.scalar(select(func.count()).select_from(expired.subquery()))
        return int(counted or 0)
    claimed = expired.with_for_update(skip_locked=True).scalar_subquery()
    deleted = await connection.execute(
        delete(records).where(records.c.scope_key.in_(claimed)).returning(records.c.scope_key)
    )
    return len(deleted.all())
