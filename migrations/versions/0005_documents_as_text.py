"""Keep documents as their exact JSON text: PostgreSQL's JSONB reorders keys, refuses NUL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT_COLUMNS = (
    ("agent_types", "document"),
    ("agent_type_versions", "document"),
    ("hired_instances", "config"),
    ("goal_instances", "settings"),
    ("deliverables", "payload"),
    ("enforcement_denials", "details"),
    ("notification_events", "metadata"),
)


def _retype(target: str) -> None:
    # SQLite already stores its JSON columns as the text that was written: nothing to change.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in DOCUMENT_COLUMNS:
        op.execute(
            f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {target} USING {column}::{target}"
        )


def upgrade() -> None:
    # Existing rows keep JSONB's text of them (its key order; numbers as JSONB kept them).
    _retype("text")


def downgrade() -> None:
    _retype("jsonb")
