"""Document numbers from sequences on PostgreSQL, so no checkout waits on a per-day counter row.

Each kind draws from its own sequence; `number_day_starts` keeps, per kind and day, the
sequence value before the day's first number (store_service/services/numbers.py). Days already
counted in `number_sequences` continue where they stopped. SQLite keeps the counter rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Document kind → the table and column its numbers are issued in (for the downgrade).
KINDS = {"RCT": ("receipts", "receipt_number"), "INV": ("invoices", "invoice_number")}


def _sequence(kind: str) -> str:
    return f"document_numbers_{kind.lower()}"


def upgrade() -> None:
    op.create_table(
        "number_day_starts",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("start_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", name=op.f("pk_number_day_starts")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind in KINDS:
        op.execute(f"CREATE SEQUENCE {_sequence(kind)} AS bigint START WITH 1")
    # Sequences start at 1: a day that drew n numbers so far starts at -n and goes on at n + 1.
    op.execute(
        "INSERT INTO number_day_starts (kind, day, start_value) "
        "SELECT kind, day, -last_value FROM number_sequences"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Hand the counters the highest number each day issued, so they go on from there.
        for kind, (table, column) in KINDS.items():
            op.execute(
                "INSERT INTO number_sequences (kind, day, last_value) "
                f"SELECT '{kind}', split_part({column}, '-', 2), "
                f"max(split_part({column}, '-', 3)::bigint) FROM {table} GROUP BY 2 "
                "ON CONFLICT (kind, day) DO UPDATE SET last_value = "
                "greatest(number_sequences.last_value, excluded.last_value)"
            )
            op.execute(f"DROP SEQUENCE {_sequence(kind)}")
    op.drop_table("number_day_starts")
