"""Documents come back through REST as the JSON that was sent (issue 13 §2), on both databases:
key order, 3.0 apart from 3, integers beyond 2^53, every character."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import assume, example, given

from store_service.domain.hiring import find_raw_secret
from tests.flows import API, TRADING_AGENT, add_goal, hire, ok, subscribe
from tests.harness import Stack, stack
from tests.json_text import documents, json_text, member_text, round_trips

EXACT = {
    "z": 1,
    "a": 3.0,
    "whole": 3,
    "big": 2**80,
    "negative_big": -(2**70) - 1,
    "past_doubles": 2**53 + 1,
    "text": "漢字 😀 \u0000 \u2028 é",
    "nested": {"b": [1.5, 1e16, -0.0, None, True], "a": {}},
}


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    async with stack(database_url) as running:
        yield running


def draft_body(subscription_id: str, config: dict[str, Any]) -> dict[str, Any]:
    return {
        "subscription_id": subscription_id,
        "agent_id": TRADING_AGENT,
        "customer_id": "cust-doc",
        "config": config,
    }


@round_trips
@given(config=documents)
@example(config=EXACT)
async def test_a_config_comes_back_as_sent(plant: Stack, config: dict[str, Any]) -> None:
    assume(find_raw_secret(config) is None)
    subscription_id = await subscribe(plant.http, "cust-doc")
    stored = await plant.http.put(
        f"{API}/hired-agents/draft", json=draft_body(subscription_id, config)
    )
    assert stored.status_code == 200, stored.text
    assert member_text(stored.content, "config") == json_text(config)
    read = await plant.http.get(
        f"{API}/hired-agents/by-subscription/{subscription_id}",
        params={"customer_id": "cust-doc"},
    )
    assert member_text(read.content, "config") == json_text(config)


@round_trips
@given(settings=documents)
@example(settings=EXACT)
async def test_goal_settings_come_back_as_sent(plant: Stack, settings: dict[str, Any]) -> None:
    hired = await hire(plant.http, "cust-doc")
    body = {
        "customer_id": "cust-doc",
        "goal_template_id": "trading.guardrail_report.v1",
        "frequency": "daily",
        "settings": settings,
    }
    path = f"{API}/hired-agents/{hired['hired_instance_id']}/goals"
    stored = await plant.http.put(path, json=body)
    assert stored.status_code == 200, stored.text
    assert member_text(stored.content, "settings") == json_text(settings)
    listed = await plant.http.get(path, params={"customer_id": "cust-doc"})
    assert member_text(listed.content, "goals", 0, "settings") == json_text(settings)


async def test_payloads_keep_their_numbers_and_key_order(plant: Stack) -> None:
    big = 2**70 + 1
    hired = await hire(plant.http, "cust-doc")
    config = hired["config"] | {"interval_seconds": big}
    ok(
        await plant.http.put(
            f"{API}/hired-agents/draft", json=draft_body(hired["subscription_id"], config)
        )
    )
    ok(
        await add_goal(
            plant.http, hired, "cust-doc", settings={"coin": "BTC", "side": "buy", "units": 3}
        )
    )
    guardrail = {"goal_template_id": "trading.guardrail_report.v1", "settings": {}}
    ok(await add_goal(plant.http, hired, "cust-doc", **guardrail))
    listed = await plant.http.get(
        f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables",
        params={"customer_id": "cust-doc"},
    )
    payloads = {
        json.loads(text)["type"]: text
        for text in (
            member_text(listed.content, "deliverables", index, "payload") for index in (0, 1)
        )
    }
    intent = payloads["trading_intent_plan_v1"]
    assert list(json.loads(intent)) == [
        "type",
        "draft_only",
        "goal_template_id",
        "goal_instance_id",
        "exchange_provider",
        "exchange_credential_ref",
        "coin",
        "side",
        "units",
        "checks",
        "validation_errors",
        "intent_action",
    ]
    assert '"units":3.0,' in intent
    assert f'"interval_seconds":{big},' in payloads["trading_guardrail_report_v1"]
