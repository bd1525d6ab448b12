"""How a use case runs against the database: one transaction per call (or a batch of them), with
AIP-155 request idempotency for writes, lost races run again, and every database failure told as
a `DomainError` (db/failures.py).

Services choose the kind of unit their use case needs; the rpc layer only says, in a `Reply`,
which request is answered and how a result becomes its answer, because a write keeps that
answer for repeats of its request id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from google.protobuf.message import Message

from store_service.db.database import Database, UnitOfWork
from store_service.db.failures import DATABASE_ERRORS, as_domain_error, lost_a_race
from store_service.db.sql import Contended, Transaction
from store_service.domain.errors import DomainError
from store_service.services import idempotency
from store_service.services.idempotency import IdempotencyKey

Clock = Callable[[], datetime]
R = TypeVar("R", bound=Message)
T = TypeVar("T")
V = TypeVar("V")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Reply(Generic[V, R]):
    """The request a use case answers (`method` and `request` make its idempotency key) and
    how the use case's result becomes the answer."""

    method: str
    request: Message
    response_type: type[R]
    render: Callable[[V], R]


# Fields that say who asks or how to trace it, not what is asked: a retry may change them.
NOT_FINGERPRINTED = ("request_id", "correlation_id")


def _fingerprint_bytes(request: Message) -> bytes:
    anonymous = type(request)()
    anonymous.CopyFrom(request)
    for name in NOT_FINGERPRINTED:
        if name in anonymous.DESCRIPTOR.fields_by_name:
            anonymous.ClearField(name)
    return anonymous.SerializeToString(deterministic=True)


def request_key(method: str, request: Message) -> IdempotencyKey | None:
    """The generic AIP-155 key of a request, scoped by its customer (if it names one), or None
    when it carries no request id."""
    request_id: str = getattr(request, "request_id", "")
    if not request_id.strip():
        return None
    customer_id: str | None = getattr(request, "customer_id", None)
    return IdempotencyKey.scoped(method, customer_id, request_id, _fingerprint_bytes(request))


@contextmanager
def _told_as_domain_errors() -> Iterator[None]:
    try:
        yield
    except DATABASE_ERRORS as error:
        raise as_domain_error(error) from error


# A deadlock or serialization failure rolls the whole unit of work back: it is run again, a few
# times, before the caller is told to retry (TRANSACTION_CONFLICT).
ATTEMPTS_AFTER_LOST_RACES = 3


async def _again_after_lost_races(attempt: Callable[[], Awaitable[T]]) -> T:
    with _told_as_domain_errors():
        for remaining in range(ATTEMPTS_AFTER_LOST_RACES - 1, -1, -1):
            try:
                return await attempt()
            except DATABASE_ERRORS as error:
                if remaining == 0 or not lost_a_race(error):
                    raise
    raise AssertionError("unreachable")


class UnitsOfWork:
    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    async def read(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        with _told_as_domain_errors():
            async with self.database.reader() as tx:
                return await work(tx)

    async def autocommit(self, work: Callable[[Transaction, datetime], Awaitable[T]]) -> T:
        """Work whose every statement is atomic and idempotent on its own (no transaction)."""
        now = self.clock()

        async def attempt() -> T:
            async with self.database.autocommit() as tx:
                return await work(tx, now)

        return await _again_after_lost_races(attempt)

    async def write(
        self,
        reply: Reply[V, R],
        work: Callable[[Transaction, datetime], Awaitable[V]],
        key: IdempotencyKey | None = None,
    ) -> R:
        """Runs `work` and commits; a repeated request id replays the first committed answer."""
        now = self.clock()
        key = key or request_key(reply.method, reply.request)
        return await _again_after_lost_races(lambda: self._write_once(reply, work, key, now))

    async def _write_once(
        self,
        reply: Reply[V, R],
        work: Callable[[Transaction, datetime], Awaitable[V]],
        key: IdempotencyKey | None,
        now: datetime,
    ) -> R:
        async with self.database.transaction() as tx:
            if key is not None:
                stored = await idempotency.reserve(tx, key, now)
                if stored is not None:
                    return reply.response_type.FromString(stored)
            try:
                response = reply.render(await work(tx, now))
            except DomainError as refusal:
                if refusal.keeps_writes:
                    await self._keep_refusal(tx, key, refusal)
                raise
            if key is not None:
                await idempotency.complete(tx, key, response.SerializeToString(deterministic=True))
            await tx.commit()
        return response

    async def write_at_once(
        self, reply: Reply[V, R], work: Callable[[Transaction, datetime], Awaitable[V]]
    ) -> R:
        """`write` for work whose reads only feed one guarded write statement (plus, for a
        refusal, one insert): on PostgreSQL, without a request id to keep, it runs without
        BEGIN and COMMIT — two round trips fewer — and in a transaction only when a concurrent
        writer changed what it read (`Contended`), or when the caller's deadline is tighter than
        the lock-wait ceiling that alone bounds statements outside a transaction."""
        if (
            self.database.dialect == "postgresql"
            and request_key(reply.method, reply.request) is None
            and self.database.waits_within_deadline_outside_transactions()
        ):
            try:
                return reply.render(await self.autocommit(work))
            except Contended:
                pass
        return await self.write(reply, work)

    @staticmethod
    async def _keep_refusal(
        tx: UnitOfWork, key: IdempotencyKey | None, refusal: DomainError
    ) -> None:
        if key is not None:
            await idempotency.complete(tx, key, idempotency.refusal_answer(refusal))
        await tx.commit()

    async def answered(self, key: IdempotencyKey | None, response_type: type[R]) -> R | None:
        """The answer kept for a key, without claiming it; None if there is none (yet)."""
        if key is None:
            return None
        stored = await self.read(lambda tx: idempotency.lookup(tx, key))
        return None if stored is None else response_type.FromString(stored)

    async def in_transaction(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """One committed transaction of a multi-transaction job (a batch)."""
        with _told_as_domain_errors():
            async with self.database.transaction() as tx:
                result = await work(tx)
                await tx.commit()
                return result

    async def job(self, reply: Reply[V, R], run: Callable[[datetime], Awaitable[V]]) -> R:
        """A batch job of many transactions; its final answer is kept for repeats of its id."""
        now = self.clock()
        key = request_key(reply.method, reply.request)
        stored = await self.answered(key, reply.response_type)
        if stored is not None:
            return stored
        response = reply.render(await run(now))
        if key is None:
            return response
        answer = response.SerializeToString(deterministic=True)

        async def keep(tx: Transaction) -> bytes:
            return await idempotency.record(tx, key, answer, now)

        return reply.response_type.FromString(await self.in_transaction(keep))
