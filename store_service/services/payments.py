"""Payments: coupon checkout and the Razorpay order, confirm and webhook flows.

Paying an order is one conditional update (created -> paid) in the same transaction as the
subscription's activation, the receipt, the invoice and the payment event, so a confirm and a
webhook racing each other pay the order once and emit one payment_success. A confirm must prove
this order's payment: its signature is checked over the order's own Razorpay id, and its payment
id is claimed for the order once (razorpay_payments), so no payment confirms two orders.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql

from plant_store_client.reasons import Reason
from store_service.config import StoreSettings
from store_service.db.models import Order, RazorpayPayment, Subscription, table_of
from store_service.db.sql import Row, Statement, Transaction, all_columns
from store_service.domain import billing
from store_service.domain.billing import CURRENCY, Plan
from store_service.domain.customers import conflicting_customers
from store_service.domain.errors import (
    DomainError,
    ErrorKind,
    failed_precondition,
    invalid,
    not_found,
    permission_denied,
)
from store_service.services.billing_documents import issue_for_paid_order
from store_service.services.idempotency import IdempotencyKey
from store_service.services.outbox import emit
from store_service.services.subscriptions import find_subscription

orders = table_of(Order)
subscriptions = table_of(Subscription)
payments = table_of(RazorpayPayment)

INSERT_SUBSCRIPTION = Statement(insert(subscriptions).values(all_columns(subscriptions)))
INSERT_ORDER = Statement(insert(orders).values(all_columns(orders)))
ORDER_BY_ID = Statement(select(orders).where(orders.c.order_id == bindparam("order_id")))
ORDER_BY_RAZORPAY_ID = Statement(
    select(orders).where(orders.c.razorpay_order_id == bindparam("razorpay_order_id"))
)
# The created -> paid transition: whoever updates the row pays the order.
PAY_ORDER = Statement(
    update(orders)
    .where(orders.c.order_id == bindparam("key"), orders.c.status == "created")
    .values(status="paid", paid_at=bindparam("now"))
    .returning(*orders.c)
)
# A payment id is claimed by the first order it confirms; a racing claim waits for that one's
# transaction and then claims nothing.
CLAIM_PAYMENT = Statement(
    postgresql.insert(payments)
    .values(all_columns(payments))
    .on_conflict_do_nothing(index_elements=["razorpay_payment_id"])
    .returning(payments.c.order_id)
)
ORDER_OF_PAYMENT = Statement(
    select(payments.c.order_id).where(
        payments.c.razorpay_payment_id == bindparam("razorpay_payment_id")
    )
)
ACTIVATE_SUBSCRIPTION = Statement(
    update(subscriptions)
    .where(
        subscriptions.c.subscription_id == bindparam("key"),
        subscriptions.c.status == "pending_payment",
    )
    .values(status="active")
)


@dataclass(frozen=True, slots=True)
class CouponCheckout:
    """A checkout whose coupon and GSTIN passed their checks."""

    coupon_code: str
    agent_id: str
    duration: str
    customer_id: str | None
    gstin: str | None

    def idempotency_key(self, key: str) -> IdempotencyKey | None:
        """The contract's scope (customer and key) and payload fingerprint (5.10)."""
        fingerprint = json.dumps(
            [self.coupon_code, self.agent_id, self.duration, self.customer_id, self.gstin]
        )
        return IdempotencyKey.scoped(
            "BillingService.CheckoutWithCoupon", self.customer_id, key, fingerprint.encode()
        )


@dataclass(frozen=True, slots=True)
class Purchase:
    order: Row
    subscription: Row


def prepare_coupon_checkout(
    coupon_code: str, agent_id: str, duration: str, customer_id: str | None, gstin: str | None
) -> CouponCheckout:
    return CouponCheckout(
        coupon_code=billing.require_coupon(coupon_code),
        agent_id=agent_id,
        duration=duration,
        customer_id=customer_id,
        gstin=billing.normalise_gstin(gstin),
    )


def _insert_subscription(
    tx: Transaction,
    subscription_id: str,
    agent_id: str,
    duration: str,
    customer_id: str | None,
    status: str,
    plan: Plan,
    now: datetime,
) -> Row:
    """The new subscription row; its insert travels with the unit's next statement."""
    row = {
        "subscription_id": subscription_id,
        "agent_id": agent_id,
        "duration": duration,
        "customer_id": customer_id,
        "status": status,
        "current_period_start": now,
        "current_period_end": now + plan.period,
        "cancel_at_period_end": False,
        "ended_at": None,
    }
    tx.later(INSERT_SUBSCRIPTION, **row)
    return row


def _insert_order(tx: Transaction, **values: object) -> Row:
    """The new order row; its insert travels with the unit's next statement."""
    order = {"currency": CURRENCY, **values}
    tx.later(INSERT_ORDER, **order)
    return order


async def checkout_with_coupon(
    tx: Transaction, settings: StoreSettings, checkout: CouponCheckout, now: datetime
) -> Purchase:
    plan = billing.plan_for(checkout.duration)
    subscription = _insert_subscription(
        tx,
        f"SUB-{uuid.uuid4()}",
        checkout.agent_id,
        checkout.duration,
        checkout.customer_id,
        "active",
        plan,
        now,
    )
    order = _insert_order(
        tx,
        order_id=f"ORDER-{uuid.uuid4()}",
        payment_provider="coupon",
        subscription_id=subscription["subscription_id"],
        amount=0,
        agent_id=checkout.agent_id,
        duration=checkout.duration,
        customer_id=checkout.customer_id,
        gstin=checkout.gstin,
        status="paid",
        created_at=now,
        paid_at=now,
        razorpay_order_id=None,
    )
    emit(
        tx,
        now,
        "payment_success",
        {
            "payment_provider": "coupon",
            "coupon_code": checkout.coupon_code,
            "agent_id": checkout.agent_id,
            "duration": checkout.duration,
            "amount": 0,
            "currency": CURRENCY,
        },
        customer_id=checkout.customer_id,
        order_id=order["order_id"],
        subscription_id=subscription["subscription_id"],
    )
    await issue_for_paid_order(tx, settings, order, checkout.gstin, now)
    return Purchase(order, subscription)


@dataclass(frozen=True, slots=True)
class Quote:
    order_id: str
    subscription_id: str
    amount: int


def quote_razorpay_order(duration: str) -> Quote:
    plan = billing.plan_for(duration)
    return Quote(f"ORDER-{uuid.uuid4()}", f"SUB-{uuid.uuid4()}", plan.price_inr)


def razorpay_order_key(
    agent_id: str, duration: str, customer_id: str | None, request_id: str
) -> IdempotencyKey | None:
    """The key of a Razorpay purchase: fingerprinted by what the client asked for, not by the
    identifiers each quote allocates afresh, so a retry with new ones still replays."""
    purchase = json.dumps([agent_id, duration, customer_id])
    return IdempotencyKey.scoped(
        "BillingService.CreateRazorpayOrder", customer_id, request_id, purchase.encode()
    )


def _require_prefixed(value: str, prefix: str, field: str) -> None:
    if not value.startswith(prefix) or len(value) == len(prefix):
        raise invalid(Reason.INVALID_IDENTIFIER, f"{field} must be a {prefix}… id", field=field)


async def create_razorpay_order(
    tx: Transaction,
    *,
    order_id: str,
    subscription_id: str,
    agent_id: str,
    duration: str,
    customer_id: str | None,
    razorpay_order_id: str,
    now: datetime,
) -> Purchase:
    plan = billing.plan_for(duration)
    _require_prefixed(order_id, "ORDER-", "order_id")
    _require_prefixed(subscription_id, "SUB-", "subscription_id")
    if not razorpay_order_id.strip():
        raise invalid(
            Reason.INVALID_IDENTIFIER, "razorpay_order_id is required", field="razorpay_order_id"
        )
    subscription = _insert_subscription(
        tx, subscription_id, agent_id, duration, customer_id, "pending_payment", plan, now
    )
    order = _insert_order(
        tx,
        order_id=order_id,
        payment_provider="razorpay",
        subscription_id=subscription_id,
        amount=plan.price_inr,
        agent_id=agent_id,
        duration=duration,
        customer_id=customer_id,
        gstin=None,
        status="created",
        created_at=now,
        paid_at=None,
        razorpay_order_id=razorpay_order_id,
    )
    return Purchase(order, subscription)


async def _pay(
    tx: Transaction, settings: StoreSettings, order: Row, now: datetime, *, via_webhook: bool
) -> bool:
    """Moves the order from created to paid; False when another request already did."""
    paid = await tx.first(PAY_ORDER, key=order["order_id"], now=now)
    if paid is None:
        return False
    tx.later(ACTIVATE_SUBSCRIPTION, key=paid["subscription_id"])
    metadata = {
        "payment_provider": "razorpay",
        "agent_id": paid["agent_id"],
        "duration": paid["duration"],
        "amount": paid["amount"],
        "currency": paid["currency"],
    } | ({"via": "webhook"} if via_webhook else {})
    emit(
        tx,
        now,
        "payment_success",
        metadata,
        customer_id=paid["customer_id"],
        order_id=paid["order_id"],
        subscription_id=paid["subscription_id"],
    )
    await issue_for_paid_order(tx, settings, paid, None, now)
    return True


def _secret(value: str | None, name: str) -> str:
    if not value:
        raise failed_precondition(
            Reason.PAYMENT_SECRET_MISSING, f"Missing required env: {name}", variable=name
        )
    return value


async def _payment_confirms(
    tx: Transaction, razorpay_payment_id: str, order_id: str, now: datetime
) -> bool:
    """Records that the payment confirms this order; False when it already confirmed another."""
    claimed = await tx.first(
        CLAIM_PAYMENT, razorpay_payment_id=razorpay_payment_id, order_id=order_id, confirmed_at=now
    )
    if claimed is not None:
        return True
    owner = await tx.scalar(ORDER_OF_PAYMENT, razorpay_payment_id=razorpay_payment_id)
    return bool(owner == order_id)


def _refuse_checkout(tx: Transaction, order: Row, now: datetime) -> DomainError:
    """The contract's one answer to any checkout that does not prove this order's payment."""
    emit(
        tx,
        now,
        "payment_failed",
        {
            "payment_provider": "razorpay",
            "reason": "invalid_checkout_signature",
            "agent_id": order["agent_id"],
            "duration": order["duration"],
        },
        customer_id=order["customer_id"],
        order_id=order["order_id"],
    )
    return DomainError(
        ErrorKind.INVALID_ARGUMENT,
        Reason.INVALID_CHECKOUT_SIGNATURE,
        "Invalid Razorpay signature",
        keeps_writes=True,
    )


async def confirm_razorpay_payment(
    tx: Transaction,
    settings: StoreSettings,
    *,
    order_id: str,
    customer_id: str | None,
    razorpay_order_id: str,
    razorpay_payment_id: str,
    razorpay_signature: str,
    now: datetime,
) -> Purchase:
    order = await tx.first(ORDER_BY_ID, order_id=order_id)
    if order is None:
        raise not_found(Reason.ORDER_NOT_FOUND, "Order not found.", order_id=order_id)
    if order["payment_provider"] != "razorpay":
        raise failed_precondition(Reason.ORDER_NOT_RAZORPAY, "Order is not a Razorpay order.")
    if conflicting_customers(order["customer_id"], customer_id):
        raise permission_denied(Reason.ORDER_CUSTOMER_MISMATCH, "Order does not belong to customer")
    secret = _secret(settings.razorpay_key_secret, "RAZORPAY_KEY_SECRET")
    if not billing.checkout_signature_valid(
        secret,
        order["razorpay_order_id"],
        razorpay_order_id,
        razorpay_payment_id,
        razorpay_signature,
    ) or not await _payment_confirms(tx, razorpay_payment_id, order_id, now):
        raise _refuse_checkout(tx, order, now)
    await _pay(tx, settings, order, now, via_webhook=False)
    paid = await tx.first(ORDER_BY_ID, order_id=order_id)
    subscription = await find_subscription(tx, order["subscription_id"])
    assert paid is not None and subscription is not None
    return Purchase(paid, subscription)


async def apply_razorpay_webhook(
    tx: Transaction, settings: StoreSettings, body: bytes, signature: str, now: datetime
) -> str:
    """Returns "paid", "already_paid" or "ignored"."""
    secret = _secret(settings.razorpay_webhook_secret, "RAZORPAY_WEBHOOK_SECRET")
    if not billing.webhook_signature_valid(secret, body, signature):
        raise invalid(Reason.INVALID_WEBHOOK_SIGNATURE, "Invalid webhook signature")
    razorpay_order_id = billing.paid_razorpay_order_id(billing.parse_webhook(body))
    if razorpay_order_id is None:
        return "ignored"
    order = await tx.first(ORDER_BY_RAZORPAY_ID, razorpay_order_id=razorpay_order_id)
    if order is None:
        return "ignored"
    if order["status"] == "paid":
        return "already_paid"
    paid = await _pay(tx, settings, order, now, via_webhook=True)
    return "paid" if paid else "already_paid"
