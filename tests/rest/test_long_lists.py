"""Lists longer than one store answer can carry are still whole, and in order, over REST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert

from store_service.db.engine import create_engine
from store_service.db.models import Order, Receipt, Subscription, table_of

CUSTOMER = "cust-long"
RECEIPTS = 2_500
START = datetime(2026, 3, 1, tzinfo=UTC)
# An agent id is the client's text and every receipt quotes it: ~2.5 kB a receipt, ~6 MB in all,
# over gRPC's 4 MiB message limit and over one page's byte budget.
AGENT_ID = "AGT-" + "x" * 2_400


def _rows(count: int) -> dict[str, list[dict[str, Any]]]:
    # Three receipts share each instant, so pages also break between equal times.
    moments = [START + timedelta(seconds=index // 3) for index in range(count)]
    orders = [
        {
            "order_id": f"ORD-{index:05d}",
            "payment_provider": "coupon",
            "subscription_id": "SUB-long",
            "amount": 0,
            "currency": "INR",
            "agent_id": AGENT_ID,
            "duration": "monthly",
            "customer_id": CUSTOMER,
            "status": "paid",
            "created_at": moment,
            "paid_at": moment,
        }
        for index, moment in enumerate(moments)
    ]
    receipts = [
        {
            "receipt_id": f"RCT-ID-{index:05d}",
            # Numbered against the time order, so the tie-break is seen to be the number.
            "receipt_number": f"RCT-{count - index:05d}",
            "order_id": f"ORD-{index:05d}",
            "customer_id": CUSTOMER,
            "subscription_id": "SUB-long",
            "currency": "INR",
            "total_amount": 0,
            "payment_status": "paid",
            "items": [
                {
                    "description": f"WAOOAW agent hire: {AGENT_ID} (monthly)",
                    "quantity": 1,
                    "unit_amount": 0,
                }
            ],
            "created_at": moment,
        }
        for index, moment in enumerate(moments)
    ]
    return {"orders": orders, "receipts": receipts}


async def _seed(database_url: str, count: int) -> list[dict[str, Any]]:
    rows = _rows(count)
    subscription = {
        "subscription_id": "SUB-long",
        "agent_id": AGENT_ID,
        "duration": "monthly",
        "customer_id": CUSTOMER,
        "status": "active",
        "current_period_start": START,
        "current_period_end": START + timedelta(days=30),
        "cancel_at_period_end": False,
    }
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(table_of(Subscription)), [subscription])
            await connection.execute(insert(table_of(Order)), rows["orders"])
            await connection.execute(insert(table_of(Receipt)), rows["receipts"])
    finally:
        await engine.dispose()
    return rows["receipts"]


async def test_receipts_past_the_message_size_limit_list_whole_and_in_order(
    http: httpx.AsyncClient, database_url: str
) -> None:
    seeded = await _seed(database_url, RECEIPTS)
    response = await http.get("/api/v1/receipts", params={"customer_id": CUSTOMER})
    assert response.status_code == 200, response.text[:200]
    assert len(response.content) > 4 * 1024 * 1024
    listed = response.json()["receipts"]
    # Newest first; equal times by receipt number.
    expected = sorted(seeded, key=lambda row: row["receipt_number"])
    expected.sort(key=lambda row: row["created_at"], reverse=True)
    assert [row["receipt_number"] for row in listed] == [row["receipt_number"] for row in expected]
    assert listed[0]["items"][0]["description"].startswith("WAOOAW agent hire: AGT-xxx")
