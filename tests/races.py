"""Racing identical requests across two real stacks on one database, and counting what they
left in the tables and the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Column, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.models import NotificationEvent, table_of
from tests.processes import replicas

# Identical requests per racing target: enough that most land while another holds the lock.
RACERS = 8


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
