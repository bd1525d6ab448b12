"""Receipts and invoices: issued once per paid order, read by their customer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, insert, select

from plant_store_client.reasons import Reason
from store_service.config import StoreSettings
from store_service.db.keyset import Cursor, Key, Keyset
from store_service.db.models import Invoice, Receipt, table_of
from store_service.db.sql import Row, Statement, Transaction, all_columns
from store_service.domain.billing import CURRENCY, gst_breakdown, line_item
from store_service.domain.customers import require_customer_id
from store_service.domain.errors import not_found, permission_denied
from store_service.domain.values import optional_trimmed, trim
from store_service.services.numbers import next_numbers

receipts = table_of(Receipt)
invoices = table_of(Invoice)

INSERT_RECEIPT = Statement(insert(receipts).values(all_columns(receipts)))
INSERT_INVOICE = Statement(insert(invoices).values(all_columns(invoices)))
CUSTOMER_RECEIPTS = Keyset(
    select(receipts).where(receipts.c.customer_id == bindparam("customer_id")),
    Key(receipts.c.created_at, descending=True),
    Key(receipts.c.receipt_number),
)
RECEIPT_BY_ID = Statement(select(receipts).where(receipts.c.receipt_id == bindparam("key")))
RECEIPT_BY_ORDER = Statement(select(receipts).where(receipts.c.order_id == bindparam("key")))
CUSTOMER_INVOICES = Keyset(
    select(invoices).where(invoices.c.customer_id == bindparam("customer_id")),
    Key(invoices.c.created_at),
    Key(invoices.c.invoice_number),
)
INVOICE_BY_ID = Statement(select(invoices).where(invoices.c.invoice_id == bindparam("key")))
INVOICE_BY_ORDER = Statement(select(invoices).where(invoices.c.order_id == bindparam("key")))


async def issue_for_paid_order(
    tx: Transaction, settings: StoreSettings, order: Row, gstin: str | None, now: datetime
) -> None:
    """A receipt, then (when invoicing is on) a GST invoice, for an order with a customer.

    The order row is locked by the caller's transition to paid, so no other transaction issues
    documents for it concurrently; the unique order_id columns back that up. The inserts are
    deferred: both travel with the unit's commit, after one statement drew both numbers.
    """
    customer_id = trim(order["customer_id"])
    if not customer_id:
        return
    item = line_item(order["agent_id"], order["duration"], order["amount"])
    subtotal = item["quantity"] * item["unit_amount"]
    common = {
        "order_id": order["order_id"],
        "customer_id": customer_id,
        "subscription_id": order["subscription_id"],
        "currency": CURRENCY,
        "items": [item],
        "created_at": now,
    }
    numbers = await next_numbers(
        tx, ("RCT", "INV") if settings.issue_gst_invoice else ("RCT",), now
    )
    tx.later(
        INSERT_RECEIPT,
        receipt_id=f"RCT-ID-{uuid.uuid4()}",
        receipt_number=numbers[0],
        total_amount=subtotal,
        payment_status="paid",
        **common,
    )
    if not settings.issue_gst_invoice:
        return
    taxes = gst_breakdown(subtotal, gstin, settings.seller_state_code)
    tx.later(
        INSERT_INVOICE,
        invoice_id=f"INV-ID-{uuid.uuid4()}",
        invoice_number=numbers[1],
        seller_legal_name=settings.seller_legal_name,
        seller_gstin=settings.seller_gstin,
        seller_state_code=settings.seller_state_code,
        customer_business_name=None,
        customer_business_address=None,
        customer_gstin=optional_trimmed(gstin),
        customer_state_code=taxes.customer_state_code,
        subtotal_amount=subtotal,
        cgst_amount=taxes.cgst,
        sgst_amount=taxes.sgst,
        igst_amount=taxes.igst,
        total_amount=taxes.total,
        tax_regime="GST",
        tax_type=taxes.tax_type,
        **common,
    )


async def list_receipts(
    tx: Transaction, raw_customer_id: str, after: Cursor | None, limit: int
) -> list[Row]:
    """A page of the customer's receipts, newest first."""
    customer_id = require_customer_id(raw_customer_id)
    return await CUSTOMER_RECEIPTS.page(tx, after, limit, customer_id=customer_id)


async def get_receipt(
    tx: Transaction, raw_customer_id: str, *, receipt_id: str = "", order_id: str = ""
) -> Row:
    """One receipt by id or by order; another customer's receipt is reported as not found."""
    customer_id = require_customer_id(raw_customer_id)
    lookup = RECEIPT_BY_ID if receipt_id else RECEIPT_BY_ORDER
    row = await tx.first(lookup, key=receipt_id or order_id)
    if row is None or row["customer_id"] != customer_id:
        raise not_found(Reason.RECEIPT_NOT_FOUND, "Receipt not found")
    return row


async def list_invoices(
    tx: Transaction, raw_customer_id: str, after: Cursor | None, limit: int
) -> list[Row]:
    """A page of the customer's invoices, oldest first."""
    customer_id = require_customer_id(raw_customer_id)
    return await CUSTOMER_INVOICES.page(tx, after, limit, customer_id=customer_id)


async def get_invoice(
    tx: Transaction, raw_customer_id: str, *, invoice_id: str = "", order_id: str = ""
) -> Row:
    """One invoice by id or by order; another customer's invoice is forbidden."""
    customer_id = require_customer_id(raw_customer_id)
    lookup = INVOICE_BY_ID if invoice_id else INVOICE_BY_ORDER
    row = await tx.first(lookup, key=invoice_id or order_id)
    if row is None:
        raise not_found(Reason.INVOICE_NOT_FOUND, "Invoice not found")
    if row["customer_id"] != customer_id:
        raise permission_denied(
            Reason.INVOICE_CUSTOMER_MISMATCH, "Invoice does not belong to customer"
        )
    return row
