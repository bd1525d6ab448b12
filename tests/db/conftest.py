"""The store's database handle on a fresh migrated database, on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from store_service.db.database import Database


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    opened = Database.from_url(database_url, pool_size=3)
    try:
        yield opened
    finally:
        await opened.dispose()
