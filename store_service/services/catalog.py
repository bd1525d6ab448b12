"""Agent type catalog use cases: the current catalog and the versioned registry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, from_stored_json, to_json
from store_service.db.keyset import Cursor, Key, Keyset
from store_service.db.models import AgentType, AgentTypeVersion, table_of
from store_service.db.sql import Row, Statement, Transaction
from store_service.domain.agent_types import require_agent_type_id, require_matching_id
from store_service.domain.errors import already_exists, not_found

current = table_of(AgentType)
versions = table_of(AgentTypeVersion)

LIST_CURRENT = Keyset(
    select(current.c.document, current.c.position, current.c.agent_type_id),
    Key(current.c.position),
    Key(current.c.agent_type_id),
)
GET_CURRENT = Statement(
    select(current.c.document).where(current.c.agent_type_id == bindparam("agent_type_id"))
)
_PUT = postgresql.insert(current).values(
    agent_type_id=bindparam("agent_type_id"),
    position=select(func.coalesce(func.max(current.c.position), 0) + 1).scalar_subquery(),
    document=bindparam("document", type_=current.c.document.type),
    created_at=bindparam("now", type_=current.c.created_at.type),
    updated_at=bindparam("now", type_=current.c.updated_at.type),
)
PUT_CURRENT = Statement(
    _PUT.on_conflict_do_update(
        index_elements=["agent_type_id"],
        set_={"document": _PUT.excluded.document, "updated_at": _PUT.excluded.updated_at},
    )
)
_RANK = (
    func.row_number()
    .over(
        partition_by=versions.c.agent_type_id,
        order_by=(versions.c.created_at.desc(), versions.c.row_id.desc()),
    )
    .label("rank")
)
_RANKED = select(versions.c.agent_type_id, versions.c.document, _RANK).subquery()
LIST_LATEST = Keyset(
    select(_RANKED.c.document, _RANKED.c.agent_type_id).where(_RANKED.c.rank == 1),
    Key(_RANKED.c.agent_type_id),
)
GET_LATEST = Statement(
    select(versions.c.document)
    .where(versions.c.agent_type_id == bindparam("agent_type_id"))
    .order_by(versions.c.created_at.desc(), versions.c.row_id.desc())
    .limit(1)
)
CREATE_VERSION = Statement(
    postgresql.insert(versions)
    .values(
        row_id=bindparam("row_id"),
        agent_type_id=bindparam("agent_type_id"),
        version=bindparam("version"),
        document=bindparam("document", type_=versions.c.document.type),
        created_at=bindparam("now", type_=versions.c.created_at.type),
        updated_at=bindparam("now", type_=versions.c.updated_at.type),
    )
    .on_conflict_do_nothing()
    .returning(versions.c.row_id)
)
UPDATE_VERSION = Statement(
    update(versions)
    .where(
        versions.c.agent_type_id == bindparam("type_key"),
        versions.c.version == bindparam("version_key"),
    )
    .values(document=bindparam("document"), updated_at=bindparam("now"))
    .returning(versions.c.row_id)
)


def _agent_type_not_found(agent_type_id: str) -> Exception:
    return not_found(
        Reason.AGENT_TYPE_NOT_FOUND, "Agent type not found", agent_type_id=agent_type_id
    )


async def list_agent_types(tx: Transaction, after: Cursor | None, limit: int) -> list[Row]:
    """A page of the current catalog in insertion order (rows carry the `document`)."""
    return await LIST_CURRENT.page(tx, after, limit)


async def get_agent_type(tx: Transaction, raw_id: str) -> Document:
    agent_type_id = require_agent_type_id(raw_id)
    document = await tx.scalar(GET_CURRENT, agent_type_id=agent_type_id)
    if document is None:
        raise _agent_type_not_found(agent_type_id)
    return from_stored_json(document)


async def put_agent_type(
    tx: Transaction, raw_id: str, document: Document, now: datetime
) -> Document:
    """Creates or replaces a definition; a replaced definition keeps its catalog position."""
    agent_type_id = require_agent_type_id(raw_id)
    require_matching_id(agent_type_id, document["agent_type_id"])
    await tx.execute(PUT_CURRENT, agent_type_id=agent_type_id, document=to_json(document), now=now)
    return document


async def list_latest_versions(tx: Transaction, after: Cursor | None, limit: int) -> list[Row]:
    """A page of each agent type's latest version, by agent type id (rows carry `document`)."""
    return await LIST_LATEST.page(tx, after, limit)


async def get_latest_version(tx: Transaction, raw_id: str) -> Document:
    agent_type_id = require_agent_type_id(raw_id)
    document = await tx.scalar(GET_LATEST, agent_type_id=agent_type_id)
    if document is None:
        raise _agent_type_not_found(agent_type_id)
    return from_stored_json(document)


async def create_version(tx: Transaction, document: Document, now: datetime) -> Document:
    agent_type_id = require_agent_type_id(document["agent_type_id"])
    version = document["version"]
    created = await tx.first(
        CREATE_VERSION,
        row_id=f"{agent_type_id}@{version}",
        agent_type_id=agent_type_id,
        version=version,
        document=to_json(document),
        now=now,
    )
    if created is None:
        raise already_exists(
            Reason.AGENT_TYPE_VERSION_EXISTS,
            f"Agent type {agent_type_id} version {version} already exists",
            agent_type_id=agent_type_id,
            version=version,
        )
    return document


async def update_version(
    tx: Transaction, raw_id: str, document: Document, now: datetime
) -> Document:
    """Replaces the document of an existing version; it cannot create one."""
    agent_type_id = require_agent_type_id(raw_id)
    require_matching_id(agent_type_id, document["agent_type_id"])
    updated = await tx.first(
        UPDATE_VERSION,
        type_key=agent_type_id,
        version_key=document["version"],
        document=to_json(document),
        now=now,
    )
    if updated is None:
        raise _agent_type_not_found(agent_type_id)
    return document
