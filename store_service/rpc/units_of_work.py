"""Runs one RPC as one transaction, with AIP-155 request idempotency for writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.database import Database
from store_service.services import idempotency
from store_service.services.idempotency import IdempotencyKey

Clock = Callable[[], datetime]
R = TypeVar("R", bound=Message)
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


def _fingerprint_bytes(request: Message) -> bytes:
    anonymous = type(request)()
    anonymous.CopyFrom(request)
    anonymous.ClearField("request_id")
    return anonymous.SerializeToString(deterministic=True)


class UnitsOfWork:
    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    async def read(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        async with self.database.transaction() as connection:
            return await work(connection)

    async def write(
        self,
        method: str,
        request: Message,
        response_type: type[R],
        work: Callable[[AsyncConnection, datetime], Awaitable[R]],
        key: IdempotencyKey | None = None,
    ) -> R:
        """Runs `work` and commits; a repeated request id replays the first committed answer."""
        now = self.clock()
        request_id = getattr(request, "request_id", "").strip()
        if key is None and request_id:
            key = IdempotencyKey.for_request(method, request_id, _fingerprint_bytes(request))
        async with self.database.transaction() as connection:
            if key is not None:
                stored = await idempotency.reserve(connection, key, now)
                if stored is not None:
                    return response_type.FromString(stored)
            response = await work(connection, now)
            if key is not None:
                await idempotency.complete(
                    connection, key, response.SerializeToString(deterministic=True)
                )
            await connection.commit()
        return response
