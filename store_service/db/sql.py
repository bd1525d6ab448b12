"""Running SQLAlchemy Core statements with as little per-call work as the database allows.

Statements are built once from the schema (module-level `Statement`s with bind parameters). On
PostgreSQL each is compiled once and then runs as a prepared statement straight on the asyncpg
connection: SQLAlchemy's per-execution machinery costs three times the statement itself on the
hot path (see docs/performance.md). SQLite, the embedded default, runs the same statements
through SQLAlchemy's AsyncConnection. Services see one `Transaction` API either way.

Writes whose results nobody reads can be deferred (`Transaction.later`): on PostgreSQL they
travel with the transaction's next statement as data-modifying CTEs, saving a round trip each.
One statement sees one snapshot, so that next statement does not see them: defer only writes it
does not read, to rows it does not write. Whatever is still pending is sent before commit, or
before the connection is given back; a rolled-back unit never sends it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, cast

import orjson
from sqlalchemy import JSON, BindParameter, Table, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]
    json_names: frozenset[str]


def _compiled(compiled: SQLCompiler) -> _Compiled:
    names = tuple(compiled.positiontup or ())
    binds = compiled.binds
    return _Compiled(
        sql=str(compiled),
        names=names,
        defaults=dict(compiled.params),
        json_names=frozenset(
            name for name in names if name in binds and isinstance(binds[name].type, JSON)
        ),
    )


class Statement:
    """A statement built once, compiled once per process for PostgreSQL."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._postgres: _Compiled | None = None

    def for_postgres(self, dialect: Dialect) -> _Compiled:
        if self._postgres is None:
            self._postgres = _compiled(cast(SQLCompiler, self.statement.compile(dialect=dialect)))
        return self._postgres


Runnable = Statement | ClauseElement


class Contended(Exception):
    """Work that ran without a transaction found what it read changed by a concurrent writer
    before its one write; it wrote nothing and runs again in a transaction."""


class Transaction(Protocol):
    """What services run statements through: one database transaction (or one read)."""

    dialect: str

    async def rows(self, statement: Runnable, **params: Any) -> list[Row]: ...

    async def first(self, statement: Runnable, **params: Any) -> Row | None: ...

    async def scalar(self, statement: Runnable, **params: Any) -> Any: ...

    async def execute(self, statement: Runnable, **params: Any) -> None: ...

    def later(self, statement: Runnable, **params: Any) -> None:
        """A write sent with the next statement (or before commit); see the module docstring."""

    async def flush(self) -> None:
        """Sends the deferred writes now."""


_PARAMETER = re.compile(r"\$(\d+)")


def _renumbered(sql: str, offset: int) -> str:
    return _PARAMETER.sub(lambda match: f"${int(match.group(1)) + offset}", sql)


@lru_cache(maxsize=256)
def _carrying(deferred: tuple[tuple[str, int], ...], sql: str) -> str:
    """`sql` with the deferred statements (text, parameter count) as CTEs in front of it.

    Their parameters come first, so the main statement's are shifted past them."""
    ctes, offset = [], 0
    for position, (text, count) in enumerate(deferred):
        ctes.append(f"later_{position} AS ({_renumbered(text, offset)})")
        offset += count
    main = _renumbered(sql, offset)
    for keyword in ("WITH RECURSIVE ", "WITH "):
        if main.startswith(keyword):
            return keyword + ", ".join(ctes) + ", " + main.removeprefix(keyword)
    return "WITH " + ", ".join(ctes) + " " + main


def _json_text(value: Any) -> Any:
    return None if value is None else orjson.dumps(value).decode()


class PostgresTransaction:
    """Statements as prepared asyncpg statements on the unit of work's connection."""

    dialect = "postgresql"

    def __init__(self, driver: Any, sa_dialect: Dialect) -> None:
        self.driver = driver
        self.sa_dialect = sa_dialect
        self._deferred: list[tuple[str, list[Any]]] = []

    def _prepared(self, statement: Runnable, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        return self._carrying_deferred(*self._compiled(statement, params))

    def _carrying_deferred(self, sql: str, args: list[Any]) -> tuple[str, list[Any]]:
        if not self._deferred:
            return sql, args
        deferred, self._deferred = self._deferred, []
        shape = tuple((text, len(values)) for text, values in deferred)
        carried = [value for _, values in deferred for value in values]
        return _carrying(shape, sql), carried + args

    def _compiled(self, statement: Runnable, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        if isinstance(statement, Statement):
            compiled = statement.for_postgres(self.sa_dialect)
            values = compiled.defaults | dict(params)
        else:
            # Ad-hoc statements (IN lists, multi-row inserts) carry their values: compiled per call.
            compiled = _compiled(
                cast(
                    SQLCompiler,
                    statement.compile(
                        dialect=self.sa_dialect, compile_kwargs={"render_postcompile": True}
                    ),
                )
            )
            values = compiled.defaults
        args = [
            _json_text(values[name]) if name in compiled.json_names else values[name]
            for name in compiled.names
        ]
        return compiled.sql, args

    async def rows(self, statement: Runnable, **params: Any) -> list[Row]:
        sql, args = self._prepared(statement, params)
        return cast(list[Row], await self.driver.fetch(sql, *args))

    async def first(self, statement: Runnable, **params: Any) -> Row | None:
        sql, args = self._prepared(statement, params)
        return cast(Row | None, await self.driver.fetchrow(sql, *args))

    async def scalar(self, statement: Runnable, **params: Any) -> Any:
        sql, args = self._prepared(statement, params)
        return await self.driver.fetchval(sql, *args)

    async def execute(self, statement: Runnable, **params: Any) -> None:
        sql, args = self._prepared(statement, params)
        await self.driver.execute(sql, *args)

    def later(self, statement: Runnable, **params: Any) -> None:
        self._deferred.append(self._compiled(statement, params))

    async def flush(self) -> None:
        if self._deferred:
            # The last deferred write is the main statement; the others ride in front of it.
            sql, args = self._carrying_deferred(*self._deferred.pop())
            await self.driver.execute(sql, *args)


class SqlAlchemyTransaction:
    """Statements through SQLAlchemy's AsyncConnection (SQLite, and any other dialect)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self._deferred: list[tuple[Runnable, Mapping[str, Any]]] = []

    async def _run(self, statement: Runnable, params: Mapping[str, Any]) -> Any:
        await self.flush()
        return await self._run_now(statement, params)

    async def _run_now(self, statement: Runnable, params: Mapping[str, Any]) -> Any:
        executable = statement.statement if isinstance(statement, Statement) else statement
        return await self.connection.execute(
            cast(Executable, executable), dict(params) if params else None
        )

    async def rows(self, statement: Runnable, **params: Any) -> list[Row]:
        return list((await self._run(statement, params)).mappings())

    async def first(self, statement: Runnable, **params: Any) -> Row | None:
        row: Row | None = (await self._run(statement, params)).mappings().first()
        return row

    async def scalar(self, statement: Runnable, **params: Any) -> Any:
        return (await self._run(statement, params)).scalar()

    async def execute(self, statement: Runnable, **params: Any) -> None:
        await self._run(statement, params)

    def later(self, statement: Runnable, **params: Any) -> None:
        self._deferred.append((statement, params))

    async def flush(self) -> None:
        # The database is in-process: there is no round trip to save, only the order to keep.
        deferred, self._deferred = self._deferred, []
        for statement, params in deferred:
            await self._run_now(statement, params)


def bound(table: Table, *names: str) -> dict[str, BindParameter[Any]]:
    """Bind parameters named after columns, for statements that set those columns."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


def all_columns(table: Table) -> dict[str, BindParameter[Any]]:
    return bound(table, *table.c.keys())
