"""The drills' store and adapter processes, shared by the drills that run on the test server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.drills import Stack, running_stack


@pytest.fixture
async def processes(postgres_url: str) -> AsyncIterator[Stack]:
    """A store process and an adapter process on one fresh migrated database."""
    async with running_stack(postgres_url) as running:
        yield running
