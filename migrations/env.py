"""Alembic environment: migrates the database named by DATABASE_URL, or a connection handed in."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from store_service.config import StoreSettings
from store_service.db.engine import create_engine
from store_service.db.models import Base

target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or (
        StoreSettings.from_env().effective_database_url
    )
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure_and_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")

given = context.config.attributes.get("connection")
if given is not None:
    _configure_and_run(given)
else:
    asyncio.run(_run_with_own_engine())
