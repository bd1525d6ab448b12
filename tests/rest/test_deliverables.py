"""REST contract 4.6 and 5.11-5.14: drafts, reviews, gated execution and the scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.flows import (
    API,
    MARKETING_AGENT,
    MARKETING_CONFIG,
    TRADE_INTENT_PAYLOAD,
    add_goal,
    finalize,
    hire,
    ok,
)
from tests.support.harness import Stack, stack
from tests.support.json_text import json_text, member_text

DAY_ONE = datetime(2026, 2, 10, 1, 0, tzinfo=UTC)


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Stack]:
    async with stack(database_url) as running:
        yield running


async def listed(plant: Stack, hired: dict[str, Any], as_of: datetime | None = None) -> Any:
    params = {"customer_id": "cust-d"} | ({"as_of": as_of.isoformat()} if as_of else {})
    return ok(
        await plant.http.get(
            f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables", params=params
        )
    )


async def trading_draft(plant: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    hired = await hire(plant.http, "cust-d")
    ok(await add_goal(plant.http, hired, "cust-d", goal_instance_id="trade-1"))
    [deliverable] = (await listed(plant, hired))["deliverables"]
    return hired, deliverable


async def review(plant: Stack, deliverable_id: str, **body: Any) -> Any:
    return await plant.http.post(
        f"{API}/deliverables/{deliverable_id}/review",
        json={"customer_id": "cust-d", "decision": "approved"} | body,
    )


async def execute(plant: Stack, deliverable_id: str, headers: Any = None, **body: Any) -> Any:
    return await plant.http.post(
        f"{API}/deliverables/{deliverable_id}/execute",
        json={"customer_id": "cust-d"} | body,
        headers=headers or {},
    )


async def test_an_on_demand_goal_gets_exactly_one_draft(plant: Stack) -> None:
    hired, deliverable = await trading_draft(plant)
    assert deliverable["deliverable_id"].startswith("DEL-")
    assert deliverable | {"deliverable_id": "", "created_at": "", "updated_at": ""} == {
        "deliverable_id": "",
        "hired_instance_id": hired["hired_instance_id"],
        "goal_instance_id": "trade-1",
        "goal_template_id": "trading.trade_intent_draft.v1",
        "title": "Trade intent draft: BTC buy 1",
        "payload": TRADE_INTENT_PAYLOAD,
        "review_status": "pending_review",
        "review_notes": None,
        "approval_id": None,
        "execution_status": "not_executed",
        "executed_at": None,
        "created_at": "",
        "updated_at": "",
    }
    again = await plant.http.get(
        f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables",
        params={"customer_id": "cust-d"},
    )
    assert again.json()["deliverables"] == [deliverable]
    assert member_text(again.content, "deliverables", 0, "payload") == json_text(
        TRADE_INTENT_PAYLOAD
    )


async def test_daily_goals_get_one_draft_per_local_day(plant: Stack) -> None:
    config = MARKETING_CONFIG | {"timezone": "Asia/Kolkata"}
    hired = await hire(plant.http, "cust-d", agent_id=MARKETING_AGENT, config=config)
    ok(
        await add_goal(
            plant.http,
            hired,
            "cust-d",
            goal_template_id="marketing.daily_micro_post.v1",
            frequency="daily",
            settings={"topic": "Heart health"},
        )
    )
    evening = datetime(2026, 2, 9, 18, 0, tzinfo=UTC)  # 23:30 in Kolkata
    first = (await listed(plant, hired, evening))["deliverables"]
    assert [d["created_at"] for d in first] == ["2026-02-09T18:00:00Z"]
    same_day = (await listed(plant, hired, evening + timedelta(minutes=20)))["deliverables"]
    assert len(same_day) == 1
    after_midnight = evening + timedelta(hours=1)  # 00:30 the next day in Kolkata
    second = (await listed(plant, hired, after_midnight))["deliverables"]
    assert len(second) == 2
    assert second[0] == first[0]
    payload = second[1]["payload"]
    assert [v["platform"] for v in payload["variants"]] == ["instagram"]
    assert payload["variants"][0]["text"] == (
        "Cake Shop: Heart health. Offer: Cupcakes. Location: Pune.\n\n"
        "Tell us what you want next and we\u2019ll tailor it.\n\n#CakeShop #SmallBusiness #WAOOAW"
    )


@pytest.mark.parametrize(
    ("frequency", "template", "moments", "count"),
    [
        # Sunday 23:00 and Monday 00:30 in Kolkata are different ISO weeks.
        (
            "weekly",
            "marketing.weekly_multichannel_batch.v1",
            ["2026-02-15T17:30:00Z", "2026-02-15T19:00:00Z"],
            2,
        ),
        (
            "weekly",
            "marketing.weekly_multichannel_batch.v1",
            ["2026-02-10T00:00:00Z", "2026-02-14T12:00:00Z"],
            1,
        ),
        (
            "monthly",
            "marketing.monthly_campaign_pack.v1",
            ["2026-02-28T18:00:00Z", "2026-02-28T18:31:00Z"],
            2,
        ),
        (
            "monthly",
            "marketing.monthly_campaign_pack.v1",
            ["2026-02-01T00:00:00Z", "2026-02-27T00:00:00Z"],
            1,
        ),
        (
            "on_demand",
            "marketing.monthly_campaign_pack.v1",
            ["2026-02-01T00:00:00Z", "2027-02-27T00:00:00Z"],
            1,
        ),
    ],
)
async def test_period_keys_follow_the_instance_time_zone(
    plant: Stack, frequency: str, template: str, moments: list[str], count: int
) -> None:
    config = MARKETING_CONFIG | {"timezone": " Asia/Kolkata "}
    hired = await hire(plant.http, "cust-d", agent_id=MARKETING_AGENT, config=config)
    ok(
        await add_goal(
            plant.http, hired, "cust-d", goal_template_id=template, frequency=frequency, settings={}
        )
    )
    for moment in moments:
        result = await listed(plant, hired, datetime.fromisoformat(moment.replace("Z", "+00:00")))
    assert len(result["deliverables"]) == count


async def test_every_goal_of_the_instance_gets_its_own_draft(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-d")
    assert (await listed(plant, hired))["deliverables"] == []
    for goal_instance_id in ("trade-3", "trade-1", "trade-2"):
        ok(await add_goal(plant.http, hired, "cust-d", goal_instance_id=goal_instance_id))
    drafts = (await listed(plant, hired))["deliverables"]
    assert sorted(d["goal_instance_id"] for d in drafts) == ["trade-1", "trade-2", "trade-3"]
    assert (await listed(plant, hired))["deliverables"] == drafts
    other = await hire(plant.http, "cust-d")
    assert (await listed(plant, other))["deliverables"] == []


async def test_drafts_survive_goal_deletion(plant: Stack) -> None:
    hired, deliverable = await trading_draft(plant)
    deleted = ok(
        await plant.http.delete(
            f"{API}/hired-agents/{hired['hired_instance_id']}/goals",
            params={"customer_id": "cust-d", "goal_instance_id": "trade-1"},
        )
    )
    assert deleted["deleted"] is True
    assert (await listed(plant, hired))["deliverables"] == [deliverable]


async def test_review_rules(plant: Stack) -> None:
    _, deliverable = await trading_draft(plant)
    did = deliverable["deliverable_id"]
    approved = ok(await review(plant, f" {did} ", notes="  looks good "))
    assert list(approved) == ["deliverable_id", "review_status", "approval_id", "updated_at"]
    assert approved["review_status"] == "approved"
    assert approved["approval_id"].startswith("APR-")
    kept = ok(await review(plant, did))
    assert kept["approval_id"] == approved["approval_id"]
    rejected = ok(await review(plant, did, decision="rejected"))
    assert (rejected["review_status"], rejected["approval_id"]) == ("rejected", None)
    fresh = ok(await review(plant, did))
    assert fresh["approval_id"] not in (None, approved["approval_id"])
    chosen = ok(await review(plant, did, approval_id="  APR-mine "))
    assert chosen["approval_id"] == "APR-mine"


async def test_review_refusals(plant: Stack) -> None:
    _, deliverable = await trading_draft(plant)
    did = deliverable["deliverable_id"]
    invalid = await review(plant, did, decision="Approved")
    assert invalid.status_code == 422
    assert invalid.json()["violations"] == [
        "body -> decision: Input should be 'approved' or 'rejected'"
    ]
    missing = await review(plant, "DEL-nope")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Deliverable not found."})
    other = await review(plant, did, customer_id="intruder")
    assert (other.status_code, other.json()) == (
        404,
        {"detail": "Hired agent instance not found."},
    )
    blank = await review(plant, did, customer_id=" ")
    assert (blank.status_code, blank.json()) == (400, {"detail": "customer_id is required."})


async def test_execution_is_gated_by_the_approval_id(plant: Stack) -> None:
    _, deliverable = await trading_draft(plant)
    did = deliverable["deliverable_id"]
    not_approved = await execute(plant, did, approval_id="APR-x")
    assert (not_approved.status_code, not_approved.json()) == (
        409,
        {"detail": "Deliverable is not approved."},
    )
    approval_id = ok(await review(plant, did))["approval_id"]
    missing = await execute(plant, did, headers={"X-Correlation-ID": "cid-missing-1"})
    assert missing.status_code == 403
    body = missing.json()
    assert body | {"details": {}} == {
        "type": "https://waooaw.com/errors/policy-enforcement-denied",
        "title": "Policy Enforcement Denied",
        "status": 403,
        "detail": "Policy denied deliverable execution",
        "instance": f"{API}/deliverables/{did}/execute",
        "correlation_id": "cid-missing-1",
        "reason": "approval_required",
        "details": {},
    }
    assert list(body["details"]) == ["action", "message", "deliverable_id", "decision_id"]
    assert body["details"]["action"] == "place_order"
    assert body["details"]["message"] == "External action requires customer approval_id"
    assert body["details"]["deliverable_id"] == did
    wrong = await execute(plant, did, approval_id="APR-wrong", headers={"X-Correlation-ID": "c2"})
    assert wrong.status_code == 403
    assert (wrong.json()["reason"], wrong.json()["correlation_id"]) == ("approval_invalid", "c2")
    assert wrong.json()["details"] == {
        "deliverable_id": did,
        "action": "place_order",
        "message": "Invalid approval_id for execution",
    }
    first = ok(await execute(plant, did, approval_id=f" {approval_id} "))
    assert list(first) == ["deliverable_id", "execution_status", "executed_at", "updated_at"]
    assert first["execution_status"] == "executed" and first["executed_at"]
    second = ok(await execute(plant, did, approval_id=approval_id))
    assert second["executed_at"] >= first["executed_at"]
    reviewed_after = ok(await review(plant, did, decision="rejected"))
    assert reviewed_after["review_status"] == "rejected"


async def test_guardrail_reports_need_approval_to_publish(plant: Stack) -> None:
    hired = await hire(plant.http, "cust-d")
    ok(
        await add_goal(
            plant.http,
            hired,
            "cust-d",
            goal_template_id="trading.guardrail_report.v1",
            frequency="daily",
            settings={},
        )
    )
    [report] = (await listed(plant, hired))["deliverables"]
    assert report["title"] == "Guardrail report"
    assert "intent_action" not in report["payload"]
    assert report["payload"]["snapshot"]["interval_seconds"] == 300
    ok(await review(plant, report["deliverable_id"]))
    denied = await execute(plant, report["deliverable_id"])
    assert denied.json()["details"]["action"] == "publish"


async def test_retention_applies_to_list_review_and_execute(database_url: str) -> None:
    async with stack(database_url, store={"end_retention_days": 0}) as plant:
        hired, deliverable = await trading_draft(plant)
        ok(await plant.http.post(f"{API}/payments/subscriptions/{hired['subscription_id']}/cancel"))
        ok(
            await plant.http.post(
                f"{API}/payments/subscriptions/process-period-end",
                json={"now": (datetime.now(UTC) + timedelta(days=40)).isoformat()},
            )
        )
        gone = {"detail": "Hired agent data is no longer available."}
        listing = await plant.http.get(
            f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables",
            params={"customer_id": "cust-d"},
        )
        assert (listing.status_code, listing.json()) == (410, gone)
        reviewed = await review(plant, deliverable["deliverable_id"])
        assert (reviewed.status_code, reviewed.json()) == (410, gone)
        executed = await execute(plant, deliverable["deliverable_id"], approval_id="x")
        assert executed.status_code == 410


async def test_the_scheduler_generates_for_finalized_instances_only(plant: Stack) -> None:
    marketing = await hire(plant.http, "cust-d", agent_id=MARKETING_AGENT, config=MARKETING_CONFIG)
    ok(
        await add_goal(
            plant.http,
            marketing,
            "cust-d",
            goal_template_id="marketing.daily_micro_post.v1",
            frequency="daily",
            settings={},
        )
    )
    idle = await hire(plant.http, "cust-d", agent_id=MARKETING_AGENT, config=MARKETING_CONFIG)
    ok(
        await add_goal(
            plant.http,
            idle,
            "cust-d",
            goal_template_id="marketing.daily_micro_post.v1",
            frequency="daily",
            settings={},
        )
    )
    ok(await finalize(plant.http, marketing, "cust-d"))
    run_due = f"{API}/scheduler/goals/run-due"
    first = ok(await plant.http.post(run_due, json={"now": DAY_ONE.isoformat()}))
    assert first["generated"] == 1
    assert len(first["deliverable_ids"]) == 1
    again = ok(await plant.http.post(run_due, json={"now": DAY_ONE.isoformat()}))
    assert again == {"generated": 0, "deliverable_ids": []}
    next_day = (DAY_ONE + timedelta(days=1)).isoformat()
    targeted = ok(
        await plant.http.post(
            run_due, json={"now": next_day, "hired_instance_id": f" {idle['hired_instance_id']} "}
        )
    )
    assert targeted["generated"] == 0
    unknown = ok(
        await plant.http.post(run_due, json={"now": next_day, "hired_instance_id": "HAI-x"})
    )
    assert unknown["generated"] == 0
    assert ok(await plant.http.post(run_due, json={"now": next_day}))["generated"] == 1
    both = (await listed(plant, marketing, DAY_ONE + timedelta(days=1)))["deliverables"]
    assert both[0]["deliverable_id"] == first["deliverable_ids"][0]
    assert len(both) == 2


async def test_run_due_groups_ids_per_instance_in_creation_order(plant: Stack) -> None:
    hires = []
    for _ in range(3):
        hired = await hire(plant.http, "cust-d")
        for name in ("g-a", "g-b"):
            ok(
                await add_goal(
                    plant.http,
                    hired,
                    "cust-d",
                    goal_instance_id=name,
                    goal_template_id="trading.guardrail_report.v1",
                    frequency="daily",
                    settings={},
                )
            )
        ok(await finalize(plant.http, hired, "cust-d"))
        hires.append(hired)
    result = ok(await plant.http.post(f"{API}/scheduler/goals/run-due", json={}))
    assert result["generated"] == 6
    expected: list[str] = []
    for hired in hires:
        ids = [d["deliverable_id"] for d in (await listed(plant, hired))["deliverables"]]
        expected += sorted(ids)
    assert result["deliverable_ids"] == expected
