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
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic

from plant_store_client.reasons import Reason
from store_service.config import StoreSettings
from store_service.db.sql import Transaction
from store_service.db.statements import payments as statements
from store_service.db.statements import subscriptions
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
from store_service.domain.records import OrderRow, SubscriptionRow
from store_service.services.billing_documents import issue_for_paid_order
from store_service.services.idempotency import IdempotencyKey
from store_service.services.outbox import emit
from store_service.services.units_of_work import R, Reply, UnitsOfWork


@dataclass(frozen=True, slots=True)
class CouponCheckout:
    """A checkout with a coupon, as asked (`checked` makes the coupon and GSTIN canonical)."""

    coupon_code: str
    agent_id: str
    duration: str
    customer_id: str | None
    gstin: str | None

    def checked(self) -> CouponCheckout:
        """The checkout once its coupon and GSTIN passed their checks (in that order)."""
        return replace(
            self,
            coupon_code=billing.require_coupon(self.coupon_code),
            gstin=billing.normalise_gstin(self.gstin),
        )

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
    order: OrderRow
    subscription: SubscriptionRow


@dataclass(frozen=True, slots=True)
class CouponPurchase(Purchase):
    """A purchase paid by a coupon, with the coupon as checked."""

    coupon_code: str


def _insert_subscription(
    tx: Transaction,
    subscription_id: str,
    agent_id: str,
    duration: str,
    customer_id: str | None,
    status: str,
    plan: Plan,
    now: datetime,
) -> SubscriptionRow:
    """The new subscription row; its insert travels with the unit's next statement."""
    row = SubscriptionRow(
        subscription_id=subscription_id,
        agent_id=agent_id,
        duration=duration,
        customer_id=customer_id,
        status=status,
        current_period_start=now,
        current_period_end=now + plan.period,
        cancel_at_period_end=False,
        ended_at=None,
    )
    tx.later(subscriptions.INSERT, **row)
    return row


def _insert_order(tx: Transaction, order: OrderRow) -> OrderRow:
    """The new order row; its insert travels with the unit's next statement."""
    tx.later(statements.INSERT_ORDER, **order)
    return order


async def checkout_with_coupon(
    units: UnitsOfWork,
    settings: StoreSettings,
    asked: CouponCheckout,
    request_id: str,
    reply: Reply[CouponPurchase, R],
) -> R:
    """A paid order and an active subscription for a coupon. Its idempotency key is the
    contract's (scoped by customer, fingerprinted by the checked checkout), not the generic
    one of the request."""
    checkout = asked.checked()

    async def work(tx: Transaction, now: datetime) -> CouponPurchase:
        return await _checkout_with_coupon(tx, settings, checkout, now)

    return await units.write(reply, work, key=checkout.idempotency_key(request_id))


async def _checkout_with_coupon(
    tx: Transaction, settings: StoreSettings, checkout: CouponCheckout, now: datetime
) -> CouponPurchase:
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
        OrderRow(
            currency=CURRENCY,
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
        ),
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
    return CouponPurchase(order, subscription, checkout.coupon_code)


@dataclass(frozen=True, slots=True)
class RazorpayPurchase:
    """What a client asks to buy through Razorpay, under its request id."""

    agent_id: str
    duration: str
    customer_id: str | None
    request_id: str

    def idempotency_key(self) -> IdempotencyKey | None:
        """The key of a Razorpay purchase: fingerprinted by what the client asked for, not by
        the identifiers each quote allocates afresh, so a retry with new ones still replays."""
        purchase = json.dumps([self.agent_id, self.duration, self.customer_id])
        return IdempotencyKey.scoped(
            "BillingService.CreateRazorpayOrder",
            self.customer_id,
            self.request_id,
            purchase.encode(),
        )


@dataclass(frozen=True, slots=True)
class Quote(Generic[R]):
    """The identifiers and price of a new Razorpay order, and the answer already given to the
    purchase's creation under the same request id, if any."""

    order_id: str
    subscription_id: str
    amount: int
    created: R | None


async def quote_razorpay_order(
    units: UnitsOfWork, purchase: RazorpayPurchase, created_type: type[R]
) -> Quote[R]:
    plan = billing.plan_for(purchase.duration)
    created = await units.answered(purchase.idempotency_key(), created_type)
    return Quote(f"ORDER-{uuid.uuid4()}", f"SUB-{uuid.uuid4()}", plan.price_inr, created)


@dataclass(frozen=True, slots=True)
class RazorpayOrder:
    """The identifiers a quote allocated, and the order Razorpay created for them."""

    order_id: str
    subscription_id: str
    razorpay_order_id: str


def _require_prefixed(value: str, prefix: str, field: str) -> None:
    if not value.startswith(prefix) or len(value) == len(prefix):
        raise invalid(Reason.INVALID_IDENTIFIER, f"{field} must be a {prefix}… id", field=field)


async def create_razorpay_order(
    units: UnitsOfWork, purchase: RazorpayPurchase, ids: RazorpayOrder, reply: Reply[Purchase, R]
) -> R:
    """A created order and its subscription pending payment; a repeat of the purchase's
    request id replays the first answer, whatever identifiers it brings."""

    async def work(tx: Transaction, now: datetime) -> Purchase:
        return await _create_razorpay_order(tx, purchase, ids, now)

    return await units.write(reply, work, key=purchase.idempotency_key())


async def _create_razorpay_order(
    tx: Transaction, purchase: RazorpayPurchase, ids: RazorpayOrder, now: datetime
) -> Purchase:
    plan = billing.plan_for(purchase.duration)
    _require_prefixed(ids.order_id, "ORDER-", "order_id")
    _require_prefixed(ids.subscription_id, "SUB-", "subscription_id")
    if not ids.razorpay_order_id.strip():
        raise invalid(
            Reason.INVALID_IDENTIFIER, "razorpay_order_id is required", field="razorpay_order_id"
        )
    subscription = _insert_subscription(
        tx,
        ids.subscription_id,
        purchase.agent_id,
        purchase.duration,
        purchase.customer_id,
        "pending_payment",
        plan,
        now,
    )
    order = _insert_order(
        tx,
        OrderRow(
            currency=CURRENCY,
            order_id=ids.order_id,
            payment_provider="razorpay",
            subscription_id=ids.subscription_id,
            amount=plan.price_inr,
            agent_id=purchase.agent_id,
            duration=purchase.duration,
            customer_id=purchase.customer_id,
            gstin=None,
            status="created",
            created_at=now,
            paid_at=None,
            razorpay_order_id=ids.razorpay_order_id,
        ),
    )
    return Purchase(order, subscription)


async def _pay(
    tx: Transaction, settings: StoreSettings, order: OrderRow, now: datetime, *, via_webhook: bool
) -> bool:
    """Moves the order from created to paid; False when another request already did."""
    paid = await statements.pay_order(tx, order["order_id"], now)
    if paid is None:
        return False
    tx.later(subscriptions.ACTIVATE, key=paid["subscription_id"])
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
    if await statements.claim_payment(tx, razorpay_payment_id, order_id, now):
        return True
    return await statements.order_of_payment(tx, razorpay_payment_id) == order_id


def _refuse_checkout(tx: Transaction, order: OrderRow, now: datetime) -> DomainError:
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


@dataclass(frozen=True, slots=True)
class RazorpayConfirmation:
    """A checkout's claim that a Razorpay payment paid this order."""

    order_id: str
    customer_id: str | None
    razorpay_order_id: str
    razorpay_payment_id: str
    razorpay_signature: str


async def confirm_razorpay_payment(
    units: UnitsOfWork,
    settings: StoreSettings,
    confirmation: RazorpayConfirmation,
    reply: Reply[Purchase, R],
) -> R:
    """Pays the order once its payment is proven; a refused proof keeps its payment_failed
    event (and the refusal is the answer to repeats of the request id)."""

    async def work(tx: Transaction, now: datetime) -> Purchase:
        return await _confirm_razorpay_payment(tx, settings, confirmation, now)

    return await units.write(reply, work)


async def _confirm_razorpay_payment(
    tx: Transaction, settings: StoreSettings, confirmation: RazorpayConfirmation, now: datetime
) -> Purchase:
    order_id = confirmation.order_id
    order = await statements.order_by_id(tx, order_id)
    if order is None:
        raise not_found(Reason.ORDER_NOT_FOUND, "Order not found.", order_id=order_id)
    if order["payment_provider"] != "razorpay":
        raise failed_precondition(Reason.ORDER_NOT_RAZORPAY, "Order is not a Razorpay order.")
    if conflicting_customers(order["customer_id"], confirmation.customer_id):
        raise permission_denied(Reason.ORDER_CUSTOMER_MISMATCH, "Order does not belong to customer")
    secret = _secret(settings.razorpay_key_secret, "RAZORPAY_KEY_SECRET")
    if not billing.checkout_signature_valid(
        secret,
        order["razorpay_order_id"],
        confirmation.razorpay_order_id,
        confirmation.razorpay_payment_id,
        confirmation.razorpay_signature,
    ) or not await _payment_confirms(tx, confirmation.razorpay_payment_id, order_id, now):
        raise _refuse_checkout(tx, order, now)
    await _pay(tx, settings, order, now, via_webhook=False)
    paid = await statements.order_by_id(tx, order_id)
    subscription = await subscriptions.by_id(tx, order["subscription_id"])
    assert paid is not None and subscription is not None
    return Purchase(paid, subscription)


async def apply_razorpay_webhook(
    units: UnitsOfWork,
    settings: StoreSettings,
    body: bytes,
    signature: str,
    reply: Reply[str, R],
) -> R:
    """Pays the order a signed payment webhook names; the result is "paid", "already_paid" or
    "ignored"."""

    async def work(tx: Transaction, now: datetime) -> str:
        return await _apply_razorpay_webhook(tx, settings, body, signature, now)

    return await units.write(reply, work)


async def _apply_razorpay_webhook(
    tx: Transaction, settings: StoreSettings, body: bytes, signature: str, now: datetime
) -> str:
    secret = _secret(settings.razorpay_webhook_secret, "RAZORPAY_WEBHOOK_SECRET")
    if not billing.webhook_signature_valid(secret, body, signature):
        raise invalid(Reason.INVALID_WEBHOOK_SIGNATURE, "Invalid webhook signature")
    razorpay_order_id = billing.paid_razorpay_order_id(billing.parse_webhook(body))
    if razorpay_order_id is None:
        return "ignored"
    order = await statements.order_by_razorpay_id(tx, razorpay_order_id)
    if order is None:
        return "ignored"
    if order["status"] == "paid":
        return "already_paid"
    paid = await _pay(tx, settings, order, now, via_webhook=True)
    return "paid" if paid else "already_paid"
