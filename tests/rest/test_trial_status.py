"""REST contract 4.7: the trial projection, customer-scoped and sorted with nulls first."""

from __future__ import annotations

import pytest

from tests.support.flows import API, finalize, hire, ok
from tests.support.harness import Stack, stack


@pytest.fixture
async def plant(database_url: str):  # type: ignore[no-untyped-def]
    async with stack(database_url) as running:
        yield running


async def test_list_mixes_trials_with_and_without_an_end(plant: Stack) -> None:
    started = await hire(plant.http, "cust-t")
    ok(await finalize(plant.http, started, "cust-t"))
    waiting = await hire(plant.http, " cust-t ")
    await hire(plant.http, "someone-else")
    listed = ok(await plant.http.get(f"{API}/trial-status", params={"customer_id": " cust-t"}))
    trials = listed["trials"]
    assert [t["subscription_id"] for t in trials] == [
        waiting["subscription_id"],
        started["subscription_id"],
    ]
    assert list(trials[1]) == [
        "subscription_id",
        "hired_instance_id",
        "trial_status",
        "trial_start_at",
        "trial_end_at",
        "configured",
        "goals_completed",
    ]
    assert (trials[0]["trial_status"], trials[0]["trial_end_at"]) == ("not_started", None)
    assert trials[1]["trial_status"] == "active" and trials[1]["goals_completed"] is True


async def test_by_subscription_is_customer_scoped(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-t")
    ok(await finalize(plant.http, hired, "cust-t"))
    path = f"{API}/trial-status/by-subscription/{hired['subscription_id']}"
    trial = ok(await plant.http.get(path, params={"customer_id": "cust-t"}))
    assert trial["trial_status"] == "active"
    assert trial["trial_start_at"] and trial["trial_end_at"]
    for customer_id, status, detail in (
        ("other", 404, "Trial not found"),
        (" ", 400, "customer_id is required"),
    ):
        response = await plant.http.get(path, params={"customer_id": customer_id})
        assert (response.status_code, response.json()) == (status, {"detail": detail})
    unknown = await plant.http.get(f"{API}/trial-status/by-subscription/SUB-x?customer_id=c")
    assert unknown.json() == {"detail": "Trial not found"}
    blank = await plant.http.get(f"{API}/trial-status")
    assert (blank.status_code, blank.json()) == (400, {"detail": "customer_id is required"})
