"""REST contract 4.5 and 5.5: goal instances, validated against the stored agent types."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.agent_types import TRADING
from tests.support.flows import API, MARKETING_AGENT, MARKETING_CONFIG, add_goal, hire, ok
from tests.support.harness import Stack, stack
from tests.support.json_text import member_text


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    async with stack(database_url) as running:
        yield running


@pytest.fixture
async def hired(plant: Stack) -> dict[str, Any]:
    return await hire(plant.http, "cust-g")


def goals_path(hired: dict[str, Any]) -> str:
    return f"{API}/hired-agents/{hired['hired_instance_id']}/goals"


async def test_goals_are_created_listed_replaced_and_deleted(
    plant: Stack, hired: dict[str, Any]
) -> None:
    answer = await add_goal(plant.http, hired, "cust-g", frequency=" On_Demand ")
    created = ok(answer)
    assert created["goal_instance_id"].startswith("GOI-")
    assert (created["goal_template_id"], created["frequency"]) == (
        "trading.trade_intent_draft.v1",
        "on_demand",
    )
    assert member_text(answer.content, "settings") == '{"coin":"BTC","side":"buy","units":1}'
    answer = await add_goal(
        plant.http,
        hired,
        "cust-g",
        goal_instance_id=f" {created['goal_instance_id']} ",
        settings={"coin": "ETH", "side": "sell", "units": "2"},
    )
    replaced = ok(answer)
    assert replaced["goal_instance_id"] == created["goal_instance_id"]
    assert replaced["created_at"] == created["created_at"]
    assert member_text(answer.content, "settings") == '{"coin":"ETH","side":"sell","units":"2"}'
    mine = ok(await add_goal(plant.http, hired, "cust-g", goal_instance_id="my-goal"))
    listed = ok(await plant.http.get(goals_path(hired), params={"customer_id": "cust-g"}))
    assert listed["hired_instance_id"] == hired["hired_instance_id"]
    assert [g["goal_instance_id"] for g in listed["goals"]] == [
        created["goal_instance_id"],
        mine["goal_instance_id"],
    ]
    deleted = ok(
        await plant.http.delete(
            goals_path(hired), params={"customer_id": "cust-g", "goal_instance_id": " my-goal "}
        )
    )
    assert deleted == {"deleted": True, "goal_instance_id": "my-goal"}
    again = ok(
        await plant.http.delete(
            goals_path(hired), params={"customer_id": "cust-g", "goal_instance_id": "my-goal"}
        )
    )
    assert again == {"deleted": False, "goal_instance_id": "my-goal"}


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"frequency": "hourly"}, "Unsupported frequency."),
        (
            {"goal_template_id": "marketing.daily_micro_post.v1"},
            "Unknown goal_template_id for this agent type.",
        ),
        ({"settings": {"coin": "BTC"}}, "Missing required settings: side, units"),
        (
            {"settings": {"coin": "BTC", "side": 0, "units": "nan"}},
            "Missing required settings: side, units",
        ),
        (
            {"settings": {"coin": " ", "side": "buy", "units": "x"}},
            "Missing required settings: coin, units",
        ),
        # A number no JSON document holds would break every later draft of the instance.
        (
            {"settings": {"coin": "BTC", "side": "buy", "units": "Infinity"}},
            "Missing required settings: units",
        ),
    ],
)
async def test_goal_validation(
    plant: Stack, hired: dict[str, Any], fields: dict[str, Any], detail: str
) -> None:
    response = await add_goal(plant.http, hired, "cust-g", **fields)
    assert (response.status_code, response.json()) == (400, {"detail": detail})


async def test_generic_agents_cannot_have_goals(plant: Stack) -> None:
    generic = await hire(plant.http, "cust-g", agent_id="agent-123")
    response = await add_goal(plant.http, generic, "cust-g")
    assert response.json() == {"detail": "Unknown agent type; cannot validate goals."}


async def test_marketing_goals_accept_optional_settings(plant: Stack) -> None:
    marketing = await hire(plant.http, "cust-g", agent_id=MARKETING_AGENT, config=MARKETING_CONFIG)
    answer = await add_goal(
        plant.http,
        marketing,
        "cust-g",
        goal_template_id="marketing.daily_micro_post.v1",
        frequency="weekly",
        settings={"extra": {"deep": True}},
    )
    ok(answer)
    assert member_text(answer.content, "settings") == '{"extra":{"deep":true}}'


async def test_goal_validation_follows_agent_type_edits(
    plant: Stack, hired: dict[str, Any]
) -> None:
    edited = copy.deepcopy(TRADING)
    edited["goal_templates"][0]["settings_schema"]["fields"].append(
        {"key": "venue", "label": "Venue", "type": "text", "required": True}
    )
    ok(await plant.http.put(f"{API}/agent-types/trading.delta_futures.v1", json=edited))
    response = await add_goal(plant.http, hired, "cust-g")
    assert response.json() == {"detail": "Missing required settings: venue"}


async def test_goal_refusals_in_order(plant: Stack, hired: dict[str, Any]) -> None:
    missing = await plant.http.put(
        f"{API}/hired-agents/HAI-x/goals",
        json={"customer_id": "c", "goal_template_id": "t", "frequency": "daily"},
    )
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "Hired agent instance not found."},
    )
    blank = await add_goal(plant.http, hired, " ")
    assert blank.json() == {"detail": "customer_id is required."}
    other = await add_goal(plant.http, hired, "intruder")
    assert other.json() == {"detail": "Hired agent instance not found."}
    null_settings = await add_goal(plant.http, hired, "cust-g", settings=None)
    assert null_settings.status_code == 422
    assert null_settings.json()["violations"] == [
        "body -> settings: Input should be a valid dictionary"
    ]
    no_id = await plant.http.delete(goals_path(hired), params={"customer_id": "cust-g"})
    assert (no_id.status_code, no_id.json()) == (400, {"detail": "goal_instance_id is required."})


async def test_goals_are_read_only_after_cancellation_and_gone_after_retention(
    database_url: str,
) -> None:
    async with stack(database_url, store={"end_retention_days": 1}) as plant:
        hired = await hire(plant.http, "cust-g")
        ok(await add_goal(plant.http, hired, "cust-g", goal_instance_id="g1"))
        ok(await plant.http.post(f"{API}/payments/subscriptions/{hired['subscription_id']}/cancel"))
        ended = datetime.now(UTC) + timedelta(days=40)
        ok(
            await plant.http.post(
                f"{API}/payments/subscriptions/process-period-end",
                json={"now": ended.isoformat()},
            )
        )
        write = await add_goal(plant.http, hired, "cust-g")
        assert (write.status_code, write.json()) == (
            409,
            {"detail": "Subscription is not active; hired agent is read-only."},
        )
        removal = await plant.http.delete(
            goals_path(hired), params={"customer_id": "cust-g", "goal_instance_id": "g1"}
        )
        assert removal.status_code == 409
        readable = await plant.http.get(
            goals_path(hired),
            params={"customer_id": "cust-g", "as_of": (ended + timedelta(hours=1)).isoformat()},
        )
        assert [g["goal_instance_id"] for g in readable.json()["goals"]] == ["g1"]
        gone = await plant.http.get(
            goals_path(hired),
            params={"customer_id": "cust-g", "as_of": (ended + timedelta(days=3)).isoformat()},
        )
        assert gone.status_code == 410
