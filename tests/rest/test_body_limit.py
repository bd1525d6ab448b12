"""Request bodies are bounded (smaller for the webhook): 413 in the problem envelope, refused
before the body is read whole, and nothing stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from http_adapter.config import AdapterSettings
from tests.support.flows import API
from tests.support.harness import Stack, stack

CHECKOUT = f"{API}/payments/coupon/checkout"
WEBHOOK = f"{API}/payments/razorpay/webhook"
CHUNK = 16_384
LIMIT = 100_000
WEBHOOK_LIMIT = 10_000


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    limits = {"max_body_bytes": LIMIT, "max_webhook_body_bytes": WEBHOOK_LIMIT}
    async with stack(database_url, adapter=limits | {"payments_mode": "razorpay"}) as running:
        yield running


def checkout_of(size: int) -> bytes:
    body = {"coupon_code": "WAOOAW100", "agent_id": "a", "duration": "monthly"}
    body |= {"customer_id": "big", "padding": ""}
    text = json.dumps(body).encode()
    return text.replace(b'"padding": ""', b'"padding": "' + b"x" * (size - len(text)) + b'"')


def assert_too_large(response_json: dict[str, object], path: str, limit: int) -> None:
    assert response_json == {
        "type": "https://waooaw.com/errors/content-too-large",
        "title": "Content Too Large",
        "status": 413,
        "detail": f"The request body is larger than {limit} bytes.",
        "instance": path,
        "correlation_id": "cid-big",
    }


async def test_a_declared_length_past_the_limit_is_413(plant: Stack) -> None:
    response = await plant.http.post(
        CHECKOUT,
        content=checkout_of(LIMIT + 1),
        headers={"Content-Type": "application/json", "X-Correlation-ID": "cid-big"},
    )
    assert response.status_code == 413
    assert_too_large(response.json(), CHECKOUT, LIMIT)
    listed = await plant.http.get(f"{API}/payments/subscriptions/by-customer/big")
    assert listed.json() == []


async def test_a_body_at_the_limit_is_read(plant: Stack) -> None:
    response = await plant.http.post(
        CHECKOUT, content=checkout_of(LIMIT), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 403  # coupon checkout in razorpay mode: past the limit check


async def test_a_streamed_body_is_refused_before_it_is_read_whole(plant: Stack) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(1_000):  # 16 MB, if it were all read
            sent += CHUNK
            yield b" " * CHUNK

    response = await plant.http.post(
        CHECKOUT,
        content=chunks(),
        headers={"Content-Type": "application/json", "X-Correlation-ID": "cid-big"},
    )
    assert response.status_code == 413
    assert_too_large(response.json(), CHECKOUT, LIMIT)
    assert sent <= LIMIT + CHUNK


async def test_the_webhook_has_its_own_smaller_limit(plant: Stack) -> None:
    headers = {"X-Razorpay-Signature": "s", "X-Correlation-ID": "cid-big"}
    refused = await plant.http.post(WEBHOOK, content=b"{" + b" " * WEBHOOK_LIMIT, headers=headers)
    assert refused.status_code == 413
    assert_too_large(refused.json(), WEBHOOK, WEBHOOK_LIMIT)
    # The same size is within the general limit elsewhere.
    elsewhere = await plant.http.post(
        CHECKOUT,
        content=checkout_of(WEBHOOK_LIMIT + 1),
        headers={"Content-Type": "application/json"},
    )
    assert elsewhere.status_code == 403


@pytest.mark.unit
def test_the_limits_come_from_the_environment() -> None:
    settings = AdapterSettings.from_env(
        {"PLANT_HTTP_MAX_BODY_BYTES": "2048", "PLANT_HTTP_MAX_WEBHOOK_BODY_BYTES": "512"}
    )
    assert (settings.max_body_bytes, settings.max_webhook_body_bytes) == (2048, 512)
    defaults = AdapterSettings.from_env({})
    assert defaults.max_webhook_body_bytes < defaults.max_body_bytes
