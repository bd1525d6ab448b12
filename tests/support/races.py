"""Racing identical requests across two real stacks on one database, and counting what they
left in the tables and the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import httpx
from sqlalchemy import Column, Executable, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import NotificationEvent, Subscription, table_of
from tests.support.processes import replicas

# Identical requests per racing target: enough that most land while another holds the lock.
RACERS = 8

T = TypeVar("T")


@dataclass(frozen=True)
class Stacks:
    """One HTTP client per stack (store process plus adapter process)."""

    clients: list[httpx.AsyncClient]

    @property
    def first(self) -> httpx.AsyncClient:
        return self.clients[0]

    async def race(
        self, request: Callable[[httpx.AsyncClient], Any], copies: int = RACERS
    ) -> list[httpx.Response]:
        """`copies` identical requests at once, dealt alternately to the stacks."""
        responses: list[httpx.Response] = await asyncio.gather(
            *(request(self.clients[i % len(self.clients)]) for i in range(copies))
        )
        return responses

    async def race_each(
        self, targets: Iterable[Any], request: Callable[[httpx.AsyncClient, Any], Any]
    ) -> dict[Any, list[httpx.Response]]:
        """`race` for every target at once: the answers per target."""
        targets = list(targets)
        answers = await asyncio.gather(
            *(self.race(partial(_with_target, request, target)) for target in targets)
        )
        return dict(zip(targets, answers, strict=True))

    async def race_each_behind(
        self,
        engine: AsyncEngine,
        locking: Executable,
        targets: Iterable[Any],
        request: Callable[[httpx.AsyncClient, Any], Any],
        *writes: Executable,
    ) -> dict[Any, list[httpx.Response]]:
        """`race_each` with every racer queued behind a writer (`queued_behind`)."""
        targets = list(targets)
        racing = self.race_each(targets, request)
        return await queued_behind(engine, locking, racing, RACERS * len(targets), *writes)


def _with_target(
    request: Callable[[httpx.AsyncClient, Any], Any], target: Any, client: httpx.AsyncClient
) -> Any:
    return request(client, target)


@asynccontextmanager
async def two_stacks(database_url: str, env: dict[str, str] | None = None) -> AsyncIterator[Stacks]:
    async with replicas(database_url, 2, env=env) as running:
        clients = [httpx.AsyncClient(base_url=r.http_url, timeout=60) for r in running]
        try:
            yield Stacks(clients)
        finally:
            for client in clients:
                await client.aclose()


async def queued_behind(
    engine: AsyncEngine,
    locking: Executable,
    racing: Coroutine[Any, Any, T],
    waiters: int,
    *writes: Executable,
) -> T:
    """Runs `racing` behind a writer: a transaction that holds the row locks `locking` takes
    until `waiters` sessions wait for them, then makes `writes` and commits. Every racer has
    then read the database before that writer committed."""
    async with engine.begin() as writer:
        await writer.execute(locking)
        raced = asyncio.ensure_future(racing)
        await until_waiting_for_locks(engine, waiters)
        for write in writes:
            await writer.execute(write)
    return await raced


def rows_locked(model: type, key: str, ids: Iterable[str]) -> Executable:
    """Locks the rows of `model` whose `key` is one of `ids`, as their writers do."""
    table = table_of(model)
    return select(table).where(table.c[key].in_(list(ids))).with_for_update()


def subscriptions_locked(subscription_ids: Iterable[str]) -> Executable:
    """Every writer of a subscription or of its instance locks the subscription first."""
    return rows_locked(Subscription, "subscription_id", subscription_ids)


WAITING_FOR_LOCKS = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def until_waiting_for_locks(engine: AsyncEngine, waiters: int, seconds: float = 120) -> None:
    """Returns once `waiters` sessions of this database wait for a lock (no more than the
    stores' connection pools hold)."""
    async with asyncio.timeout(seconds), engine.connect() as connection:
        while (await connection.scalar(WAITING_FOR_LOCKS) or 0) < waiters:
            await connection.rollback()  # a fresh snapshot of the statistics each time
            await asyncio.sleep(0.05)


async def count(engine: AsyncEngine, model: type, *where: Any) -> int:
    table = table_of(model)
    async with engine.connect() as connection:
        value = await connection.scalar(select(func.count()).select_from(table).where(*where))
    return int(value or 0)


async def counts_by(engine: AsyncEngine, column: Column[Any], *where: Any) -> dict[Any, int]:
    """Rows per value of `column` (of one table), among those matching `where`."""
    async with engine.connect() as connection:
        rows = await connection.execute(select(column, func.count()).where(*where).group_by(column))
    return {value: n for value, n in rows}


async def event_counts(
    engine: AsyncEngine, event_type: str, per: str = "subscription_id"
) -> dict[str, int]:
    """Outbox events of one type, per subscription (or per `per` column)."""
    events = table_of(NotificationEvent)
    return await counts_by(engine, events.c[per], events.c.event_type == event_type)


def statuses(responses: Iterable[httpx.Response]) -> set[int]:
    return {response.status_code for response in responses}
