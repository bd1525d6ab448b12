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
from store_service.domain.errors import invalid

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


def cursor_after(keyset: Keyset, query: PageQuery) -> Cursor | None:
    """Where the page `query` asks for starts in `keyset`'s order (None: at the first row)."""
    if query.after is None:
        return None
    try:
        return keyset.decoded(query.after)
    except ValueError:
        raise invalid(
            Reason.INVALID_PAGE_TOKEN, "page_token is not one this store issued"
        ) from None


async def read_rows(tx: Transaction, keyset: Keyset, query: PageQuery, **params: Any) -> Rows[Row]:
    """The rows of the page `query` asks for (one more than its size, to know whether more
    follow)."""
    rows = await keyset.page(tx, cursor_after(keyset, query), query.size + 1, **params)
    return Rows(rows, keyset.cursor)
