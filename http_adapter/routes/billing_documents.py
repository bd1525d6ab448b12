"""/api/v1/invoices and /api/v1/receipts (contract 4.8, 4.9)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse
from plant.store.v1 import billing_pb2 as pb

from http_adapter import rendering
from http_adapter.dependencies import Store
from http_adapter.documents_html import invoice_html, receipt_html
from http_adapter.pages import every_page
from http_adapter.responses import JsonResponse
from http_adapter.routes import api_router
from http_adapter.schemas import responses

invoices = api_router("/api/v1/invoices", "invoices")
receipts = api_router("/api/v1/receipts", "receipts")


@invoices.get("", response_model=responses.Invoices)
async def list_invoices(store: Store, customer_id: str = "") -> JsonResponse:
    request = pb.ListInvoicesRequest(customer_id=customer_id)
    listed = await every_page(store, store.billing.ListInvoices, request, "invoices")
    return JsonResponse({"invoices": [rendering.invoice(item) for item in listed]})


@invoices.get("/by-order/{order_id}", response_model=responses.Invoice)
async def invoice_by_order(order_id: str, store: Store, customer_id: str = "") -> JsonResponse:
    request = pb.GetInvoiceByOrderRequest(order_id=order_id, customer_id=customer_id)
    response = await store.call(store.billing.GetInvoiceByOrder, request)
    return JsonResponse(rendering.invoice(response.invoice))


async def _invoice(store: Any, invoice_id: str, customer_id: str) -> pb.Invoice:
    request = pb.GetInvoiceRequest(invoice_id=invoice_id, customer_id=customer_id)
    response = await store.call(store.billing.GetInvoice, request)
    invoice: pb.Invoice = response.invoice
    return invoice


@invoices.get("/{invoice_id}", response_model=responses.Invoice)
async def get_invoice(invoice_id: str, store: Store, customer_id: str = "") -> JsonResponse:
    return JsonResponse(rendering.invoice(await _invoice(store, invoice_id, customer_id)))


@invoices.get("/{invoice_id}/html", response_class=HTMLResponse)
async def invoice_download(invoice_id: str, store: Store, customer_id: str = "") -> HTMLResponse:
    invoice = await _invoice(store, invoice_id, customer_id)
    return HTMLResponse(
        invoice_html(invoice),
        headers={"Content-Disposition": f"attachment; filename={invoice.invoice_number}.html"},
    )


@receipts.get("", response_model=responses.Receipts)
async def list_receipts(store: Store, customer_id: str = "") -> JsonResponse:
    request = pb.ListReceiptsRequest(customer_id=customer_id)
    listed = await every_page(store, store.billing.ListReceipts, request, "receipts")
    return JsonResponse({"receipts": [rendering.receipt(item) for item in listed]})


@receipts.get("/by-order/{order_id}", response_model=responses.Receipt)
async def receipt_by_order(order_id: str, store: Store, customer_id: str = "") -> JsonResponse:
    request = pb.GetReceiptByOrderRequest(order_id=order_id, customer_id=customer_id)
    response = await store.call(store.billing.GetReceiptByOrder, request)
    return JsonResponse(rendering.receipt(response.receipt))


async def _receipt(store: Any, receipt_id: str, customer_id: str) -> pb.Receipt:
    request = pb.GetReceiptRequest(receipt_id=receipt_id, customer_id=customer_id)
    response = await store.call(store.billing.GetReceipt, request)
    receipt: pb.Receipt = response.receipt
    return receipt


@receipts.get("/{receipt_id}", response_model=responses.Receipt)
async def get_receipt(receipt_id: str, store: Store, customer_id: str = "") -> JsonResponse:
    return JsonResponse(rendering.receipt(await _receipt(store, receipt_id, customer_id)))


@receipts.get("/{receipt_id}/html", response_class=HTMLResponse)
async def receipt_download(receipt_id: str, store: Store, customer_id: str = "") -> HTMLResponse:
    receipt = await _receipt(store, receipt_id, customer_id)
    return HTMLResponse(
        receipt_html(receipt),
        headers={"Content-Disposition": f'attachment; filename="{receipt.receipt_number}.html"'},
    )
