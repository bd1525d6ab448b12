"""Alembic is the only way the schema comes into being: it round-trips and matches the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, update
from sqlalchemy.engine import Connection

from store_service.db.engine import create_engine
from store_service.db.migrate import head_revision, migrate
from store_service.db.models import AgentType, Base, table_of
from tests.rest.test_agent_types import SEEDS

agent_types = table_of(AgentType)


def _schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_upgrade_downgrade_upgrade_round_trips(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_table_names) == set(Base.metadata.tables)
        await migrate(engine, "downgrade", "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_table_names) == set()
        await migrate(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_table_names) == set(Base.metadata.tables)
            seeded = (await connection.execute(select(agent_types.c.document))).scalars().all()
            assert sorted(seeded, key=lambda d: d["agent_type_id"]) == SEEDS
    finally:
        await engine.dispose()


async def test_models_and_migrations_do_not_drift(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_schema_differences) == []
    finally:
        await engine.dispose()


async def test_seeding_keeps_definitions_that_already_exist(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine)
        edited = SEEDS[0] | {"version": "7.0.0"}
        async with engine.begin() as connection:
            await connection.execute(
                update(agent_types)
                .where(agent_types.c.agent_type_id == "marketing.healthcare.v1")
                .values(document=edited)
            )
        # Re-running the seed leaves the edit alone (and the downgrade keeps edited rows).
        await migrate(engine, "downgrade", "0001")
        await migrate(engine)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(agent_types.c.document).order_by(agent_types.c.position)
                )
            ).scalars()
            assert list(rows) == [edited, SEEDS[1]]
    finally:
        await engine.dispose()


def test_there_is_one_head() -> None:
    assert head_revision() == "0005"
