"""Receipts and invoices: issued once per paid order, read by their customer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store_service.config import StoreSettings
from store_service.db.models import Invoice, Receipt, table_of
from store_service.domain.billing import CURRENCY, gst_breakdown, line_item
from store_service.domain.customers import require_customer_id
from store_service.domain.errors import not_found, permission_denied
from store_service.domain.values import optional_trimmed, trim
from store_service.services.numbers import next_number

receipts = table_of(Receipt)
invoices = table_of(Invoice)


async def issue_for_paid_order(
    connection: AsyncConnection,
    settings: StoreSettings,
    order: RowMapping,
    gstin: str | None,
    now: datetime,
) -> None:
    """A receipt, then (when invoicing is on) a GST invoice, for an order with a customer.

    The order row is locked by the caller's transition to paid, so no other transaction issues
    documents for it concurrently; the unique order_id columns back that up.
    """
    customer_id = trim(order["customer_id"])
    if not customer_id:
        return
    item = line_item(order["agent_id"], order["duration"], order["amount"])
    subtotal = item["quantity"] * item["unit_amount"]
    await connection.execute(
        insert(receipts).values(
            receipt_id=f"RCT-ID-{uuid.uuid4()}",
            receipt_number=await next_number(connection, "RCT", now),
            order_id=order["order_id"],
            customer_id=customer_id,
            subscription_id=order["subscription_id"],
            currency=CURRENCY,
            total_amount=subtotal,
            payment_status="paid",
            items=[item],
            created_at=now,
        )
    )
    if not settings.issue_gst_invoice:
        return
    taxes = gst_breakdown(subtotal, gstin, settings.seller_state_code)
    await connection.execute(
        insert(invoices).values(
            invoice_id=f"INV-ID-{uuid.uuid4()}",
            invoice_number=await next_number(connection, "INV", now),
            order_id=order["order_id"],
            customer_id=customer_id,
            subscription_id=order["subscription_id"],
            currency=CURRENCY,
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
            items=[item],
            created_at=now,
        )
    )


def _receipt_not_found() -> Exception:
    return not_found("RECEIPT_NOT_FOUND", "Receipt not found")


async def list_receipts(connection: AsyncConnection, raw_customer_id: str) -> list[RowMapping]:
    customer_id = require_customer_id(raw_customer_id)
    rows = await connection.execute(
        select(receipts)
        .where(receipts.c.customer_id == customer_id)
        .order_by(receipts.c.created_at.desc(), receipts.c.receipt_number)
    )
    return list(rows.mappings())


async def get_receipt(
    connection: AsyncConnection, raw_customer_id: str, *, receipt_id: str = "", order_id: str = ""
) -> RowMapping:
    """One receipt by id or by order; another customer's receipt is reported as not found."""
    customer_id = require_customer_id(raw_customer_id)
    key = receipts.c.receipt_id == receipt_id if receipt_id else receipts.c.order_id == order_id
    row = (await connection.execute(select(receipts).where(key))).mappings().first()
    if row is None or row["customer_id"] != customer_id:
        raise _receipt_not_found()
    return row


async def list_invoices(connection: AsyncConnection, raw_customer_id: str) -> list[RowMapping]:
    customer_id = require_customer_id(raw_customer_id)
    rows = await connection.execute(
        select(invoices)
        .where(invoices.c.customer_id == customer_id)
        .order_by(invoices.c.created_at, invoices.c.invoice_number)
    )
    return list(rows.mappings())


async def get_invoice(
    connection: AsyncConnection, raw_customer_id: str, *, invoice_id: str = "", order_id: str = ""
) -> RowMapping:
    """One invoice by id or by order; another customer's invoice is forbidden."""
    customer_id = require_customer_id(raw_customer_id)
    key = invoices.c.invoice_id == invoice_id if invoice_id else invoices.c.order_id == order_id
    row = (await connection.execute(select(invoices).where(key))).mappings().first()
    if row is None:
        raise not_found("INVOICE_NOT_FOUND", "Invoice not found")
    if row["customer_id"] != customer_id:
        raise permission_denied("INVOICE_CUSTOMER_MISMATCH", "Invoice does not belong to customer")
    return row
