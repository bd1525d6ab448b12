"""Isolated test databases: a migrated template per backend, copied for every test."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from store_service.config import normalise_database_url
from store_service.db.engine import create_engine
from store_service.db.migrate import migrate

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    return os.environ.get("PLANT_TEST_DATABASE_URL", DEFAULT_SERVER_URL)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _plain(url: str) -> str:
    # asyncpg's own DSN has no "+driver" part.
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def postgres_reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        connection = await asyncpg.connect(_plain(server_url()), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


class PostgresDatabases:
    """Creates and drops databases on the test server."""

    def __init__(self) -> None:
        self.admin_url = _plain(server_url())

    async def _execute(self, statement: str) -> None:
        connection = await asyncpg.connect(self.admin_url, timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    def url(self, name: str) -> str:
        return normalise_database_url(_with_database(server_url(), name))

    async def create(self, name: str, template: str | None = None) -> str:
        clause = f" TEMPLATE {template}" if template else ""
        await self._execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)

    async def drop(self, name: str) -> None:
        await self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @asynccontextmanager
    async def fresh(self, template: str | None = None) -> AsyncIterator[str]:
        name = f"plant_test_{uuid.uuid4().hex[:12]}"
        url = await self.create(name, template)
        try:
            yield url
        finally:
            await self.drop(name)


async def migrate_url(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return sqlite_url(target)


class TestDatabases:
    """Per-test databases on both backends, copied from templates migrated once per session."""

    __test__ = False

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self._sqlite_template: Path | None = None
        self._postgres: PostgresDatabases | None = None
        self._postgres_template: str | None = None

    async def sqlite(self, target: Path) -> str:
        if self._sqlite_template is None:
            self._sqlite_template = self.work_dir / "template.db"
            await migrate_url(sqlite_url(self._sqlite_template))
        return copy_sqlite(self._sqlite_template, target)

    async def postgres_server(self) -> PostgresDatabases:
        """The server's databases; skips (or, under CI, fails) when the server is unreachable."""
        if self._postgres is None:
            problem = await postgres_reachable()
            if problem is not None:
                message = f"PostgreSQL at PLANT_TEST_DATABASE_URL is unreachable ({problem})"
                if os.environ.get("CI"):
                    pytest.fail(f"{message}; under CI that is a failure", pytrace=False)
                print(f"\n!!! SKIPPING POSTGRESQL TESTS: {message} !!!", file=sys.stderr)
                pytest.skip(message)
            self._postgres = PostgresDatabases()
        return self._postgres

    @asynccontextmanager
    async def postgres(self) -> AsyncIterator[str]:
        server = await self.postgres_server()
        if self._postgres_template is None:
            name = f"plant_template_{uuid.uuid4().hex[:12]}"
            await migrate_url(await server.create(name))
            self._postgres_template = name
        async with server.fresh(template=self._postgres_template) as url:
            yield url

    async def close(self) -> None:
        if self._postgres is not None and self._postgres_template is not None:
            await self._postgres.drop(self._postgres_template)
