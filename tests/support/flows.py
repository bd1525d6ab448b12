"""Steps of the Phase-1 REST flows, for tests that need a customer part-way through a hire."""

from __future__ import annotations

from typing import Any

import httpx

API = "/api/v1"
TRADING_AGENT = "AGT-TRD-DELTA-001"
MARKETING_AGENT = "AGT-MKT-HEALTH-001"
TRADING_CONFIG: dict[str, Any] = {
    "timezone": "Asia/Kolkata",
    "exchange_provider": "delta_exchange_india",
    "exchange_credential_ref": "EXCH-test",
    "allowed_coins": ["BTC"],
    "default_coin": "BTC",
    "interval_seconds": 300,
    "risk_limits": {"max_units_per_order": 1},
}
MARKETING_CONFIG: dict[str, Any] = {
    "primary_language": "en",
    "timezone": "UTC",
    "brand_name": "Cake Shop",
    "location": "Pune",
    "offerings_services": ["Cupcakes"],
    "platforms_enabled": ["instagram"],
    "platform_credentials": {"instagram": {"credential_ref": "CRED-1"}},
}
TRADE_GOAL = {"coin": "BTC", "side": "buy", "units": 1}
# The payload of the draft deliverable that trade goal "trade-1" (BTC, buy 1) makes.
TRADE_INTENT_PAYLOAD = {
    "type": "trading_intent_plan_v1",
    "draft_only": True,
    "goal_template_id": "trading.trade_intent_draft.v1",
    "goal_instance_id": "trade-1",
    "exchange_provider": "delta_exchange_india",
    "exchange_credential_ref": "EXCH-test",
    "coin": "BTC",
    "side": "buy",
    "units": 1.0,
    "checks": {
        "coin_allowed": True,
        "side_valid": True,
        "units_positive": True,
        "within_max_units": True,
        "max_units_per_order": 1,
    },
    "validation_errors": [],
    "intent_action": "place_order",
}


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()


async def subscribe(
    http: httpx.AsyncClient, customer_id: str, agent_id: str = TRADING_AGENT
) -> str:
    body = {
        "coupon_code": "WAOOAW100",
        "agent_id": agent_id,
        "duration": "monthly",
        "customer_id": customer_id,
    }
    subscription_id: str = ok(await http.post(f"{API}/payments/coupon/checkout", json=body))[
        "subscription_id"
    ]
    return subscription_id


async def draft(
    http: httpx.AsyncClient, subscription: str, owner: str, **fields: Any
) -> httpx.Response:
    body = {
        "subscription_id": subscription,
        "agent_id": TRADING_AGENT,
        "customer_id": owner,
        "nickname": "Trader",
        "theme": "dark",
        "config": TRADING_CONFIG,
    } | fields
    return await http.put(f"{API}/hired-agents/draft", json=body)


async def hire(
    http: httpx.AsyncClient, customer_id: str, agent_id: str = TRADING_AGENT, **fields: Any
) -> dict[str, Any]:
    """Checkout and draft: a configured instance with no goals yet."""
    subscription_id = await subscribe(http, customer_id, agent_id)
    hired: dict[str, Any] = ok(
        await draft(http, subscription_id, customer_id, agent_id=agent_id, **fields)
    )
    return hired


async def add_goal(
    http: httpx.AsyncClient, hired: dict[str, Any], customer_id: str, **fields: Any
) -> httpx.Response:
    body = {
        "customer_id": customer_id,
        "goal_template_id": "trading.trade_intent_draft.v1",
        "frequency": "on_demand",
        "settings": TRADE_GOAL,
    } | fields
    return await http.put(f"{API}/hired-agents/{hired['hired_instance_id']}/goals", json=body)


async def finalize(
    http: httpx.AsyncClient, hired: dict[str, Any], customer_id: str, goals_completed: bool = True
) -> httpx.Response:
    return await http.post(
        f"{API}/hired-agents/{hired['hired_instance_id']}/finalize",
        json={"customer_id": customer_id, "goals_completed": goals_completed},
    )
