"""Shared fixtures: isolated databases on both backends, a real store, the real adapter."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx
import pytest
from hypothesis import settings
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.engine import create_engine
from store_service.server import StoreServer
from tests.support.databases import PostgresDatabases, TestDatabases, sqlite_url
from tests.support.harness import adapter_client, adapter_settings, running_store, store_settings

BACKENDS = ("sqlite", "postgresql")

# Hypothesis: no wall-clock deadline (a timing assert, on a machine many test runs share).
# HYPOTHESIS_PROFILE=thorough runs five times the examples, the round trips included.
settings.register_profile("plant", deadline=None)
settings.register_profile("thorough", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "plant"))


@pytest.fixture(scope="session")
async def test_databases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[TestDatabases]:
    databases = TestDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    await databases.close()


@pytest.fixture
async def postgres(test_databases: TestDatabases) -> PostgresDatabases:
    """The PostgreSQL test server, for tests that need databases in particular states."""
    return await test_databases.postgres_server()


@pytest.fixture
async def postgres_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    """One migrated PostgreSQL database, for tests that run several real processes on it."""
    async with test_databases.postgres() as url:
        yield url


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    """For counting what the processes left in the database."""
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, test_databases: TestDatabases, tmp_path: Path
) -> AsyncIterator[str]:
    """A migrated database of its own for one test, on each backend."""
    if request.param == "sqlite":
        yield await test_databases.sqlite(tmp_path / "store.db")
        return
    async with test_databases.postgres() as url:
        yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[StoreServer]:
    async with running_store(store_settings(database_url)) as server:
        yield server


@pytest.fixture
async def channel(store: StoreServer) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{store.port}") as opened:
        yield opened


@pytest.fixture
async def http(store: StoreServer) -> AsyncIterator[httpx.AsyncClient]:
    """The real adapter, wired to the real store."""
    async with adapter_client(adapter_settings(store)) as client:
        yield client


@pytest.fixture(params=BACKENDS)
async def empty_database_url(
    request: pytest.FixtureRequest, test_databases: TestDatabases, tmp_path: Path
) -> AsyncIterator[str]:
    """A database with no schema at all, on each backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    server = await test_databases.postgres_server()
    async with server.fresh() as url:
        yield url
