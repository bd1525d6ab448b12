"""Agent type catalog use cases: the current catalog and the versioned registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import cast

from plant_store_client.reasons import Reason
from plant_store_client.wire.documents import Document, from_stored_json, to_json
from store_service.db.keyset import Keyset
from store_service.db.sql import Transaction
from store_service.db.statements import catalog as statements
from store_service.domain.agent_types import (
    require_agent_type_id,
    require_matching_id,
    validate_definition,
)
from store_service.domain.errors import already_exists, not_found
from store_service.domain.records import CatalogEntry
from store_service.services.pages import PageQuery, Rows, page_start, read_rows
from store_service.services.units_of_work import R, Reply, UnitsOfWork

# Reads the stored definition document of an agent type id (None when there is none).
StoredDocument = Callable[[Transaction, str], Awaitable[str | None]]


def _agent_type_not_found(agent_type_id: str) -> Exception:
    return not_found(
        Reason.AGENT_TYPE_NOT_FOUND, "Agent type not found", agent_type_id=agent_type_id
    )


async def _entries(units: UnitsOfWork, keyset: Keyset, page: PageQuery) -> Rows[CatalogEntry]:
    start = page_start(keyset, page)
    rows = await units.read(lambda tx: read_rows(tx, start))
    return cast("Rows[CatalogEntry]", rows)


async def _document(units: UnitsOfWork, raw_id: str, read: StoredDocument) -> Document:
    """The definition `read` finds for the agent type; AGENT_TYPE_NOT_FOUND without one."""

    async def work(tx: Transaction) -> Document:
        agent_type_id = require_agent_type_id(raw_id)
        document = await read(tx, agent_type_id)
        if document is None:
            raise _agent_type_not_found(agent_type_id)
        return from_stored_json(document)

    return await units.read(work)


async def list_agent_types(units: UnitsOfWork, page: PageQuery) -> Rows[CatalogEntry]:
    """A page of the current catalog in insertion order."""
    return await _entries(units, statements.LIST_CURRENT, page)


async def get_agent_type(units: UnitsOfWork, raw_id: str) -> Document:
    return await _document(units, raw_id, statements.current_document)


async def put_agent_type(
    units: UnitsOfWork, raw_id: str, document: Document, reply: Reply[Document, R]
) -> R:
    """Creates or replaces a definition; a replaced definition keeps its catalog position."""
    validate_definition(document)
    return await units.write(reply, partial(_put_agent_type, raw_id=raw_id, document=document))


async def _put_agent_type(
    tx: Transaction, now: datetime, *, raw_id: str, document: Document
) -> Document:
    agent_type_id = require_agent_type_id(raw_id)
    require_matching_id(agent_type_id, document["agent_type_id"])
    await statements.put_current(tx, agent_type_id, to_json(document), now)
    return document


async def list_latest_versions(units: UnitsOfWork, page: PageQuery) -> Rows[CatalogEntry]:
    """A page of each agent type's latest version, by agent type id."""
    return await _entries(units, statements.LIST_LATEST, page)


async def get_latest_version(units: UnitsOfWork, raw_id: str) -> Document:
    return await _document(units, raw_id, statements.latest_document)


async def create_version(units: UnitsOfWork, document: Document, reply: Reply[Document, R]) -> R:
    """Adds a version to the registry; an existing version is refused, not replaced."""
    validate_definition(document)
    return await units.write(reply, partial(_create_version, document=document))


async def _create_version(tx: Transaction, now: datetime, *, document: Document) -> Document:
    agent_type_id = require_agent_type_id(document["agent_type_id"])
    version = document["version"]
    if not await statements.create_version(tx, agent_type_id, version, to_json(document), now):
        raise already_exists(
            Reason.AGENT_TYPE_VERSION_EXISTS,
            f"Agent type {agent_type_id} version {version} already exists",
            agent_type_id=agent_type_id,
            version=version,
        )
    return document


async def update_version(
    units: UnitsOfWork, raw_id: str, document: Document, reply: Reply[Document, R]
) -> R:
    """Replaces the document of an existing version; it cannot create one."""
    validate_definition(document)
    return await units.write(reply, partial(_update_version, raw_id=raw_id, document=document))


async def _update_version(
    tx: Transaction, now: datetime, *, raw_id: str, document: Document
) -> Document:
    agent_type_id = require_agent_type_id(raw_id)
    require_matching_id(agent_type_id, document["agent_type_id"])
    if not await statements.update_version(
        tx, agent_type_id, document["version"], to_json(document), now
    ):
        raise _agent_type_not_found(agent_type_id)
    return document
