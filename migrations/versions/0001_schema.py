"""The Phase-1 schema: every table, its constraints, and append-only history tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 10:10:41.403148
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the application's column types, so this migration never changes under us.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIGINT_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Histories that must never change once written: the database itself refuses UPDATE and DELETE.
IMMUTABLE_TABLES = (
    "deliverable_reviews",
    "deliverable_executions",
    "enforcement_denials",
    "trial_transitions",
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_type_versions",
        sa.Column("row_id", sa.String(length=511), nullable=False),
        sa.Column("agent_type_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_agent_type_versions")),
        sa.UniqueConstraint(
            "agent_type_id", "version", name=op.f("uq_agent_type_versions_agent_type_id_version")
        ),
    )
    op.create_index(
        "ix_agent_type_versions_latest",
        "agent_type_versions",
        ["agent_type_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "agent_types",
        sa.Column("agent_type_id", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agent_type_id", name=op.f("pk_agent_types")),
    )
    op.create_index("ix_agent_types_position", "agent_types", ["position"], unique=False)
    op.create_table(
        "idempotency_records",
        sa.Column("scope_key", sa.String(length=600), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope_key", name=op.f("pk_idempotency_records")),
    )
    op.create_index(
        "ix_idempotency_records_created_at", "idempotency_records", ["created_at"], unique=False
    )
    op.create_table(
        "notification_events",
        sa.Column("event_id", BIGINT_KEY, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("subscription_id", sa.String(length=80), nullable=True),
        sa.Column("order_id", sa.String(length=80), nullable=True),
        sa.Column("hired_instance_id", sa.String(length=80), nullable=True),
        sa.Column("metadata", JSON_DOCUMENT, nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_notification_events")),
    )
    op.create_index(
        "ix_notification_events_customer", "notification_events", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_notification_events_subscription",
        "notification_events",
        ["subscription_id"],
        unique=False,
    )
    op.create_index(
        "ix_notification_events_undelivered",
        "notification_events",
        ["event_id"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NULL"),
        sqlite_where=sa.text("delivered_at IS NULL"),
    )
    op.create_table(
        "number_sequences",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("subscription_id", sa.String(length=80), nullable=False),
        sa.Column("agent_id", sa.Text(), nullable=False),
        sa.Column("duration", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending_payment', 'active', 'canceled')",
            name=op.f("ck_subscriptions_status"),
        ),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_subscriptions")),
    )
    op.create_index(
        "ix_subscriptions_customer",
        "subscriptions",
        ["customer_id", "current_period_end"],
        unique=False,
    )
    op.create_index(
        "ix_subscriptions_period_end",
        "subscriptions",
        ["status", "cancel_at_period_end", "current_period_end"],
        unique=False,
    )
    op.create_table(
        "hired_instances",
        sa.Column("hired_instance_id", sa.String(length=80), nullable=False),
        sa.Column("subscription_id", sa.String(length=80), nullable=False),
        sa.Column("agent_id", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("nickname", sa.Text(), nullable=True),
        sa.Column("theme", sa.String(length=20), nullable=True),
        sa.Column("config", JSON_DOCUMENT, nullable=False),
        sa.Column("configured", sa.Boolean(), nullable=False),
        sa.Column("goals_completed", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("trial_status", sa.String(length=30), nullable=False),
        sa.Column("trial_start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trial_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "trial_status IN ('not_started', 'active', 'ended_converted', 'ended_not_converted')",
            name=op.f("ck_hired_instances_trial_status"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.subscription_id"],
            name=op.f("fk_hired_instances_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("hired_instance_id", name=op.f("pk_hired_instances")),
        sa.UniqueConstraint("subscription_id", name=op.f("uq_hired_instances_subscription_id")),
    )
    op.create_index(
        "ix_hired_instances_creation",
        "hired_instances",
        ["created_at", "hired_instance_id"],
        unique=False,
    )
    op.create_index("ix_hired_instances_customer", "hired_instances", ["customer_id"], unique=False)
    op.create_index(
        "ix_hired_instances_trial_end",
        "hired_instances",
        ["trial_status", "trial_end_at"],
        unique=False,
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(length=80), nullable=False),
        sa.Column("payment_provider", sa.String(length=20), nullable=False),
        sa.Column("subscription_id", sa.String(length=80), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("agent_id", sa.Text(), nullable=False),
        sa.Column("duration", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("gstin", sa.String(length=15), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("razorpay_order_id", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "payment_provider IN ('coupon', 'razorpay')", name=op.f("ck_orders_provider")
        ),
        sa.CheckConstraint("status IN ('created', 'paid')", name=op.f("ck_orders_status")),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.subscription_id"],
            name=op.f("fk_orders_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_orders")),
        sa.UniqueConstraint("razorpay_order_id", name=op.f("uq_orders_razorpay_order_id")),
    )
    op.create_index("ix_orders_subscription", "orders", ["subscription_id"], unique=False)
    op.create_table(
        "deliverables",
        sa.Column("deliverable_id", sa.String(length=80), nullable=False),
        sa.Column("hired_instance_id", sa.String(length=80), nullable=False),
        sa.Column("goal_instance_id", sa.String(length=255), nullable=False),
        sa.Column("goal_template_id", sa.String(length=255), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("payload", JSON_DOCUMENT, nullable=False),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("review_notes", sa.Text(), nullable=True),
        sa.Column("approval_id", sa.Text(), nullable=True),
        sa.Column("execution_status", sa.String(length=20), nullable=False),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "execution_status IN ('not_executed', 'executed')",
            name=op.f("ck_deliverables_execution_status"),
        ),
        sa.CheckConstraint(
            "review_status IN ('pending_review', 'approved', 'rejected')",
            name=op.f("ck_deliverables_review_status"),
        ),
        sa.ForeignKeyConstraint(
            ["hired_instance_id"],
            ["hired_instances.hired_instance_id"],
            name=op.f("fk_deliverables_hired_instance_id_hired_instances"),
        ),
        sa.PrimaryKeyConstraint("deliverable_id", name=op.f("pk_deliverables")),
        sa.UniqueConstraint(
            "hired_instance_id",
            "goal_instance_id",
            "period_key",
            name=op.f("uq_deliverables_hired_instance_id_goal_instance_id_period_key"),
        ),
    )
    op.create_index(
        "ix_deliverables_listing",
        "deliverables",
        ["hired_instance_id", "created_at", "deliverable_id"],
        unique=False,
    )
    op.create_table(
        "goal_instances",
        sa.Column("hired_instance_id", sa.String(length=80), nullable=False),
        sa.Column("goal_instance_id", sa.String(length=255), nullable=False),
        sa.Column("goal_template_id", sa.String(length=255), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("settings", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hired_instance_id"],
            ["hired_instances.hired_instance_id"],
            name=op.f("fk_goal_instances_hired_instance_id_hired_instances"),
        ),
        sa.PrimaryKeyConstraint(
            "hired_instance_id", "goal_instance_id", name=op.f("pk_goal_instances")
        ),
    )
    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.String(length=80), nullable=False),
        sa.Column("invoice_number", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("subscription_id", sa.String(length=80), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("seller_legal_name", sa.Text(), nullable=False),
        sa.Column("seller_gstin", sa.Text(), nullable=True),
        sa.Column("seller_state_code", sa.Text(), nullable=False),
        sa.Column("customer_business_name", sa.Text(), nullable=True),
        sa.Column("customer_business_address", sa.Text(), nullable=True),
        sa.Column("customer_gstin", sa.String(length=15), nullable=True),
        sa.Column("customer_state_code", sa.String(length=2), nullable=True),
        sa.Column("subtotal_amount", sa.BigInteger(), nullable=False),
        sa.Column("cgst_amount", sa.BigInteger(), nullable=False),
        sa.Column("sgst_amount", sa.BigInteger(), nullable=False),
        sa.Column("igst_amount", sa.BigInteger(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax_regime", sa.String(length=10), nullable=False),
        sa.Column("tax_type", sa.String(length=20), nullable=False),
        sa.Column("items", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "tax_type IN ('none', 'cgst_sgst', 'igst')", name=op.f("ck_invoices_tax_type")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.order_id"], name=op.f("fk_invoices_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("invoice_number", name=op.f("uq_invoices_invoice_number")),
        sa.UniqueConstraint("order_id", name=op.f("uq_invoices_order_id")),
    )
    op.create_index("ix_invoices_customer", "invoices", ["customer_id", "created_at"], unique=False)
    op.create_table(
        "receipts",
        sa.Column("receipt_id", sa.String(length=80), nullable=False),
        sa.Column("receipt_number", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("subscription_id", sa.String(length=80), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("payment_status", sa.String(length=20), nullable=False),
        sa.Column("items", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.order_id"], name=op.f("fk_receipts_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("receipt_id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("order_id", name=op.f("uq_receipts_order_id")),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_receipts_receipt_number")),
    )
    op.create_index("ix_receipts_customer", "receipts", ["customer_id", "created_at"], unique=False)
    op.create_table(
        "trial_transitions",
        sa.Column("transition_id", BIGINT_KEY, autoincrement=True, nullable=False),
        sa.Column("hired_instance_id", sa.String(length=80), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=False),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hired_instance_id"],
            ["hired_instances.hired_instance_id"],
            name=op.f("fk_trial_transitions_hired_instance_id_hired_instances"),
        ),
        sa.PrimaryKeyConstraint("transition_id", name=op.f("pk_trial_transitions")),
    )
    op.create_index(
        "ix_trial_transitions_instance",
        "trial_transitions",
        ["hired_instance_id", "transition_id"],
        unique=False,
    )
    op.create_table(
        "deliverable_executions",
        sa.Column("execution_id", BIGINT_KEY, autoincrement=True, nullable=False),
        sa.Column("deliverable_id", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("approval_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.Text(), nullable=False),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deliverable_id"],
            ["deliverables.deliverable_id"],
            name=op.f("fk_deliverable_executions_deliverable_id_deliverables"),
        ),
        sa.PrimaryKeyConstraint("execution_id", name=op.f("pk_deliverable_executions")),
    )
    op.create_index(
        "ix_deliverable_executions_deliverable",
        "deliverable_executions",
        ["deliverable_id", "execution_id"],
        unique=False,
    )
    op.create_table(
        "deliverable_reviews",
        sa.Column("review_id", BIGINT_KEY, autoincrement=True, nullable=False),
        sa.Column("deliverable_id", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("approval_id", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approved', 'rejected')", name=op.f("ck_deliverable_reviews_decision")
        ),
        sa.ForeignKeyConstraint(
            ["deliverable_id"],
            ["deliverables.deliverable_id"],
            name=op.f("fk_deliverable_reviews_deliverable_id_deliverables"),
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_deliverable_reviews")),
    )
    op.create_index(
        "ix_deliverable_reviews_deliverable",
        "deliverable_reviews",
        ["deliverable_id", "review_id"],
        unique=False,
    )
    op.create_table(
        "enforcement_denials",
        sa.Column("denial_id", BIGINT_KEY, autoincrement=True, nullable=False),
        sa.Column("deliverable_id", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("details", JSON_DOCUMENT, nullable=False),
        sa.Column("correlation_id", sa.Text(), nullable=False),
        sa.Column("denied_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deliverable_id"],
            ["deliverables.deliverable_id"],
            name=op.f("fk_enforcement_denials_deliverable_id_deliverables"),
        ),
        sa.PrimaryKeyConstraint("denial_id", name=op.f("pk_enforcement_denials")),
    )
    op.create_index(
        "ix_enforcement_denials_deliverable",
        "enforcement_denials",
        ["deliverable_id", "denial_id"],
        unique=False,
    )

    _create_immutability_triggers()


def _create_immutability_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION plant_reject_history_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        for table in IMMUTABLE_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION plant_reject_history_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION plant_reject_history_change()"
            )
        return
    for table in IMMUTABLE_TABLES:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
            )


def _drop_immutability_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in IMMUTABLE_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION plant_reject_history_change()")
        return
    for table in IMMUTABLE_TABLES:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{action}")


def downgrade() -> None:
    _drop_immutability_triggers()
    op.drop_index("ix_enforcement_denials_deliverable", table_name="enforcement_denials")
    op.drop_table("enforcement_denials")
    op.drop_index("ix_deliverable_reviews_deliverable", table_name="deliverable_reviews")
    op.drop_table("deliverable_reviews")
    op.drop_index("ix_deliverable_executions_deliverable", table_name="deliverable_executions")
    op.drop_table("deliverable_executions")
    op.drop_index("ix_trial_transitions_instance", table_name="trial_transitions")
    op.drop_table("trial_transitions")
    op.drop_index("ix_receipts_customer", table_name="receipts")
    op.drop_table("receipts")
    op.drop_index("ix_invoices_customer", table_name="invoices")
    op.drop_table("invoices")
    op.drop_table("goal_instances")
    op.drop_index("ix_deliverables_listing", table_name="deliverables")
    op.drop_table("deliverables")
    op.drop_index("ix_orders_subscription", table_name="orders")
    op.drop_table("orders")
    op.drop_index("ix_hired_instances_trial_end", table_name="hired_instances")
    op.drop_index("ix_hired_instances_customer", table_name="hired_instances")
    op.drop_index("ix_hired_instances_creation", table_name="hired_instances")
    op.drop_table("hired_instances")
    op.drop_index("ix_subscriptions_period_end", table_name="subscriptions")
    op.drop_index("ix_subscriptions_customer", table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_table("number_sequences")
    op.drop_index(
        "ix_notification_events_undelivered",
        table_name="notification_events",
        postgresql_where=sa.text("delivered_at IS NULL"),
        sqlite_where=sa.text("delivered_at IS NULL"),
    )
    op.drop_index("ix_notification_events_subscription", table_name="notification_events")
    op.drop_index("ix_notification_events_customer", table_name="notification_events")
    op.drop_table("notification_events")
    op.drop_index("ix_idempotency_records_created_at", table_name="idempotency_records")
    op.drop_table("idempotency_records")
    op.drop_index("ix_agent_types_position", table_name="agent_types")
    op.drop_table("agent_types")
    op.drop_index("ix_agent_type_versions_latest", table_name="agent_type_versions")
    op.drop_table("agent_type_versions")
