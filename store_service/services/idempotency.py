"""Request idempotency (AIP-155): the first answer to a write is stored with the write itself
(a refusal that wrote its trace, such as an enforcement denial, is an answer too).

A repeat carrying the same scope key gets that stored answer back; the same key with another
request is refused. The reservation row is inserted first in the writing transaction, so two
concurrent requests with one key serialise on the row's unique key: the second waits for the
first to commit (and then replays it) or to roll back (and then does the work itself).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from plant_store_client.reasons import Reason
from store_service.db.sql import Transaction
from store_service.db.statements import idempotency as statements
from store_service.domain.errors import DomainError, ErrorKind, aborted


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    scope_key: str
    fingerprint: str

    @classmethod
    def scoped(
        cls, method: str, customer_id: str | None, request_id: str, request: bytes
    ) -> IdempotencyKey | None:
        """A caller's key within one method and one customer, fingerprinted by the request;
        None when the caller sent no key (a blank one counts as none, and it is trimmed).

        The customer and the key enter the scope hashed, so neither their length nor a
        separator inside them can make two customers' scopes meet."""
        key = request_id.strip()
        if not key:
            return None
        owner = hashlib.sha256(json.dumps([customer_id or "", key]).encode()).hexdigest()
        return cls(f"{method}::{owner}", hashlib.sha256(request).hexdigest())


def _check_fingerprint(key: IdempotencyKey, fingerprint: str) -> None:
    if fingerprint != key.fingerprint:
        raise aborted(
            Reason.IDEMPOTENCY_KEY_REUSED,
            "Idempotency-Key reuse with different payload.",
            scope_key=key.scope_key,
        )


# A stored refusal starts with a zero byte, which no serialized message can: field number 0
# does not exist, and an empty message is empty.
_REFUSAL = b"\x00"


def refusal_answer(refusal: DomainError) -> bytes:
    """A refusal that wrote its trace, stored so that a repeat answers it instead of writing
    a second trace."""
    fields = [refusal.kind.value, refusal.reason, refusal.message, refusal.metadata]
    return _REFUSAL + json.dumps(fields).encode()


def _replayed(stored: bytes) -> bytes:
    """The stored answer of a response; a stored refusal is raised again."""
    if stored.startswith(_REFUSAL):
        kind, reason, message, metadata = json.loads(stored[len(_REFUSAL) :])
        raise DomainError(ErrorKind(kind), Reason(reason), message, metadata)
    return stored


async def reserve(tx: Transaction, key: IdempotencyKey, now: datetime) -> bytes | None:
    """Claims the key for this transaction; returns the stored answer if it was claimed before
    (or raises the stored refusal)."""
    claimed = await tx.first(
        statements.CLAIM,
        scope_key=key.scope_key,
        fingerprint=key.fingerprint,
        response=None,
        created_at=now,
    )
    if claimed is not None:
        return None
    row = await statements.stored_answer(tx, key.scope_key)
    assert row is not None
    _check_fingerprint(key, row["fingerprint"])
    if row["response"] is None:
        raise aborted(
            Reason.IDEMPOTENT_REQUEST_IN_PROGRESS,
            "A request with this idempotency key is still in progress; retry later.",
        )
    return _replayed(row["response"])


async def complete(tx: Transaction, key: IdempotencyKey, response: bytes) -> None:
    """Stores the answer to replay; committed together with the work it answers."""
    await tx.execute(statements.COMPLETE, key=key.scope_key, response=response)


async def lookup(tx: Transaction, key: IdempotencyKey) -> bytes | None:
    """The stored answer for a key, without claiming it (for multi-transaction jobs)."""
    row = await statements.stored_answer(tx, key.scope_key)
    if row is None:
        return None
    _check_fingerprint(key, row["fingerprint"])
    response = row["response"]
    return None if response is None else _replayed(response)


async def record(tx: Transaction, key: IdempotencyKey, response: bytes, now: datetime) -> bytes:
    """Stores the answer of a finished job; returns the answer that was stored first."""
    await tx.execute(
        statements.CLAIM,
        scope_key=key.scope_key,
        fingerprint=key.fingerprint,
        response=response,
        created_at=now,
    )
    stored = await lookup(tx, key)
    assert stored is not None
    return stored
