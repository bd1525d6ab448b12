"""The entity-relationship diagram of the current schema, drawn from the models (Mermaid).

`python -m store_service.db.diagram` (`make schema-doc`) rewrites the diagram in docs/schema.md;
tests/db/test_schema_doc.py fails when the committed diagram differs from the models.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, UniqueConstraint

from store_service.db.models import Base

BEGIN = "```mermaid\nerDiagram\n"
END = "```"
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "schema.md"

# Column types as a reader thinks of them (Mermaid wants one word).
TYPE_NAMES = {
    "String": "string",
    "Text": "text",
    "Integer": "int",
    "BigInteger": "bigint",
    "BigIntKey": "bigint",
    "Boolean": "bool",
    "LargeBinary": "bytes",
    "UTCDateTime": "timestamptz",
    "JSONDocument": "json",
}


def _unique_alone(table: Table) -> set[str]:
    """Columns unique on their own (a one-to-one reference when also a foreign key)."""
    single = {
        constraint.columns.keys()[0]
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1
    }
    return single | {column.name for column in table.columns if column.unique}


def _keys(column: Column[object], unique: set[str]) -> str:
    keys = [
        key
        for key, present in (
            ("PK", column.primary_key),
            ("FK", bool(column.foreign_keys)),
            ("UK", column.name in unique),
        )
        if present
    ]
    return f" {', '.join(keys)}" if keys else ""


def _entity(table: Table) -> list[str]:
    unique = _unique_alone(table)
    lines = [f"    {table.name} {{"]
    for column in table.columns:
        kind = TYPE_NAMES.get(type(column.type).__name__, type(column.type).__name__.lower())
        lines.append(f"        {kind} {column.name}{_keys(column, unique)}")
    lines.append("    }")
    return lines


def _relationships(table: Table) -> list[str]:
    unique = _unique_alone(table)
    lines = []
    for column in table.columns:
        sole_key = column.primary_key and len(table.primary_key.columns) == 1
        # "||--o|": a parent has at most one such child; "||--o{": any number.
        children = "o|" if column.name in unique or sole_key else "o{"
        for key in sorted(column.foreign_keys, key=lambda fk: fk.target_fullname):
            parent = key.column.table.name
            lines.append(f'    {parent} ||--{children} {table.name} : "{column.name}"')
    return lines


def diagram(metadata: MetaData = Base.metadata) -> str:
    """The Mermaid `erDiagram` block (fenced) of every table, in name order."""
    tables = sorted(metadata.tables.values(), key=lambda table: table.name)
    lines: list[str] = []
    for table in tables:
        lines.extend(_entity(table))
    for table in tables:
        lines.extend(_relationships(table))
    return BEGIN + "\n".join(lines) + "\n" + END


def with_diagram(document: str, drawn: str) -> str:
    """`document` with its diagram block replaced by `drawn`."""
    start = document.index(BEGIN)
    end = document.index(END, start + len(BEGIN))
    return document[:start] + drawn + document[end + len(END) :]


def main() -> int:
    DOCUMENT.write_text(with_diagram(DOCUMENT.read_text(), diagram()))
    print(f"wrote the diagram of {len(Base.metadata.tables)} tables to {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
