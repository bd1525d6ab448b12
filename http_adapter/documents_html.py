"""The HTML downloads of receipts and invoices (contract 5.17), every value escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from plant.store.v1 import billing_pb2

from plant_store_client.wire.values import optional_instant


def _paragraph(label: str, value: Any) -> str:
    return f"<p><strong>{escape(label)}</strong>: {escape(str(value))}</p>"


def _items_table(items: Any) -> str:
    header = "<tr><th>Description</th><th>Qty</th><th>Unit</th><th>Amount</th></tr>"
    rows = [
        "<tr>"
        + "".join(
            f"<td>{escape(str(cell))}</td>"
            for cell in (i.description, i.quantity, i.unit_amount, i.quantity * i.unit_amount)
        )
        + "</tr>"
        for i in items
    ]
    table = "\n".join([header, *rows])
    return f"<table border='1' cellspacing='0' cellpadding='6'>{table}</table>"


def _page(title: str, body: list[str]) -> str:
    head = f"<head><meta charset='utf-8'><title>{title}</title></head>"
    return f"<!doctype html><html>{head}<body><h1>{title}</h1>{''.join(body)}</body></html>"


def _date(message: Any) -> str:
    created = optional_instant(message, "created_at")
    return created.isoformat() if created else ""


def invoice_html(invoice: billing_pb2.Invoice) -> str:
    money = f" {invoice.currency}"
    body = [
        _paragraph("Invoice #", invoice.invoice_number),
        _paragraph("Invoice ID", invoice.invoice_id),
        _paragraph("Date", _date(invoice)),
        "<hr/>",
        _paragraph("Seller", invoice.seller_legal_name),
        _paragraph("Seller GSTIN", invoice.seller_gstin or "N/A"),
        _paragraph("Customer ID", invoice.customer_id),
        _paragraph("Customer GSTIN", invoice.customer_gstin or "N/A"),
        _paragraph("Order", invoice.order_id),
        _paragraph("Subscription", invoice.subscription_id),
        "<hr/>",
        _items_table(invoice.items),
        _paragraph("Subtotal", f"{invoice.subtotal_amount}{money}"),
        _paragraph("CGST", f"{invoice.cgst_amount}{money}"),
        _paragraph("SGST", f"{invoice.sgst_amount}{money}"),
        _paragraph("IGST", f"{invoice.igst_amount}{money}"),
        _paragraph("Total", f"{invoice.total_amount}{money}"),
    ]
    return _page("Tax Invoice", body)


def receipt_html(receipt: billing_pb2.Receipt) -> str:
    body = [
        _paragraph("Receipt #", receipt.receipt_number),
        _paragraph("Receipt ID", receipt.receipt_id),
        _paragraph("Date", _date(receipt)),
        "<hr/>",
        _paragraph("Customer ID", receipt.customer_id),
        _paragraph("Order", receipt.order_id),
        _paragraph("Subscription", receipt.subscription_id),
        "<hr/>",
        _items_table(receipt.items),
        _paragraph("Total", f"{receipt.total_amount} {receipt.currency}"),
    ]
    return _page("Receipt", body)
