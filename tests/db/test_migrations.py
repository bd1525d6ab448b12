"""Alembic is the only way the schema comes into being: it round-trips and matches the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, insert, inspect, select, table, update
from sqlalchemy.engine import Connection

from plant_store_client.wire.documents import from_json, to_json
from store_service.db.engine import create_engine
from store_service.db.migrate import head_revision, migrate
from store_service.db.models import AgentType, Base, HiredInstance, Subscription, table_of
from store_service.db.types import JSONDocument
from tests.json_text import json_text, member_text
from tests.rest.test_agent_types import SEEDS
from tests.seeds import instance_row, subscription_row

agent_types = table_of(AgentType)
instances = table_of(HiredInstance)
subscriptions = table_of(Subscription)
# hired_instances as revision 0003 typed its config.
instances_before_0005 = table(
    "hired_instances",
    *(column(c.key, JSONDocument if c.key == "config" else c.type) for c in instances.c),
)


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
            assert sorted(map(from_json, seeded), key=lambda d: d["agent_type_id"]) == SEEDS
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
                .values(document=to_json(edited))
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
            assert list(map(from_json, rows)) == [edited, SEEDS[1]]
    finally:
        await engine.dispose()


async def test_documents_written_before_0005_read_the_same_after(empty_database_url: str) -> None:
    # One key: JSONB kept no order to migrate, but it kept number kinds and integers (up to
    # 64 bits, which is what 0003's serializer wrote).
    config = {"a": [3.0, 3, 2**62 + 1, -0.5, "\u00e9\u6f22\U0001f600", None, {"b": True}]}
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "upgrade", "0003")
        async with engine.begin() as connection:
            await connection.execute(insert(subscriptions).values(subscription_row(1)))
            # Written as JSON by 0003's column type (JSONB, or SQLite's JSON).
            await connection.execute(
                insert(instances_before_0005).values(instance_row(1, config=config))
            )
        await migrate(engine)
        async with engine.connect() as connection:
            stored = (await connection.execute(select(instances.c.config))).scalar_one()
        assert member_text(stored) == json_text(config)
    finally:
        await engine.dispose()


def test_there_is_one_head() -> None:
    assert head_revision() == "0006"
