"""The Phase-1 tables: one typed mapping each, all on one metadata that Alembic migrates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store_service.db.types import BigIntKey, JSONDocument, JsonText, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Tables whose rows are history: the database rejects UPDATE and DELETE on them (migration 0001).
IMMUTABLE_TABLES = (
    "deliverable_reviews",
    "deliverable_executions",
    "enforcement_denials",
    "trial_transitions",
)

Id = String(80)
Text255 = String(255)


def _one_of(column: str, *values: str) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONDocument,
    }


class AgentType(Base):
    """The current catalog: one definition per agent type id, kept in insertion order."""

    __tablename__ = "agent_types"

    agent_type_id: Mapped[str] = mapped_column(Text255, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(JsonText)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_agent_types_position", "position"),)


class AgentTypeVersion(Base):
    """The versioned catalog: one row per (agent type id, version)."""

    __tablename__ = "agent_type_versions"

    row_id: Mapped[str] = mapped_column(String(511), primary_key=True)
    agent_type_id: Mapped[str] = mapped_column(Text255)
    version: Mapped[str] = mapped_column(Text255)
    document: Mapped[str] = mapped_column(JsonText)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("agent_type_id", "version"),
        Index("ix_agent_type_versions_latest", "agent_type_id", "created_at"),
    )


class Subscription(Base):
    __tablename__ = "subscriptions"

    subscription_id: Mapped[str] = mapped_column(Id, primary_key=True)
    agent_id: Mapped[str] = mapped_column(Text)
    duration: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    current_period_start: Mapped[datetime]
    current_period_end: Mapped[datetime]
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean)
    ended_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(_one_of("status", "pending_payment", "active", "canceled"), name="status"),
        Index("ix_subscriptions_customer", "customer_id", "current_period_end"),
        Index(
            "ix_subscriptions_period_end", "status", "cancel_at_period_end", "current_period_end"
        ),
    )


class Order(Base):
    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(Id, primary_key=True)
    payment_provider: Mapped[str] = mapped_column(String(20))
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.subscription_id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    agent_id: Mapped[str] = mapped_column(Text)
    duration: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(Text)
    gstin: Mapped[str | None] = mapped_column(String(15))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    # The Razorpay order this order was created as (the razorpay_order_id -> order_id link).
    razorpay_order_id: Mapped[str | None] = mapped_column(Text255, unique=True)

    __table_args__ = (
        CheckConstraint(_one_of("payment_provider", "coupon", "razorpay"), name="provider"),
        CheckConstraint(_one_of("status", "created", "paid"), name="status"),
        Index("ix_orders_subscription", "subscription_id"),
    )


class RazorpayPayment(Base):
    """A Razorpay payment id and the one order it confirmed (contract 7.2-21)."""

    __tablename__ = "razorpay_payments"

    razorpay_payment_id: Mapped[str] = mapped_column(Text255, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"))
    confirmed_at: Mapped[datetime]


class IdempotencyRecord(Base):
    """The first answer to a write, replayed to repeats of the same request."""

    __tablename__ = "idempotency_records"

    scope_key: Mapped[str] = mapped_column(String(600), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_idempotency_records_created_at", "created_at"),)


class HiredInstance(Base):
    __tablename__ = "hired_instances"

    hired_instance_id: Mapped[str] = mapped_column(Id, primary_key=True)
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("subscriptions.subscription_id"), unique=True
    )
    agent_id: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(Text)
    nickname: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(20))
    config: Mapped[str] = mapped_column(JsonText)
    configured: Mapped[bool] = mapped_column(Boolean)
    goals_completed: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    trial_status: Mapped[str] = mapped_column(String(30))
    trial_start_at: Mapped[datetime | None]
    trial_end_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(
            _one_of(
                "trial_status", "not_started", "active", "ended_converted", "ended_not_converted"
            ),
            name="trial_status",
        ),
        Index("ix_hired_instances_customer", "customer_id"),
        Index("ix_hired_instances_creation", "created_at", "hired_instance_id"),
        Index("ix_hired_instances_trial_end", "trial_status", "trial_end_at"),
    )


class GoalInstance(Base):
    __tablename__ = "goal_instances"

    hired_instance_id: Mapped[str] = mapped_column(
        ForeignKey("hired_instances.hired_instance_id"), primary_key=True
    )
    # Client-suppliable, so unique only within its hired instance.
    goal_instance_id: Mapped[str] = mapped_column(Text255, primary_key=True)
    goal_template_id: Mapped[str] = mapped_column(Text255)
    frequency: Mapped[str] = mapped_column(String(20))
    settings: Mapped[str] = mapped_column(JsonText)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Deliverable(Base):
    __tablename__ = "deliverables"

    deliverable_id: Mapped[str] = mapped_column(Id, primary_key=True)
    hired_instance_id: Mapped[str] = mapped_column(ForeignKey("hired_instances.hired_instance_id"))
    # No foreign key: drafts outlive the goal they were generated for.
    goal_instance_id: Mapped[str] = mapped_column(Text255)
    goal_template_id: Mapped[str] = mapped_column(Text255)
    period_key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(JsonText)
    review_status: Mapped[str] = mapped_column(String(20))
    review_notes: Mapped[str | None] = mapped_column(Text)
    approval_id: Mapped[str | None] = mapped_column(Text)
    execution_status: Mapped[str] = mapped_column(String(20))
    executed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("hired_instance_id", "goal_instance_id", "period_key"),
        CheckConstraint(
            _one_of("review_status", "pending_review", "approved", "rejected"), name="review_status"
        ),
        CheckConstraint(
            _one_of("execution_status", "not_executed", "executed"), name="execution_status"
        ),
        Index("ix_deliverables_listing", "hired_instance_id", "created_at", "deliverable_id"),
    )


class DeliverableReview(Base):
    """Immutable history of review decisions."""

    __tablename__ = "deliverable_reviews"

    review_id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    deliverable_id: Mapped[str] = mapped_column(ForeignKey("deliverables.deliverable_id"))
    customer_id: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    approval_id: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("decision", "approved", "rejected"), name="decision"),
        Index("ix_deliverable_reviews_deliverable", "deliverable_id", "review_id"),
    )


class DeliverableExecution(Base):
    """Immutable history of executions."""

    __tablename__ = "deliverable_executions"

    execution_id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    deliverable_id: Mapped[str] = mapped_column(ForeignKey("deliverables.deliverable_id"))
    customer_id: Mapped[str] = mapped_column(Text)
    approval_id: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    correlation_id: Mapped[str] = mapped_column(Text)
    executed_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_deliverable_executions_deliverable", "deliverable_id", "execution_id"),
    )


class EnforcementDenial(Base):
    """Immutable record of every policy denial, for debugging."""

    __tablename__ = "enforcement_denials"

    denial_id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    deliverable_id: Mapped[str] = mapped_column(ForeignKey("deliverables.deliverable_id"))
    customer_id: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(JsonText)
    correlation_id: Mapped[str] = mapped_column(Text)
    denied_at: Mapped[datetime]

    __table_args__ = (Index("ix_enforcement_denials_deliverable", "deliverable_id", "denial_id"),)


class TrialTransition(Base):
    """Immutable history of trial status changes."""

    __tablename__ = "trial_transitions"

    transition_id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    hired_instance_id: Mapped[str] = mapped_column(ForeignKey("hired_instances.hired_instance_id"))
    from_status: Mapped[str] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    cause: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]

    __table_args__ = (Index("ix_trial_transitions_instance", "hired_instance_id", "transition_id"),)


class Receipt(Base):
    __tablename__ = "receipts"

    receipt_id: Mapped[str] = mapped_column(Id, primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), unique=True)
    customer_id: Mapped[str] = mapped_column(Text)
    subscription_id: Mapped[str] = mapped_column(Id)
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[int] = mapped_column(BigInteger)
    payment_status: Mapped[str] = mapped_column(String(20))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_receipts_customer", "customer_id", "created_at"),)


class Invoice(Base):
    __tablename__ = "invoices"

    invoice_id: Mapped[str] = mapped_column(Id, primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), unique=True)
    customer_id: Mapped[str] = mapped_column(Text)
    subscription_id: Mapped[str] = mapped_column(Id)
    currency: Mapped[str] = mapped_column(String(3))
    seller_legal_name: Mapped[str] = mapped_column(Text)
    seller_gstin: Mapped[str | None] = mapped_column(Text)
    seller_state_code: Mapped[str] = mapped_column(Text)
    customer_business_name: Mapped[str | None] = mapped_column(Text)
    customer_business_address: Mapped[str | None] = mapped_column(Text)
    customer_gstin: Mapped[str | None] = mapped_column(String(15))
    customer_state_code: Mapped[str | None] = mapped_column(String(2))
    subtotal_amount: Mapped[int] = mapped_column(BigInteger)
    cgst_amount: Mapped[int] = mapped_column(BigInteger)
    sgst_amount: Mapped[int] = mapped_column(BigInteger)
    igst_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    tax_regime: Mapped[str] = mapped_column(String(10))
    tax_type: Mapped[str] = mapped_column(String(20))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("tax_type", "none", "cgst_sgst", "igst"), name="tax_type"),
        Index("ix_invoices_customer", "customer_id", "created_at"),
    )


class NumberSequence(Base):
    """Per-day counters behind receipt and invoice numbers (SQLite; see services/numbers.py)."""

    __tablename__ = "number_sequences"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)


class NumberDayStart(Base):
    """Where each day's numbers start in their kind's sequence (PostgreSQL; see numbers.py)."""

    __tablename__ = "number_day_starts"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    start_value: Mapped[int] = mapped_column(BigInteger)


class NotificationEvent(Base):
    """The outbox: written in the transaction of the change that caused the event."""

    __tablename__ = "notification_events"

    event_id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    event_type: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str | None] = mapped_column(Text)
    subscription_id: Mapped[str | None] = mapped_column(Id)
    order_id: Mapped[str | None] = mapped_column(Id)
    hired_instance_id: Mapped[str | None] = mapped_column(Id)
    metadata_: Mapped[str] = mapped_column("metadata", JsonText)
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_notification_events_subscription", "subscription_id"),
        Index("ix_notification_events_customer", "customer_id"),
        Index(
            "ix_notification_events_undelivered",
            "event_id",
            postgresql_where=text("delivered_at IS NULL"),
            sqlite_where=text("delivered_at IS NULL"),
        ),
    )


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapping, for statements that need no ORM objects."""
    return cast(Table, model.__table__)


class RetentionPurgeGuard(Base):
    """A row exists only inside a retention purge's transaction: while it does, that
    transaction (and no other, as no other sees the row) may delete history rows."""

    __tablename__ = "retention_purge_guard"

    purge_id: Mapped[str] = mapped_column(String(40), primary_key=True)
