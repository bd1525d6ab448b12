"""Column types shared by every table, identical in meaning on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

# Values the store builds and reads by field (invoice items): JSONB where the database has it.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class _JsonTextOnSQLite(TypeDecorator[str]):
    """SQLite's columns declared JSON (migration 0001) holding text the store wrote itself.

    SQLite stores JSON as text anyway; keeping the declared type spares rebuilding the tables,
    which would drop their history triggers. The text passes unchanged both ways.
    """

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


# Documents (config, settings, payloads, metadata, agent type definitions) as their exact JSON
# text: JSONB would reorder keys, drop repeated ones and refuse NUL characters
# (plant_store_client/wire/documents.py writes the text).
JsonText = Text().with_variant(_JsonTextOnSQLite(), "sqlite")

# Surrogate keys of append-only tables: SQLite only auto-increments an INTEGER primary key.
BigIntKey = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always handed to and returned from the database as an aware UTC datetime.

    SQLite keeps no offset, so values are stored there as naive UTC and made aware on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(instant, datetime)
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)
