"""REST contract 4.4: the draft upsert, resume, finalize and trial-end, on both databases."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.flows import (
    API,
    MARKETING_AGENT,
    MARKETING_CONFIG,
    TRADING_AGENT,
    TRADING_CONFIG,
    add_goal,
    draft,
    finalize,
    hire,
    ok,
    subscribe,
)
from tests.support.harness import Stack, stack
from tests.support.json_text import json_text, member_text

FIELDS = [
    "hired_instance_id",
    "subscription_id",
    "agent_id",
    "agent_type_id",
    "customer_id",
    "nickname",
    "theme",
    "config",
    "configured",
    "goals_completed",
    "active",
    "subscription_status",
    "subscription_ended_at",
    "retention_expires_at",
    "trial_status",
    "trial_start_at",
    "trial_end_at",
    "created_at",
    "updated_at",
]


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    async with stack(database_url) as running:
        yield running


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def cancel_effective(plant: Stack, subscription_id: str, at: datetime) -> None:
    ok(await plant.http.post(f"{API}/payments/subscriptions/{subscription_id}/cancel"))
    body = {"now": at.isoformat()}
    assert (
        ok(await plant.http.post(f"{API}/payments/subscriptions/process-period-end", json=body))[
            "processed"
        ]
        == 1
    )


async def test_a_generic_draft_is_created_configured(plant: Stack) -> None:
    subscription_id = await subscribe(plant.http, "cust-h", "agent-123")
    hired = ok(
        await draft(
            plant.http,
            subscription_id,
            " cust-h ",
            agent_id="agent-123",
            theme=" Dark ",
            config={"k": [1, {"x": None}], "n": 2.5},
        )
    )
    assert list(hired) == FIELDS
    assert re.fullmatch(r"HAI-[0-9a-f-]{36}", hired["hired_instance_id"])
    assert hired | {"hired_instance_id": "", "created_at": "", "updated_at": ""} == {
        "hired_instance_id": "",
        "subscription_id": subscription_id,
        "agent_id": "agent-123",
        "agent_type_id": None,
        "customer_id": "cust-h",
        "nickname": "Trader",
        "theme": "dark",
        "config": {"k": [1, {"x": None}], "n": 2.5},
        "configured": True,
        "goals_completed": False,
        "active": True,
        "subscription_status": "active",
        "subscription_ended_at": None,
        "retention_expires_at": None,
        "trial_status": "not_started",
        "trial_start_at": None,
        "trial_end_at": None,
        "created_at": "",
        "updated_at": "",
    }
    assert hired["created_at"] == hired["updated_at"]


@pytest.mark.parametrize(
    ("agent_id", "complete", "agent_type_id"),
    [
        (TRADING_AGENT, TRADING_CONFIG, "trading.delta_futures.v1"),
        ("agt-mkt-x", MARKETING_CONFIG, "marketing.healthcare.v1"),
        (
            MARKETING_AGENT,
            {
                k: v
                for k, v in MARKETING_CONFIG.items()
                if k not in ("platforms_enabled", "platform_credentials")
            }
            | {"platforms": [{"platform": "instagram", "credential_ref": "CRED-test"}]},
            "marketing.healthcare.v1",
        ),
    ],
)
async def test_specialised_agents_need_a_complete_config(
    plant: Stack, agent_id: str, complete: dict[str, Any], agent_type_id: str
) -> None:
    subscription_id = await subscribe(plant.http, "cust-h", agent_id)
    empty = ok(await draft(plant.http, subscription_id, "cust-h", agent_id=agent_id, config={}))
    assert (empty["configured"], empty["agent_type_id"]) == (False, agent_type_id)
    full = ok(
        await draft(plant.http, subscription_id, "cust-h", agent_id=agent_id, config=complete)
    )
    assert full["configured"] is True
    assert full["hired_instance_id"] == empty["hired_instance_id"]


async def test_update_semantics(plant: Stack) -> None:
    subscription_id = await subscribe(plant.http, "cust-h")
    created = ok(await draft(plant.http, subscription_id, "cust-h", nickname=""))
    assert created["nickname"] is None
    answer = await draft(
        plant.http,
        subscription_id,
        "cust-h",
        nickname=None,
        theme="  ",
        config=None,
        agent_id="AGT-MKT-NEW",
    )
    kept = ok(answer)
    assert (kept["nickname"], kept["theme"]) == (None, "dark")
    assert member_text(answer.content, "config") == json_text(TRADING_CONFIG)
    assert kept["agent_id"] == "AGT-MKT-NEW"
    assert kept["agent_type_id"] == "marketing.healthcare.v1"
    assert kept["configured"] is False
    answer = await draft(
        plant.http, subscription_id, "cust-h", nickname="", config={"only": "this"}
    )
    replaced = ok(answer)
    assert replaced["nickname"] == ""
    assert member_text(answer.content, "config") == '{"only":"this"}'
    assert parse(replaced["updated_at"]) >= parse(created["updated_at"])
    assert replaced["created_at"] == created["created_at"]


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"theme": "neon", "customer_id": " "}, 400, "Unsupported theme."),
        ({"customer_id": "  "}, 400, "customer_id is required."),
        ({"subscription_id": "SUB-missing"}, 404, "Subscription not found."),
        ({"customer_id": "intruder"}, 403, "Subscription does not belong to customer"),
        (
            {"config": {"a": [{"nested": {"Client_Secret": "x"}}]}},
            400,
            "Raw secrets are not allowed in Plant config (found at config.a[0].nested."
            "Client_Secret). Use credential refs only.",
        ),
    ],
)
async def test_draft_refusals_in_order(
    plant: Stack, change: dict[str, Any], status: int, detail: str
) -> None:
    hired = await hire(plant.http, "cust-h")
    response = await draft(plant.http, hired["subscription_id"], "cust-h", **change)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    after = ok(
        await plant.http.get(
            f"{API}/hired-agents/by-subscription/{hired['subscription_id']}",
            params={"customer_id": "cust-h"},
        )
    )
    assert after == hired


async def test_a_raw_secret_is_refused_on_create_too(plant: Stack) -> None:
    subscription_id = await subscribe(plant.http, "cust-h")
    response = await draft(plant.http, subscription_id, "cust-h", config={"api_key": "X"})
    assert response.json() == {
        "detail": "Raw secrets are not allowed in Plant config (found at config.api_key). "
        "Use credential refs only."
    }
    missing = await plant.http.get(
        f"{API}/hired-agents/by-subscription/{subscription_id}", params={"customer_id": "cust-h"}
    )
    assert missing.status_code == 404


async def test_a_draft_on_another_customers_subscription_is_refused(plant: Stack) -> None:
    subscription_id = await subscribe(plant.http, "cust-a")
    refused = await draft(plant.http, subscription_id, "cust-b")
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "Subscription does not belong to customer"},
    )
    nothing = await plant.http.get(
        f"{API}/hired-agents/by-subscription/{subscription_id}", params={"customer_id": "cust-a"}
    )
    assert nothing.status_code == 404
    # Checked before the subscription's status (contract 4.4.1, 4a before 5).
    hired = ok(await draft(plant.http, subscription_id, "cust-a"))
    await cancel_effective(plant, subscription_id, datetime.now(UTC) + timedelta(days=60))
    late = await draft(plant.http, subscription_id, "cust-b")
    assert (late.status_code, late.json()["detail"]) == (
        403,
        "Subscription does not belong to customer",
    )
    assert hired["customer_id"] == "cust-a"


async def test_an_instance_keeps_its_customer_on_a_subscription_without_one(plant: Stack) -> None:
    body = {"coupon_code": "WAOOAW100", "agent_id": TRADING_AGENT, "duration": "monthly"}
    checkout = ok(await plant.http.post(f"{API}/payments/coupon/checkout", json=body))
    subscription_id = checkout["subscription_id"]
    first = ok(await draft(plant.http, subscription_id, "cust-a"))
    refused = await draft(plant.http, subscription_id, "cust-b")
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "Hired agent instance does not belong to customer."},
    )
    kept = ok(
        await plant.http.get(
            f"{API}/hired-agents/by-subscription/{subscription_id}",
            params={"customer_id": "cust-a"},
        )
    )
    assert kept == first


async def test_drafts_need_an_active_subscription(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-h")
    await cancel_effective(plant, hired["subscription_id"], datetime.now(UTC) + timedelta(days=60))
    response = await draft(plant.http, hired["subscription_id"], "cust-h")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Subscription is not active; hired agent is read-only."},
    )
    refused = await finalize(plant.http, hired, "cust-h")
    assert refused.status_code == 409


async def test_resume_checks_in_the_contracts_order(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-h")
    path = f"{API}/hired-agents/by-subscription"
    unknown = await plant.http.get(f"{path}/SUB-nope")
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "Hired agent instance not found."},
    )
    no_customer = await plant.http.get(f"{path}/{hired['subscription_id']}")
    assert (no_customer.status_code, no_customer.json()) == (
        400,
        {"detail": "customer_id is required."},
    )
    other = await plant.http.get(f"{path}/{hired['subscription_id']}?customer_id=x")
    assert other.status_code == 404
    bad = await plant.http.get(f"{path}/{hired['subscription_id']}?customer_id=c&as_of=nope")
    assert bad.status_code == 422
    assert bad.json()["violations"][0].startswith(
        "query -> as_of: Input should be a valid datetime"
    )
    literal = await plant.http.get(f"{path}/goals?customer_id=x")
    assert literal.json() == {"detail": "Hired agent instance not found."}


async def test_retention_after_cancellation(database_url: str) -> None:
    async with stack(database_url, store={"end_retention_days": 1}) as plant:
        hired = await hire(plant.http, "cust-h")
        ended_at = datetime.now(UTC) + timedelta(days=60)
        await cancel_effective(plant, hired["subscription_id"], ended_at)
        path = f"{API}/hired-agents/by-subscription/{hired['subscription_id']}"

        def at(delta: timedelta) -> dict[str, str]:
            return {"customer_id": "cust-h", "as_of": (ended_at + delta).isoformat()}

        within = ok(await plant.http.get(path, params=at(timedelta(hours=12))))
        assert within["active"] is False
        assert within["subscription_status"] == "canceled"
        assert parse(within["subscription_ended_at"]) == ended_at
        assert parse(within["retention_expires_at"]) == ended_at + timedelta(days=1)
        boundary = await plant.http.get(path, params=at(timedelta(days=1)))
        assert boundary.status_code == 200
        gone = await plant.http.get(path, params=at(timedelta(days=2)))
        assert (gone.status_code, gone.json()) == (
            410,
            {"detail": "Hired agent data is no longer available."},
        )
        naive = (ended_at + timedelta(days=2)).replace(tzinfo=None).isoformat()
        naive_gone = await plant.http.get(path, params={"customer_id": "cust-h", "as_of": naive})
        assert naive_gone.status_code == 410
        events = await plant.events(event_type="hired_agent_deactivated")
        assert [(e["subscription_id"], e["hired_instance_id"]) for e in events] == [
            (hired["subscription_id"], hired["hired_instance_id"])
        ]


async def test_zero_retention_is_gone_at_once(database_url: str) -> None:
    async with stack(database_url, store={"end_retention_days": 0}) as plant:
        hired = await hire(plant.http, "cust-h")
        ended_at = datetime.now(UTC) + timedelta(days=60)
        await cancel_effective(plant, hired["subscription_id"], ended_at)
        response = await plant.http.get(
            f"{API}/hired-agents/by-subscription/{hired['subscription_id']}",
            params={"customer_id": "cust-h", "as_of": ended_at.isoformat()},
        )
    assert response.status_code == 410


async def test_finalize_starts_the_trial_once_goals_are_completed(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-h")
    ok(await add_goal(plant.http, hired, "cust-h"))
    pending = ok(await finalize(plant.http, hired, "cust-h", goals_completed=False))
    assert (pending["trial_status"], pending["trial_start_at"], pending["configured"]) == (
        "not_started",
        None,
        True,
    )
    started = ok(await finalize(plant.http, hired, "cust-h"))
    assert (started["trial_status"], started["subscription_status"]) == ("active", "active")
    assert parse(started["trial_end_at"]) - parse(started["trial_start_at"]) == timedelta(days=7)
    again = ok(await finalize(plant.http, hired, "cust-h"))
    assert again["trial_start_at"] == started["trial_start_at"]
    events = await plant.events(event_type="trial_activated")
    assert len(events) == 1
    assert events[0]["hired_instance_id"] == hired["hired_instance_id"]
    assert parse(events[0]["metadata"]["trial_end_at"]) == parse(started["trial_end_at"])


async def test_finalize_does_not_start_a_trial_when_not_configured(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-h", config={})
    response = ok(await finalize(plant.http, hired, "cust-h"))
    assert (response["trial_status"], response["configured"]) == ("not_started", False)


async def test_finalize_refusals(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-h")
    missing = await plant.http.post(
        f"{API}/hired-agents/HAI-nope/finalize", json={"customer_id": "cust-h"}
    )
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "Hired agent instance not found."},
    )
    blank = await finalize(plant.http, hired, " ")
    assert (blank.status_code, blank.json()) == (400, {"detail": "customer_id is required."})
    other = await finalize(plant.http, hired, "intruder")
    assert other.status_code == 404
    invalid = await plant.http.post(
        f"{API}/hired-agents/{hired['hired_instance_id']}/finalize", json={"customer_id": ""}
    )
    assert invalid.status_code == 422


async def test_trial_end_converts_and_restarts_are_allowed(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-h")
    started = ok(await finalize(plant.http, hired, "cust-h"))
    end = parse(started["trial_end_at"])
    path = f"{API}/hired-agents/process-trial-end"
    early = ok(await plant.http.post(path, json={"now": (end - timedelta(seconds=1)).isoformat()}))
    assert early["processed"] == 0
    first = ok(await plant.http.post(path, json={"now": (end + timedelta(days=3)).isoformat()}))
    assert first["processed"] == 1
    later = ok(await plant.http.post(path, json={"now": (end + timedelta(days=4)).isoformat()}))
    assert later["processed"] == 0
    resumed = ok(
        await plant.http.get(
            f"{API}/hired-agents/by-subscription/{hired['subscription_id']}",
            params={"customer_id": "cust-h"},
        )
    )
    assert resumed["trial_status"] == "ended_converted"
    ended = await plant.events(event_type="trial_ended")
    assert [e["metadata"]["next_status"] for e in ended] == ["ended_converted"]
    restarted = ok(await finalize(plant.http, hired, "cust-h"))
    assert restarted["trial_status"] == "active"
    assert len(await plant.events(event_type="trial_activated")) == 2


async def test_a_trial_of_a_canceled_subscription_ends_not_converted(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-h")
    started = ok(await finalize(plant.http, hired, "cust-h"))
    await cancel_effective(plant, hired["subscription_id"], datetime.now(UTC) + timedelta(days=60))
    now = parse(started["trial_end_at"]) + timedelta(days=90)
    path = f"{API}/hired-agents/process-trial-end"
    assert ok(await plant.http.post(path, json={"now": now.isoformat()}))["processed"] == 1
    trial = ok(
        await plant.http.get(
            f"{API}/trial-status/by-subscription/{hired['subscription_id']}",
            params={"customer_id": "cust-h"},
        )
    )
    assert trial["trial_status"] == "ended_not_converted"
