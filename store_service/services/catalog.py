"""Agent type catalog use cases: the current catalog and the versioned registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.db.dialect import upsert_insert
from store_service.db.models import AgentType, AgentTypeVersion, table_of
from store_service.domain.agent_types import require_agent_type_id, require_matching_id
from store_service.domain.errors import already_exists, not_found

Document = dict[str, Any]

current = table_of(AgentType)
versions = table_of(AgentTypeVersion)


def _agent_type_not_found(agent_type_id: str) -> Exception:
    return not_found("AGENT_TYPE_NOT_FOUND", "Agent type not found", agent_type_id=agent_type_id)


async def list_agent_types(connection: AsyncConnection) -> list[Document]:
    rows = await connection.execute(
        select(current.c.document).order_by(current.c.position, current.c.agent_type_id)
    )
    return [row.document for row in rows]


async def get_agent_type(connection: AsyncConnection, raw_id: str) -> Document:
    agent_type_id = require_agent_type_id(raw_id)
    document = await connection.scalar(
        select(current.c.document).where(current.c.agent_type_id == agent_type_id)
    )
    if document is None:
        raise _agent_type_not_found(agent_type_id)
    return dict(document)


async def put_agent_type(
    connection: AsyncConnection, raw_id: str, document: Document, now: datetime
) -> Document:
    """Creates or replaces a definition; a replaced definition keeps its catalog position."""
    agent_type_id = require_agent_type_id(raw_id)
    require_matching_id(agent_type_id, document["agent_type_id"])
    next_position = select(func.coalesce(func.max(current.c.position), 0) + 1).scalar_subquery()
    statement = upsert_insert(connection, current).values(
        agent_type_id=agent_type_id,
        position=next_position,
        document=document,
        created_at=now,
        updated_at=now,
    )
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=["agent_type_id"],
            set_={"document": statement.excluded.document, "updated_at": now},
        )
    )
    return document


def _latest_versions() -> Any:
    rank = (
        func.row_number()
        .over(
            partition_by=versions.c.agent_type_id,
            order_by=(versions.c.created_at.desc(), versions.c.row_id.desc()),
        )
        .label("rank")
    )
    return select(versions.c.agent_type_id, versions.c.document, rank).subquery()


async def list_latest_versions(connection: AsyncConnection) -> list[Document]:
    latest = _latest_versions()
    rows = await connection.execute(
        select(latest.c.document).where(latest.c.rank == 1).order_by(latest.c.agent_type_id)
    )
    return [row.document for row in rows]


async def get_latest_version(connection: AsyncConnection, raw_id: str) -> Document:
    agent_type_id = require_agent_type_id(raw_id)
    document = await connection.scalar(
        select(versions.c.document)
        .where(versions.c.agent_type_id == agent_type_id)
        .order_by(versions.c.created_at.desc(), versions.c.row_id.desc())
        .limit(1)
    )
    if document is None:
        raise _agent_type_not_found(agent_type_id)
    return dict(document)


async def create_version(
    connection: AsyncConnection, document: Document, now: datetime
) -> Document:
    agent_type_id = require_agent_type_id(document["agent_type_id"])
    version = document["version"]
    created = await connection.execute(
        upsert_insert(connection, versions)
        .values(
            row_id=f"{agent_type_id}@{version}",
            agent_type_id=agent_type_id,
            version=version,
            document=document,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(versions.c.row_id)
    )
    if created.first() is None:
        raise already_exists(
            "AGENT_TYPE_VERSION_EXISTS",
            f"Agent type {agent_type_id} version {version} already exists",
            agent_type_id=agent_type_id,
            version=version,
        )
    return document


async def update_version(
    connection: AsyncConnection, raw_id: str, document: Document, now: datetime
) -> Document:
    """Replaces the document of an existing version; it cannot create one."""
    agent_type_id = require_agent_type_id(raw_id)
    require_matching_id(agent_type_id, document["agent_type_id"])
    updated = await connection.execute(
        update(versions)
        .where(versions.c.agent_type_id == agent_type_id, versions.c.version == document["version"])
        .values(document=document, updated_at=now)
        .returning(versions.c.row_id)
    )
    if updated.first() is None:
        raise _agent_type_not_found(agent_type_id)
    return document
