"""Let the retention purge, and only it, delete the history of expired hired agents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE_TABLES = (
    "deliverable_reviews",
    "deliverable_executions",
    "enforcement_denials",
    "trial_transitions",
)

REJECT_ALWAYS = """
    CREATE OR REPLACE FUNCTION plant_reject_history_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$
"""
# A guard row is only visible to the purge transaction that inserted it.
REJECT_UNLESS_PURGING = """
    CREATE OR REPLACE FUNCTION plant_reject_history_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM retention_purge_guard) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$
"""


def _sqlite_delete_triggers(condition: str) -> None:
    for table in IMMUTABLE_TABLES:
        op.execute(f"DROP TRIGGER {table}_no_delete")
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {condition}"
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
        )


def upgrade() -> None:
    op.create_table(
        "retention_purge_guard",
        sa.Column("purge_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("purge_id", name=op.f("pk_retention_purge_guard")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REJECT_UNLESS_PURGING)
    else:
        _sqlite_delete_triggers("WHEN NOT EXISTS (SELECT 1 FROM retention_purge_guard) ")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REJECT_ALWAYS)
    else:
        _sqlite_delete_triggers("")
    op.drop_table("retention_purge_guard")
