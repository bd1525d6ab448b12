"""Receipts and invoices: issued once per paid order, read by their customer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from plant_store_client.reasons import Reason
from store_service.config import StoreSettings
from store_service.db.sql import Transaction
from store_service.db.statements import billing_documents as statements
from store_service.domain.billing import CURRENCY, gst_breakdown, line_item
from store_service.domain.customers import require_customer_id
from store_service.domain.errors import not_found, permission_denied
from store_service.domain.records import InvoiceRow, OrderRow, ReceiptRow
from store_service.domain.values import optional_trimmed, trim
from store_service.services.numbers import next_numbers
from store_service.services.pages import PageQuery, Rows, page_start, read_rows
from store_service.services.units_of_work import UnitsOfWork


async def issue_for_paid_order(
    tx: Transaction, settings: StoreSettings, order: OrderRow, gstin: str | None, now: datetime
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
        statements.INSERT_RECEIPT,
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
        statements.INSERT_INVOICE,
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
    units: UnitsOfWork, raw_customer_id: str, page: PageQuery
) -> Rows[ReceiptRow]:
    """A page of the customer's receipts, newest first."""
    start = page_start(statements.CUSTOMER_RECEIPTS, page)
    customer_id = require_customer_id(raw_customer_id)
    rows = await units.read(lambda tx: read_rows(tx, start, customer_id=customer_id))
    return cast("Rows[ReceiptRow]", rows)


async def get_receipt(
    units: UnitsOfWork, raw_customer_id: str, *, receipt_id: str = "", order_id: str = ""
) -> ReceiptRow:
    """One receipt by id or by order; another customer's receipt is reported as not found."""
    customer_id = require_customer_id(raw_customer_id)
    row = await units.read(
        lambda tx: statements.receipt(tx, receipt_id=receipt_id, order_id=order_id)
    )
    if row is None or row["customer_id"] != customer_id:
        raise not_found(Reason.RECEIPT_NOT_FOUND, "Receipt not found")
    return row


async def list_invoices(
    units: UnitsOfWork, raw_customer_id: str, page: PageQuery
) -> Rows[InvoiceRow]:
    """A page of the customer's invoices, oldest first."""
    start = page_start(statements.CUSTOMER_INVOICES, page)
    customer_id = require_customer_id(raw_customer_id)
    rows = await units.read(lambda tx: read_rows(tx, start, customer_id=customer_id))
    return cast("Rows[InvoiceRow]", rows)


async def get_invoice(
    units: UnitsOfWork, raw_customer_id: str, *, invoice_id: str = "", order_id: str = ""
) -> InvoiceRow:
    """One invoice by id or by order; another customer's invoice is forbidden."""
    customer_id = require_customer_id(raw_customer_id)
    row = await units.read(
        lambda tx: statements.invoice(tx, invoice_id=invoice_id, order_id=order_id)
    )
    if row is None:
        raise not_found(Reason.INVOICE_NOT_FOUND, "Invoice not found")
    if row["customer_id"] != customer_id:
        raise permission_denied(
            Reason.INVOICE_CUSTOMER_MISMATCH, "Invoice does not belong to customer"
        )
    return row
