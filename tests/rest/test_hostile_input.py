"""Hostile REST input gets a clear 4xx and leaves nothing behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.flows import API, TRADING_CONFIG, add_goal, finalize, hire, ok
from tests.support.harness import Stack, stack
from tests.support.row_counts import row_counts

CHECKOUT = f"{API}/payments/coupon/checkout"


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    async with stack(database_url) as running:
        yield running


def nested(depth: int) -> dict[str, Any]:
    document: dict[str, Any] = {"leaf": "x"}
    for _ in range(depth):
        document = {"n": document}
    return document


async def stored_rows(plant: Stack) -> dict[str, int]:
    return await row_counts(plant.store.database.engine)


@pytest.mark.parametrize(
    "value",
    ["x' OR '1'='1", "'; DROP TABLE orders; --", "\\x00", "<script>", "ß漢字😀"],
)
async def test_sql_metacharacters_are_just_text(plant: Stack, value: str) -> None:
    body = {
        "coupon_code": "WAOOAW100",
        "agent_id": value,
        "duration": "monthly",
        "customer_id": value,
    }
    answer = ok(await plant.http.post(CHECKOUT, json=body))
    assert answer["agent_id"] == value
    listed = ok(await plant.http.get(f"{API}/payments/subscriptions/by-customer/{value}"))
    assert [s["subscription_id"] for s in listed] == [answer["subscription_id"]]


async def test_huge_strings_are_refused_cleanly(plant: Stack) -> None:
    huge = "A" * 1_000_000
    before = await stored_rows(plant)
    draft = {"subscription_id": huge, "agent_id": "a", "customer_id": "big"}
    response = await plant.http.put(f"{API}/hired-agents/draft", json=draft)
    assert 400 <= response.status_code < 500
    assert len(response.content) < 2_000
    assert await stored_rows(plant) == before
    checkout = {
        "coupon_code": "WAOOAW100",
        "agent_id": huge,
        "duration": "monthly",
        "customer_id": "big",
    }
    answer = await plant.http.post(CHECKOUT, json=checkout)
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert await stored_rows(plant) == before


async def test_nul_bytes_are_refused_or_kept_exactly(plant: Stack) -> None:
    body = {
        "coupon_code": "WAOOAW100",
        "agent_id": "a\u0000b",
        "duration": "monthly",
        "customer_id": "nul",
    }
    before = await stored_rows(plant)
    response = await plant.http.post(CHECKOUT, json=body)
    if response.status_code == 200:
        assert response.json()["agent_id"] == "a\u0000b"
    else:
        assert response.json() == {"detail": "Invalid request value."}
        assert await stored_rows(plant) == before


async def test_deeply_nested_config_is_refused_or_stored(plant: Stack) -> None:
    hired = await hire(plant.http, "deep")
    for depth in (20, 50, 500):
        response = await plant.http.put(
            f"{API}/hired-agents/draft",
            json={
                "subscription_id": hired["subscription_id"],
                "agent_id": "a",
                "customer_id": "deep",
                "config": nested(depth),
            },
        )
        assert response.status_code < 500, (depth, response.text[:200])


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b"\x11\xefF",
        b'{"coupon_code": "WAOOAW100"',
        b"[1, 2, 3]",
        b"null",
        b"",
    ],
)
async def test_bodies_that_are_not_json_objects(plant: Stack, content: bytes) -> None:
    before = await stored_rows(plant)
    response = await plant.http.post(
        CHECKOUT, content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["title"] == "Request Validation Error"
    assert await stored_rows(plant) == before


async def test_absurdly_deep_json_bodies_are_refused(plant: Stack) -> None:
    body = b'{"config": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = await plant.http.put(
        f"{API}/hired-agents/draft", content=body, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("digits", [400, 5_000])
async def test_long_digit_strings_in_config_leave_the_instance_usable(
    plant: Stack, digits: int
) -> None:
    config = TRADING_CONFIG | {
        "interval_seconds": "9" * digits,
        "risk_limits": {"max_units_per_order": "9" * digits},
    }
    hired = await hire(plant.http, "digits", config=config)
    ok(await add_goal(plant.http, hired, "digits"))
    ok(await finalize(plant.http, hired, "digits"))
    for _ in range(2):  # generating the draft, then reading it back
        listed = ok(
            await plant.http.get(
                f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables",
                params={"customer_id": "digits"},
            )
        )
        assert len(listed["deliverables"]) == 1
