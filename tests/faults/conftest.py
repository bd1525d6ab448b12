"""Fault drills run real processes against one PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.engine import create_engine
from tests.databases import TestDatabases


@pytest.fixture
async def postgres_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    async with test_databases.postgres() as url:
        yield url


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    """For counting what the processes left in the database."""
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()
