"""Runs Alembic migrations from code, on a URL or on an open async connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import migrations
from plant_store_client.configuration import UnsafeConfiguration
from plant_store_client.start_failures import StartFailure
from store_service.db.connect_failures import connect_failure
from store_service.db.engine import create_engine

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(connection: AsyncConnection) -> str | None:
    return await connection.run_sync(_current_revision)


def _run(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)


async def migrate(engine: AsyncEngine, action: str = "upgrade", revision: str = "head") -> None:
    """Upgrades (or downgrades) the engine's database in one transaction."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, action, revision)


class SchemaAhead(RuntimeError):
    """The database was migrated by newer code than this one."""


def is_known(revision: str | None) -> bool:
    """Whether this code knows the revision (None, an empty database, is known)."""
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return revision is None or revision in {script.revision for script in scripts}


class RevisionRefused(UnsafeConfiguration):
    """Alembic refused the target revision (unknown, or not reachable in that direction)."""


def known_revisions() -> str:
    """This code's revisions, oldest first, and the other targets Alembic accepts."""
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    revisions = ", ".join(reversed([script.revision for script in scripts]))
    return f"known revisions: {revisions} (head {head_revision()}); also head, base, +N, -N"


async def _revision_before(engine: AsyncEngine, url: str) -> str | None:
    try:
        async with engine.connect() as connection:
            return await current_revision(connection)
    except Exception as error:
        reason = connect_failure(error, url)
        if reason is None:
            raise
        raise StartFailure(reason) from error


async def migrate_database(url: str, action: str = "upgrade", revision: str = "head") -> str:
    """Migrates the database at `url`; refuses a database whose revision this code does not know."""
    engine = create_engine(url)
    try:
        before = await _revision_before(engine, url)
        if not is_known(before):
            raise SchemaAhead(
                f"database revision {before!r} is unknown to this code (newer?); "
                "refusing to migrate"
            )
        try:
            await migrate(engine, action, revision)
        except CommandError as refusal:
            raise RevisionRefused(
                f"{action} {revision}: {refusal}; {known_revisions()}"
            ) from refusal
        async with engine.connect() as connection:
            after = await current_revision(connection)
    finally:
        await engine.dispose()
    return f"database migrated: {before or 'empty'} -> {after or 'empty'}"
