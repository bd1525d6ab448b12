"""Keyset pages: a query's rows in a total order, read a page at a time after the last row seen.

A page starts strictly after a cursor (the order keys of the previous page's last row), so rows
written meanwhile never shift the rest and no page is read twice. The last key must make the
order total (a unique column).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_
from sqlalchemy.sql.elements import UnaryExpression

from store_service.db.sql import Row, Statement, Transaction
from store_service.db.types import UTCDateTime

Cursor = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Key:
    column: ColumnElement[Any]
    descending: bool = False
    # For a nullable column ordered ascending with its NULLs first (the only nullable order used).
    nulls_first: bool = False

    @property
    def name(self) -> str:
        return str(self.column.key)

    def ordering(self) -> UnaryExpression[Any]:
        if self.descending:
            return self.column.desc()
        ascending = self.column.asc()
        return ascending.nulls_first() if self.nulls_first else ascending

    def equal(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value

    def beyond(self, value: Any) -> ColumnElement[bool]:
        if value is None:
            # Only NULLs-first columns hold NULLs: every non-NULL value comes after them.
            return self.column.is_not(None)
        later: ColumnElement[bool] = self.column < value if self.descending else self.column > value
        return later

    def decoded(self, value: Any) -> Any:
        """A cursor value read back from a page token; ValueError when it cannot be one."""
        if value is None and self.nulls_first:
            return None
        if isinstance(self.column.type, UTCDateTime):
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
            if moment is None or moment.tzinfo is None:
                raise ValueError("not an instant")
            return moment
        # A token comes from the client: a value of another type than the column's, or an
        # integer past 64 bits, would reach the database as a statement it refuses.
        kind = self.column.type.python_type
        if kind is str and isinstance(value, str):
            return value
        if kind is int and type(value) is int and -(2**63) <= value < 2**63:
            return value
        raise ValueError("not a key value")


class Keyset:
    def __init__(self, query: Select[Any], *keys: Key) -> None:
        self.query = query
        self.keys = keys
        self.ordering = tuple(key.ordering() for key in keys)
        self._ordered = query.order_by(*self.ordering)
        self.first_page = Statement(self._ordered.limit(bindparam("page_limit")))

    def cursor(self, row: Row) -> Cursor:
        return tuple(row[key.name] for key in self.keys)

    def decoded(self, values: Sequence[Any]) -> Cursor:
        if len(values) != len(self.keys):
            raise ValueError("cursor of another order")
        return tuple(key.decoded(value) for key, value in zip(self.keys, values, strict=True))

    def _after(self, cursor: Cursor) -> ColumnElement[bool]:
        """Rows strictly after the cursor in the keys' order (a row comparison that also knows
        descending keys and NULLs)."""
        return or_(
            *(
                and_(
                    *(key.equal(value) for key, value in zip(self.keys[:at], cursor, strict=False)),
                    self.keys[at].beyond(cursor[at]),
                )
                for at in range(len(self.keys))
            )
        )

    async def page(
        self, tx: Transaction, after: Cursor | None, limit: int, **params: Any
    ) -> list[Row]:
        """At most `limit` rows after the cursor (from the start without one)."""
        if after is None:
            return await tx.rows(self.first_page, page_limit=limit, **params)
        following = self._ordered.where(self._after(after)).limit(limit).params(**params)
        return await tx.rows(following)
