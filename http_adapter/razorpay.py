"""The Razorpay Orders API, called from the edge with the adapter's key pair."""

from __future__ import annotations

from typing import Any

import httpx

from http_adapter.config import AdapterSettings
from http_adapter.errors import ContractError

TIMEOUT_SECONDS = 10.0


def _required(value: str, name: str) -> str:
    if not value:
        raise ContractError(500, f"Missing required env: {name}")
    return value


async def create_order(
    client: httpx.AsyncClient, settings: AdapterSettings, amount_inr: int, receipt: str
) -> str:
    """Creates the Razorpay order for an internal order id; returns Razorpay's order id."""
    key_id = _required(settings.razorpay_key_id, "RAZORPAY_KEY_ID")
    key_secret = _required(settings.razorpay_key_secret, "RAZORPAY_KEY_SECRET")
    response = await client.post(
        settings.razorpay_api_base.rstrip("/") + "/v1/orders",
        auth=(key_id, key_secret),
        json={
            "amount": amount_inr * 100,
            "currency": "INR",
            "receipt": receipt,
            "payment_capture": 1,
        },
        timeout=TIMEOUT_SECONDS,
    )
    if response.status_code >= 400:
        raise ContractError(502, f"Razorpay order create failed ({response.status_code})")
    document: Any = response.json()
    if not isinstance(document, dict) or not document.get("id"):
        raise ContractError(502, "Razorpay order create returned invalid response")
    return str(document["id"])
