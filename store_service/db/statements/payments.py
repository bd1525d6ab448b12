"""The SQL of orders and Razorpay payments: creation, lookup, the created -> paid transition,
and the claim of a payment id by the order it confirms."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql

from store_service.db.models import Order, RazorpayPayment, table_of
from store_service.db.sql import Statement, Transaction, all_columns
from store_service.domain.records import OrderRow

orders = table_of(Order)
payments = table_of(RazorpayPayment)

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


async def order_by_id(tx: Transaction, order_id: str) -> OrderRow | None:
    return cast("OrderRow | None", await tx.first(ORDER_BY_ID, order_id=order_id))


async def order_by_razorpay_id(tx: Transaction, razorpay_order_id: str) -> OrderRow | None:
    row = await tx.first(ORDER_BY_RAZORPAY_ID, razorpay_order_id=razorpay_order_id)
    return cast("OrderRow | None", row)


async def pay_order(tx: Transaction, order_id: str, now: datetime) -> OrderRow | None:
    """The order as paid now; None when it was not (or no longer) created."""
    return cast("OrderRow | None", await tx.first(PAY_ORDER, key=order_id, now=now))


async def claim_payment(
    tx: Transaction, razorpay_payment_id: str, order_id: str, now: datetime
) -> bool:
    """Whether this claim recorded the payment id for the order (False: it was claimed before)."""
    claimed = await tx.first(
        CLAIM_PAYMENT, razorpay_payment_id=razorpay_payment_id, order_id=order_id, confirmed_at=now
    )
    return claimed is not None


async def order_of_payment(tx: Transaction, razorpay_payment_id: str) -> str | None:
    """The order a payment id confirmed, if any."""
    owner: str | None = await tx.scalar(ORDER_OF_PAYMENT, razorpay_payment_id=razorpay_payment_id)
    return owner
