"""The Razorpay Orders API, called from the edge with the adapter's key pair."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from http_adapter.config import AdapterSettings
from http_adapter.errors import ContractError

# An order is a few hundred bytes; anything much larger is not an answer we can use.
MAX_RESPONSE_BYTES = 64 * 1024
INVALID_RESPONSE = "Razorpay order create returned invalid response"


def new_client() -> httpx.AsyncClient:
    """The process's pooled client for Razorpay: proxies and certificate bundles named in the
    environment are not honoured, so no variable can route payment calls elsewhere."""
    return httpx.AsyncClient(trust_env=False, follow_redirects=False)


def _required(value: str, name: str) -> str:
    if not value:
        raise ContractError(500, f"Missing required env: {name}")
    return value


async def _capped_body(response: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise ContractError(502, INVALID_RESPONSE)
    return bytes(body)


async def _post_order(
    client: httpx.AsyncClient, settings: AdapterSettings, auth: tuple[str, str], order: Any
) -> Any:
    """The order's JSON answer, read within the size cap."""
    url = settings.razorpay_api_base.rstrip("/") + "/v1/orders"
    async with client.stream("POST", url, auth=auth, json=order) as response:
        if response.status_code >= 400:
            raise ContractError(502, f"Razorpay order create failed ({response.status_code})")
        return json.loads(await _capped_body(response))


async def create_order(
    client: httpx.AsyncClient, settings: AdapterSettings, amount_inr: int, receipt: str
) -> str:
    """Creates the Razorpay order for an internal order id; returns Razorpay's order id."""
    key_id = _required(settings.razorpay_key_id, "RAZORPAY_KEY_ID")
    key_secret = _required(settings.razorpay_key_secret, "RAZORPAY_KEY_SECRET")
    order = {
        "amount": amount_inr * 100,
        "currency": "INR",
        "receipt": receipt,
        "payment_capture": 1,
    }
    # One deadline for the whole exchange: httpx's own timeouts are per connect and per read,
    # so a server dripping bytes would hold the request open indefinitely.
    async with asyncio.timeout(settings.razorpay_timeout_seconds):
        document = await _post_order(client, settings, (key_id, key_secret), order)
    if not isinstance(document, dict) or not document.get("id"):
        raise ContractError(502, INVALID_RESPONSE)
    return str(document["id"])
