"""REST contract 4.3.5-4.3.8: subscription reads, cancellation and period-end processing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.harness import Stack, stack

CHECKOUT = "/api/v1/payments/coupon/checkout"
PERIOD_END = "/api/v1/payments/subscriptions/process-period-end"


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    async with stack(database_url) as running:
        yield running


async def subscribe(
    plant: Stack, customer_id: str | None = "cust-s", duration: str = "monthly"
) -> Any:
    body = {"coupon_code": "WAOOAW100", "agent_id": "AGT-1", "duration": duration}
    response = await plant.http.post(CHECKOUT, json=body | {"customer_id": customer_id})
    return response.json()["subscription_id"]


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_get_shows_the_period_of_the_duration(plant: Stack) -> None:
    subscription_id = await subscribe(plant, duration="quarterly")
    body = (await plant.http.get(f"/api/v1/payments/subscriptions/{subscription_id}")).json()
    assert list(body) == [
        "subscription_id",
        "agent_id",
        "duration",
        "customer_id",
        "status",
        "current_period_start",
        "current_period_end",
        "cancel_at_period_end",
        "ended_at",
    ]
    assert body["current_period_start"].endswith("Z")
    start, end = parse(body["current_period_start"]), parse(body["current_period_end"])
    assert end - start == timedelta(days=90)
    missing = await plant.http.get("/api/v1/payments/subscriptions/SUB-nope")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Subscription not found."})


async def test_by_customer_lists_exact_matches_by_period_end(plant: Stack) -> None:
    yearly = await subscribe(plant, duration="yearly")
    monthly = await subscribe(plant, duration="monthly")
    await subscribe(plant, customer_id=None)
    await subscribe(plant, customer_id=" cust-s")
    listed = (
        await plant.http.get("/api/v1/payments/subscriptions/by-customer/%20cust-s%20")
    ).json()
    assert [s["subscription_id"] for s in listed] == [monthly, yearly]
    blank = await plant.http.get("/api/v1/payments/subscriptions/by-customer/%20")
    assert (blank.status_code, blank.json()) == (400, {"detail": "customer_id is required"})


async def test_cancel_schedules_and_repeats_the_event(plant: Stack) -> None:
    subscription_id = await subscribe(plant)
    path = f"/api/v1/payments/subscriptions/{subscription_id}/cancel"
    first = await plant.http.post(path, params={"customer_id": "cust-s"})
    assert first.status_code == 200
    assert (first.json()["status"], first.json()["cancel_at_period_end"]) == ("active", True)
    assert (await plant.http.post(path)).status_code == 200
    events = await plant.events(event_type="cancel_scheduled")
    assert len(events) == 2
    assert events[0]["metadata"]["effective_at"].endswith("+00:00")
    assert parse(events[0]["metadata"]["effective_at"]) == parse(first.json()["current_period_end"])


async def test_cancel_refusals(plant: Stack) -> None:
    subscription_id = await subscribe(plant)
    path = f"/api/v1/payments/subscriptions/{subscription_id}/cancel"
    other = await plant.http.post(path, params={"customer_id": "intruder"})
    assert (other.status_code, other.json()) == (
        403,
        {"detail": "Subscription does not belong to customer"},
    )
    missing = await plant.http.post("/api/v1/payments/subscriptions/SUB-x/cancel")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Subscription not found."})
    await plant.http.post(path)
    await plant.http.post(PERIOD_END, json={"now": "2099-01-01T00:00:00Z"})
    ended = await plant.http.post(path)
    assert (ended.status_code, ended.json()) == (409, {"detail": "Subscription is not active"})
    assert len(await plant.events(event_type="cancel_scheduled")) == 1


async def test_period_end_cancels_due_subscriptions_once(plant: Stack) -> None:
    due = await subscribe(plant)
    untouched = await subscribe(plant)
    await plant.http.post(f"/api/v1/payments/subscriptions/{due}/cancel")
    early = await plant.http.post(PERIOD_END, json={})
    assert early.json()["processed"] == 0
    assert early.json()["now"].endswith("Z")

    later = datetime.now(UTC) + timedelta(days=60)
    response = await plant.http.post(PERIOD_END, json={"now": later.isoformat()})
    assert response.json()["processed"] == 1
    body = (await plant.http.get(f"/api/v1/payments/subscriptions/{due}")).json()
    assert body["status"] == "canceled"
    assert parse(body["ended_at"]) == later
    still = (await plant.http.get(f"/api/v1/payments/subscriptions/{untouched}")).json()
    assert (still["status"], still["ended_at"]) == ("active", None)
    again = await plant.http.post(PERIOD_END, json={"now": later.isoformat()})
    assert again.json()["processed"] == 0
    effective = await plant.events(event_type="cancel_effective")
    assert [e["subscription_id"] for e in effective] == [due]
    assert parse(effective[0]["metadata"]["ended_at"]) == later


@pytest.mark.parametrize(
    "sent",
    ["2099-01-01T00:00:00Z", "2099-01-01T05:30:00+05:30", "2099-01-01T00:00:00", 4070908800],
)
async def test_period_end_echoes_now_as_sent(plant: Stack, sent: Any) -> None:
    response = await plant.http.post(PERIOD_END, json={"now": sent})
    assert response.status_code == 200
    expected = {
        "2099-01-01T00:00:00Z": "2099-01-01T00:00:00Z",
        "2099-01-01T05:30:00+05:30": "2099-01-01T05:30:00+05:30",
        "2099-01-01T00:00:00": "2099-01-01T00:00:00",
        4070908800: "2099-01-01T00:00:00Z",
    }[sent]
    assert response.json()["now"] == expected


async def test_period_end_requires_a_body(plant: Stack) -> None:
    response = await plant.http.post(PERIOD_END)
    assert response.status_code == 422
    assert response.json()["violations"] == ["body: Field required"]
    bad = await plant.http.post(PERIOD_END, json={"now": "yesterday"})
    assert bad.status_code == 422
