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
TESTS = Path(__file__).parent

# Every test runs in exactly one tier, named for what it needs (markers in pyproject.toml;
# `make test-unit`, `test-store`, `test-rest`). A test takes its directory's tier below, unless
# the test or its module names a tier itself (a test that needs less than its neighbours).
TIERS = ("unit", "store", "rest")
DIRECTORY_TIERS = {
    # No database, no server process, no network beyond an in-process stand-in.
    "unit": "unit",
    "domain": "unit",
    "wire": "unit",
    # The store (in process or as a process) and its databases.
    "store": "store",
    "db": "store",
    "concurrency": "store",
    # The real adapter in front of a real store.
    "rest": "rest",
    "faults": "rest",
}

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


def tier_of(item: pytest.Item) -> str | None:
    """The tier the test names, else its directory's; None when it names two or has neither."""
    named = {mark.name for mark in item.iter_markers() if mark.name in TIERS}
    if len(named) > 1:
        return None
    if named:
        return named.pop()
    if not item.path.is_relative_to(TESTS):
        return None
    return DIRECTORY_TIERS.get(item.path.relative_to(TESTS).parts[0])


# tryfirst: the tiers must be set before `-m` deselects by them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Gives each test its tier; a test with none, or more than one, fails the collection, so a
    new test cannot slip into every tier's run or into none."""
    untiered = []
    for item in items:
        tier = tier_of(item)
        if tier is None:
            untiered.append(item.nodeid)
        else:
            item.add_marker(tier)
    if untiered:
        raise pytest.UsageError(
            "tests without exactly one tier (put them in a tier's directory, see DIRECTORY_TIERS "
            "in tests/conftest.py, or mark them with one of "
            + ", ".join(TIERS)
            + "):\n  "
            + "\n  ".join(untiered)
        )
