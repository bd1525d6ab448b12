"""REST contract 4.8-4.9, 5.15-5.17: receipts and invoices, their numbers, GST and HTML."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.harness import Stack, stack

CHECKOUT = "/api/v1/payments/coupon/checkout"
DAY_ONE = datetime(2026, 2, 10, 23, 59, 0, 123456, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(DAY_ONE)


@pytest.fixture
async def plant(database_url: str, clock: Clock) -> AsyncIterator[Stack]:
    async with stack(
        database_url, store={"seller_gstin": "27WAOOAW1234F1Z5"}, clock=clock
    ) as running:
        yield running


async def buy(plant: Stack, customer_id: str = "cust-b", **extra: Any) -> Any:
    body = {"coupon_code": "WAOOAW100", "agent_id": "AGT-1", "duration": "monthly"}
    response = await plant.http.post(CHECKOUT, json=body | {"customer_id": customer_id} | extra)
    assert response.status_code == 200, response.text
    return response.json()["order_id"]


async def test_numbers_count_per_day_from_one(plant: Stack, clock: Clock) -> None:
    for _ in range(2):
        await buy(plant)
    clock.now += timedelta(minutes=2)
    await buy(plant)
    receipts = (await plant.http.get("/api/v1/receipts?customer_id=cust-b")).json()["receipts"]
    # Newest first; the two of day one share their creation time, so they keep creation order.
    assert [r["receipt_number"] for r in receipts] == [
        "RCT-20260211-0001",
        "RCT-20260210-0001",
        "RCT-20260210-0002",
    ]
    invoices = (await plant.http.get("/api/v1/invoices?customer_id=cust-b")).json()["invoices"]
    assert [i["invoice_number"] for i in invoices] == [
        "INV-20260210-0001",
        "INV-20260210-0002",
        "INV-20260211-0001",
    ]


async def test_receipt_has_the_contract_shape(plant: Stack) -> None:
    order_id = await buy(plant, customer_id=" cust-b ")
    receipt = (
        await plant.http.get(f"/api/v1/receipts/by-order/{order_id}?customer_id=cust-b")
    ).json()
    assert receipt == {
        "receipt_id": receipt["receipt_id"],
        "receipt_number": "RCT-20260210-0001",
        "created_at": "2026-02-10T23:59:00.123456Z",
        "customer_id": "cust-b",
        "order_id": order_id,
        "subscription_id": receipt["subscription_id"],
        "currency": "INR",
        "total_amount": 0,
        "payment_status": "paid",
        "items": [
            {"description": "WAOOAW agent hire: AGT-1 (monthly)", "quantity": 1, "unit_amount": 0}
        ],
    }
    assert receipt["receipt_id"].startswith("RCT-ID-")
    by_id = await plant.http.get(f"/api/v1/receipts/{receipt['receipt_id']}?customer_id=cust-b")
    assert by_id.json() == receipt


@pytest.mark.parametrize(
    ("gstin", "tax_type", "state"),
    [
        ("27ABCDE1234F1Z5", "cgst_sgst", "27"),
        ("29ABCDE1234F1Z5", "igst", "29"),
        ("ABCDE1234F1Z5XY", "none", None),
        (None, "none", None),
    ],
)
async def test_invoice_taxes_follow_the_customer_state(
    plant: Stack, gstin: str | None, tax_type: str, state: str | None
) -> None:
    order_id = await buy(plant, gstin=gstin)
    invoice = (
        await plant.http.get(f"/api/v1/invoices/by-order/{order_id}?customer_id=cust-b")
    ).json()
    assert (invoice["tax_type"], invoice["customer_state_code"]) == (tax_type, state)
    assert invoice["tax_regime"] == "GST"
    assert (invoice["seller_legal_name"], invoice["seller_state_code"]) == ("WAOOAW", "27")
    assert invoice["subtotal_amount"] == invoice["total_amount"] == 0
    assert invoice["items"] == [
        {"description": "WAOOAW agent hire: AGT-1 (monthly)", "quantity": 1, "unit_amount": 0}
    ]
    assert invoice["customer_business_name"] is None


async def test_other_customers_get_the_contracts_answers(plant: Stack) -> None:
    order_id = await buy(plant)
    invoice_id = (
        await plant.http.get(f"/api/v1/invoices/by-order/{order_id}?customer_id=cust-b")
    ).json()["invoice_id"]
    receipt_id = (
        await plant.http.get(f"/api/v1/receipts/by-order/{order_id}?customer_id=cust-b")
    ).json()["receipt_id"]
    cases = [
        (f"/api/v1/invoices/by-order/{order_id}", 403, "Invoice does not belong to customer"),
        (f"/api/v1/invoices/{invoice_id}", 403, "Invoice does not belong to customer"),
        (f"/api/v1/invoices/{invoice_id}/html", 403, "Invoice does not belong to customer"),
        (f"/api/v1/receipts/by-order/{order_id}", 404, "Receipt not found"),
        (f"/api/v1/receipts/{receipt_id}", 404, "Receipt not found"),
        (f"/api/v1/receipts/{receipt_id}/html", 404, "Receipt not found"),
        ("/api/v1/invoices/INV-ID-nope", 404, "Invoice not found"),
        ("/api/v1/receipts/RCT-ID-nope/html", 404, "Receipt not found"),
    ]
    for path, status, detail in cases:
        response = await plant.http.get(path, params={"customer_id": "intruder"})
        assert (response.status_code, response.json()) == (status, {"detail": detail}), path
    for path in ("/api/v1/invoices", "/api/v1/receipts", f"/api/v1/receipts/{receipt_id}"):
        response = await plant.http.get(path, params={"customer_id": " "})
        assert (response.status_code, response.json()) == (
            400,
            {"detail": "customer_id is required"},
        )
    assert (await plant.http.get("/api/v1/invoices?customer_id=intruder")).json() == {
        "invoices": []
    }


async def test_by_order_html_is_an_order_lookup(plant: Stack) -> None:
    response = await plant.http.get("/api/v1/invoices/by-order/html?customer_id=cust-b")
    assert (response.status_code, response.json()) == (404, {"detail": "Invoice not found"})


async def test_html_downloads(plant: Stack) -> None:
    order_id = await buy(plant, customer_id="<b>cust</b>", gstin="29ABCDE1234F1Z5")
    customer = {"customer_id": "<b>cust</b>"}
    invoice = (
        await plant.http.get(f"/api/v1/invoices/by-order/{order_id}", params=customer)
    ).json()
    html = await plant.http.get(f"/api/v1/invoices/{invoice['invoice_id']}/html", params=customer)
    assert html.status_code == 200
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.headers["content-disposition"] == (
        f"attachment; filename={invoice['invoice_number']}.html"
    )
    assert "Tax Invoice" in html.text and invoice["invoice_number"] in html.text
    assert "<b>cust</b>" not in html.text and "&lt;b&gt;cust&lt;/b&gt;" in html.text
    assert "<p><strong>Date</strong>: 2026-02-10T23:59:00.123456+00:00</p>" in html.text
    assert "<p><strong>Seller GSTIN</strong>: 27WAOOAW1234F1Z5</p>" in html.text

    receipt = (
        await plant.http.get(f"/api/v1/receipts/by-order/{order_id}", params=customer)
    ).json()
    page = await plant.http.get(f"/api/v1/receipts/{receipt['receipt_id']}/html", params=customer)
    assert page.headers["content-disposition"] == (
        f'attachment; filename="{receipt["receipt_number"]}.html"'
    )
    assert "Receipt" in page.text and receipt["receipt_number"] in page.text
    assert page.text.startswith("<!doctype html><html><head><meta charset='utf-8'>")
    assert "<p><strong>Total</strong>: 0 INR</p>" in page.text
