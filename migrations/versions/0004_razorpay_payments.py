"""Record each confirmed Razorpay payment id once, so one payment confirms at most one order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "razorpay_payments",
        sa.Column("razorpay_payment_id", sa.String(length=255), nullable=False),
        sa.Column("order_id", sa.String(length=80), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.order_id"],
            name=op.f("fk_razorpay_payments_order_id_orders"),
        ),
        sa.PrimaryKeyConstraint("razorpay_payment_id", name=op.f("pk_razorpay_payments")),
    )


def downgrade() -> None:
    op.drop_table("razorpay_payments")
