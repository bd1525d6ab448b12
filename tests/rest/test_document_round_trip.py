"""Documents and agent type definitions come back through REST as the JSON that was sent (issue
13 §2), on both databases: key order, 3.0 apart from 3, integers beyond 2^53, every character."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from store_service.domain.hiring import find_raw_secret
from tests.support.agent_types import TRADING
from tests.support.flows import (
    API,
    TRADE_INTENT_PAYLOAD,
    TRADING_AGENT,
    add_goal,
    hire,
    ok,
    subscribe,
)
from tests.support.harness import Stack, stack
from tests.support.json_text import EXACT, documents, json_text, member_text, round_trips, texts


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
    assert list(json.loads(intent)) == list(TRADE_INTENT_PAYLOAD)
    assert '"units":3.0,' in intent
    assert f'"interval_seconds":{big},' in payloads["trading_guardrail_report_v1"]


def nested(levels: int, leaf: dict[str, Any]) -> dict[str, Any]:
    """A document of `levels` levels whose innermost object is `leaf`."""
    document = leaf
    for _ in range(levels - 1):
        document = {"n": document}
    return document


async def refused_draft(plant: Stack, config: dict[str, Any]) -> dict[str, Any]:
    subscription_id = await subscribe(plant.http, "cust-doc")
    refused = await plant.http.put(
        f"{API}/hired-agents/draft", json=draft_body(subscription_id, config)
    )
    assert refused.status_code in (400, 422), refused.text
    answer: dict[str, Any] = refused.json()
    return answer


async def test_the_first_raw_secret_in_document_order_is_reported(plant: Stack) -> None:
    # Keys in reverse order: a store that sorted or hashed them would report another secret.
    config = {f"{letter}_token": "raw" for letter in "zyxwvutsrqponmlkjihgfedcba"}
    assert (await refused_draft(plant, config))["detail"] == (
        "Raw secrets are not allowed in Plant config (found at config.z_token). "
        "Use credential refs only."
    )


async def test_a_secret_at_the_deepest_accepted_level_is_found(plant: Stack) -> None:
    config = nested(64, {"ok_ref": "r", "api_key": "raw", "b_token": "raw"})
    path = "config" + ".n" * 63 + ".api_key"
    assert (await refused_draft(plant, config))["detail"] == (
        f"Raw secrets are not allowed in Plant config (found at {path}). Use credential refs only."
    )


async def test_a_document_deeper_than_64_levels_is_refused_naming_the_limit(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-doc")
    too_deep = nested(65, {})
    refused = await refused_draft(plant, too_deep)
    assert refused["violations"] == ["body -> config: Value error, nested deeper than 64 levels"]
    goal = await add_goal(plant.http, hired, "cust-doc", settings=too_deep)
    assert goal.status_code == 422
    assert goal.json()["violations"] == [
        "body -> settings: Value error, nested deeper than 64 levels"
    ]
    listed = await plant.http.get(
        f"{API}/hired-agents/{hired['hired_instance_id']}/goals",
        params={"customer_id": "cust-doc"},
    )
    assert ok(listed)["goals"] == []


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", '"\\ud800"'])
async def test_what_json_does_not_allow_is_refused(plant: Stack, value: str) -> None:
    subscription_id = await subscribe(plant.http, "cust-doc")
    body = (
        f'{{"subscription_id": "{subscription_id}", "agent_id": "a", "customer_id": "cust-doc", '
        f'"config": {{"x": {value}}}}}'
    )
    refused = await plant.http.put(
        f"{API}/hired-agents/draft",
        content=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert refused.status_code == 422, refused.text
    # Malformed JSON, as the contract words it: the position is inside the offending value.
    [violation] = refused.json()["violations"]
    position, _, message = violation.removeprefix("body -> ").partition(": ")
    start = body.index('"x": ') + len('"x": ')
    assert (message, start <= int(position) < start + len(value)) == ("JSON decode error", True)
    read = await plant.http.get(
        f"{API}/hired-agents/by-subscription/{subscription_id}",
        params={"customer_id": "cust-doc"},
    )
    assert read.status_code == 404


async def test_a_repeated_key_keeps_its_last_value(plant: Stack) -> None:
    subscription_id = await subscribe(plant.http, "cust-doc")
    body = (
        f'{{"subscription_id": "{subscription_id}", "agent_id": "a", "customer_id": "cust-doc", '
        '"config": {"a": 1, "b": 2.0, "a": [3]}}'
    )
    stored = await plant.http.put(
        f"{API}/hired-agents/draft",
        content=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert member_text(stored.content, "config") == '{"a":[3],"b":2.0}'


@round_trips
@given(
    label=texts.filter(bool),
    description=st.none() | texts,
    options=st.none() | st.lists(texts, max_size=3),
    # A version is also a key of the versioned registry, where a NUL cannot go (decisions.md).
    version=texts.filter(lambda text: bool(text) and "\x00" not in text),
)
@example(label="a\u0000b 漢 😀", description="\u2028", options=["é", ""], version="1.0.0")
async def test_an_agent_type_definition_comes_back_as_sent(
    plant: Stack, label: str, description: str | None, options: list[str] | None, version: str
) -> None:
    definition = copy.deepcopy(TRADING) | {"version": version}
    definition["config_schema"]["fields"][0] |= {
        "label": label,
        "description": description,
        "options": options,
    }
    path = f"{API}/agent-types/{TRADING['agent_type_id']}"
    stored = await plant.http.put(path, json=definition)
    assert stored.status_code == 200, stored.text
    assert member_text(stored.content) == json_text(definition)
    assert member_text((await plant.http.get(path)).content) == json_text(definition)
