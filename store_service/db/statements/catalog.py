"""The SQL of the agent type catalog: the current definitions and the versioned registry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql

from store_service.db.keyset import Key, Keyset
from store_service.db.models import AgentType, AgentTypeVersion, table_of
from store_service.db.sql import Statement, Transaction

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


async def current_document(tx: Transaction, agent_type_id: str) -> str | None:
    document: str | None = await tx.scalar(GET_CURRENT, agent_type_id=agent_type_id)
    return document


async def latest_document(tx: Transaction, agent_type_id: str) -> str | None:
    document: str | None = await tx.scalar(GET_LATEST, agent_type_id=agent_type_id)
    return document


async def put_current(tx: Transaction, agent_type_id: str, document: str, now: datetime) -> None:
    """Inserts at the end of the catalog, or replaces the document in place."""
    await tx.execute(PUT_CURRENT, agent_type_id=agent_type_id, document=document, now=now)


async def create_version(
    tx: Transaction, agent_type_id: str, version: str, document: str, now: datetime
) -> bool:
    """Whether the version was new (an existing one is left as it is)."""
    created = await tx.first(
        CREATE_VERSION,
        row_id=f"{agent_type_id}@{version}",
        agent_type_id=agent_type_id,
        version=version,
        document=document,
        now=now,
    )
    return created is not None


async def update_version(
    tx: Transaction, agent_type_id: str, version: str, document: str, now: datetime
) -> bool:
    """Whether the version existed (and now holds `document`)."""
    updated = await tx.first(
        UPDATE_VERSION, type_key=agent_type_id, version_key=version, document=document, now=now
    )
    return updated is not None
