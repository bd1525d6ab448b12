"""The stand-in store, started for a test and stopped after it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.stand_in_store import StandIn


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    server = StandIn()
    await server.server.start()
    yield server
    await server.server.stop(0)
