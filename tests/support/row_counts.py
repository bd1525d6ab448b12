"""Every table's row count: a refused request must leave all of them as they were, not only the
rows of the one customer a check happens to look at."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store_service.db.engine import create_engine
from store_service.db.models import Base, table_of


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table.name: int(await connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


async def count_rows(database_url: str, model: type[Base], **equal: object) -> int:
    """The rows of one table (with these column values, if given), through an engine of its
    own."""
    table = table_of(model)
    where = [table.c[column] == value for column, value in equal.items()]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(select(func.count()).select_from(table).where(*where))
            return int(count or 0)
    finally:
        await engine.dispose()
