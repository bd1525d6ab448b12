"""Keyset pages as use cases read them: a page query in, its rows and their cursors out.

The rpc layer turns page tokens into `PageQuery.after` values and back; what a cursor holds and
how it is checked is the keyset's (db/keyset.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from plant_store_client.reasons import Reason
from store_service.db.keyset import Cursor, Keyset
from store_service.db.sql import Row, Transaction
from store_service.domain.errors import DomainError, invalid

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageQuery:
    """At most `size` items, after the row whose order keys a page token carried."""

    after: Sequence[Any] | None
    size: int


@dataclass(frozen=True, slots=True)
class Rows(Generic[T]):
    """The rows of a page, one more than its size when more follow, and where each one ends."""

    items: list[T]
    cursor_of: Callable[[T], Cursor]


def invalid_page_token() -> DomainError:
    return invalid(Reason.INVALID_PAGE_TOKEN, "page_token is not one this store issued")


def cursor_after(keyset: Keyset, query: PageQuery) -> Cursor | None:
    """Where the page `query` asks for starts in `keyset`'s order (None: at the first row)."""
    if query.after is None:
        return None
    try:
        return keyset.decoded(query.after)
    except ValueError:
        raise invalid_page_token() from None


@dataclass(frozen=True, slots=True)
class PageStart:
    """A page query checked against its keyset: made before the use case's other checks and its
    unit of work, so a foreign token is refused first and without a database round trip."""

    keyset: Keyset
    after: Cursor | None
    size: int


def page_start(keyset: Keyset, query: PageQuery) -> PageStart:
    return PageStart(keyset, cursor_after(keyset, query), query.size)


async def read_rows(tx: Transaction, start: PageStart, **params: Any) -> Rows[Row]:
    """The rows of the page (one more than its size, to know whether more follow)."""
    rows = await start.keyset.page(tx, start.after, start.size + 1, **params)
    return Rows(rows, start.keyset.cursor)
