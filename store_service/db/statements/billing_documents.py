"""The SQL of receipts and invoices: their inserts, and reads by id, by order and by customer."""

from __future__ import annotations

from typing import cast

from sqlalchemy import bindparam, insert, select

from store_service.db.keyset import Key, Keyset
from store_service.db.models import Invoice, Receipt, table_of
from store_service.db.sql import Statement, Transaction, all_columns
from store_service.domain.records import InvoiceRow, ReceiptRow

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


async def receipt(tx: Transaction, *, receipt_id: str, order_id: str) -> ReceiptRow | None:
    """The receipt with this id or, without one, of this order."""
    lookup = RECEIPT_BY_ID if receipt_id else RECEIPT_BY_ORDER
    return cast("ReceiptRow | None", await tx.first(lookup, key=receipt_id or order_id))


async def invoice(tx: Transaction, *, invoice_id: str, order_id: str) -> InvoiceRow | None:
    """The invoice with this id or, without one, of this order."""
    lookup = INVOICE_BY_ID if invoice_id else INVOICE_BY_ORDER
    return cast("InvoiceRow | None", await tx.first(lookup, key=invoice_id or order_id))
