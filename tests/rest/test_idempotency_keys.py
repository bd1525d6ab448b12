"""Idempotency-Key on every REST write (docs/idempotency.md), end to end on both databases.

Each case builds what one write endpoint needs for a customer and returns the write and a
different request to the same endpoint. The database (every table but the key records) and the
Razorpay stand-in's order count are compared before and after, so "no second effect" covers
rows, outbox events, numbers and overwritten timestamps alike.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from plant.store.v1 import maintenance_pb2_grpc
from plant.store.v1.maintenance_pb2 import PurgeIdempotencyRecordsRequest
from sqlalchemy import select

from plant_store_client.wire.values import timestamp
from store_service.db.engine import create_engine
from store_service.db.models import Base, IdempotencyRecord
from tests.flows import API, add_goal, finalize, hire, ok, subscribe
from tests.harness import Stack, adapter_client, adapter_settings, stack
from tests.razorpay_stand_in import RazorpayStandIn, razorpay_stand_in
from tests.rest.test_razorpay import (
    KEY_ID,
    KEY_SECRET,
    WEBHOOK_SECRET,
    checkout_signature,
    sign,
    webhook_body,
)

REUSED = {"detail": "Idempotency-Key reuse with different payload."}
LATER = datetime.now(UTC) + timedelta(days=400)


@dataclass
class Plant:
    """One store with two adapters: payments mode `coupon` and mode `razorpay`."""

    stack: Stack
    razorpay_http: httpx.AsyncClient
    razorpay_api: RazorpayStandIn
    database_url: str

    @property
    def http(self) -> httpx.AsyncClient:
        return self.stack.http

    async def snapshot(self) -> tuple[int, dict[str, list[str]]]:
        """Every row of every table but the key records, and the Razorpay orders created."""
        engine = create_engine(self.database_url)
        tables: dict[str, list[str]] = {}
        try:
            async with engine.connect() as connection:
                for table in Base.metadata.sorted_tables:
                    if table.name != IdempotencyRecord.__tablename__:
                        rows = await connection.execute(select(table))
                        tables[table.name] = sorted(repr(tuple(row)) for row in rows)
        finally:
            await engine.dispose()
        return self.razorpay_api.created, tables


@pytest.fixture
async def plant(database_url: str) -> AsyncIterator[Plant]:
    secrets = {"razorpay_key_secret": KEY_SECRET, "razorpay_webhook_secret": WEBHOOK_SECRET}
    with razorpay_stand_in() as api:
        async with stack(database_url, store=secrets, adapter={"use_agent_type_db": True}) as s:
            razorpay_mode = adapter_settings(
                s.store,
                payments_mode="razorpay",
                razorpay_key_id=KEY_ID,
                razorpay_key_secret=KEY_SECRET,
                razorpay_api_base=api.base_url,
            )
            async with adapter_client(razorpay_mode) as razorpay_http:
                yield Plant(s, razorpay_http, api, database_url)


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    json: Any = None
    params: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    razorpay: bool = False

    async def send(self, plant: Plant, key: str | None = None, **headers: str) -> httpx.Response:
        http = plant.razorpay_http if self.razorpay else plant.http
        keyed = {"Idempotency-Key": key} if key is not None else {}
        return await http.request(
            self.method,
            self.path,
            json=self.json,
            params=self.params,
            content=self.content,
            headers=self.headers | keyed | headers,
        )


Writes = tuple[Write, Write]
Case = Callable[[Plant, str], Awaitable[Writes]]


async def put_agent_type(plant: Plant, customer: str) -> Writes:
    path = f"{API}/agent-types/trading.delta_futures.v1"
    current = ok(await plant.http.get(path))
    return Write("PUT", path, current | {"version": "1.0.1"}), Write(
        "PUT", path, current | {"version": "1.0.2"}
    )


async def create_agent_type_version(plant: Plant, customer: str) -> Writes:
    current = ok(await plant.http.get(f"{API}/agent-types-db/marketing.healthcare.v1"))
    path = f"{API}/agent-types-db/"
    return Write("POST", path, current | {"version": "2.0.0"}), Write(
        "POST", path, current | {"version": "2.0.1"}
    )


async def update_agent_type_version(plant: Plant, customer: str) -> Writes:
    path = f"{API}/agent-types-db/marketing.healthcare.v1"
    current = ok(await plant.http.get(path))
    return Write("PUT", path, current | {"goal_templates": []}), Write(
        "PUT", path, current | {"config_schema": {"fields": []}}
    )


def checkout_body(customer: str, duration: str = "monthly") -> dict[str, Any]:
    return {
        "coupon_code": "WAOOAW100",
        "agent_id": "AGT-TRD-DELTA-001",
        "duration": duration,
        "customer_id": customer,
    }


async def coupon_checkout(plant: Plant, customer: str) -> Writes:
    path = f"{API}/payments/coupon/checkout"
    return Write("POST", path, checkout_body(customer)), Write(
        "POST", path, checkout_body(customer, "quarterly")
    )


def razorpay_order_write(customer: str, duration: str = "monthly") -> Write:
    body = {"agent_id": "AGT-MKT-1", "duration": duration, "customer_id": customer}
    return Write("POST", f"{API}/payments/razorpay/order", body, razorpay=True)


async def razorpay_order(plant: Plant, customer: str) -> Writes:
    return razorpay_order_write(customer), razorpay_order_write(customer, "yearly")


async def razorpay_confirm(plant: Plant, customer: str) -> Writes:
    order = ok(await razorpay_order_write(customer).send(plant))

    def confirm(payment_id: str) -> Write:
        body = {
            "order_id": order["order_id"],
            "razorpay_order_id": order["razorpay_order_id"],
            "razorpay_payment_id": payment_id,
            "razorpay_signature": checkout_signature(order["razorpay_order_id"], payment_id),
            "customer_id": customer,
        }
        return Write("POST", f"{API}/payments/razorpay/confirm", body, razorpay=True)

    # A payment id confirms one order only: each customer's payments are their own.
    return confirm(f"pay_{customer}_1"), confirm(f"pay_{customer}_2")


async def razorpay_webhook(plant: Plant, customer: str) -> Writes:
    order = ok(await razorpay_order_write(customer).send(plant))

    def delivery(event: str) -> Write:
        body = webhook_body(order["razorpay_order_id"], event)
        headers = {"X-Razorpay-Signature": sign(WEBHOOK_SECRET, body)}
        path = f"{API}/payments/razorpay/webhook"
        return Write("POST", path, content=body, headers=headers, razorpay=True)

    return delivery("payment.captured"), delivery("order.paid")


async def process_period_end(plant: Plant, customer: str) -> Writes:
    subscription_id = await subscribe(plant.http, customer)
    cancel = f"{API}/payments/subscriptions/{subscription_id}/cancel"
    ok(await plant.http.post(cancel, params={"customer_id": customer}))
    path = f"{API}/payments/subscriptions/process-period-end"
    return pair(at_time(path), LATER, LATER + timedelta(days=1))


def pair(write: Callable[[Any], Write], first: Any, second: Any) -> Writes:
    return write(first), write(second)


async def cancel_subscription(plant: Plant, customer: str) -> Writes:
    def cancel(subscription_id: str) -> Write:
        path = f"{API}/payments/subscriptions/{subscription_id}/cancel"
        return Write("POST", path, params={"customer_id": customer})

    return pair(
        cancel, await subscribe(plant.http, customer), await subscribe(plant.http, customer)
    )


async def upsert_draft(plant: Plant, customer: str) -> Writes:
    subscription_id = await subscribe(plant.http, customer)

    def draft(nickname: str) -> Write:
        body = {
            "subscription_id": subscription_id,
            "agent_id": "AGT-TRD-DELTA-001",
            "customer_id": customer,
            "nickname": nickname,
            "theme": "dark",
        }
        return Write("PUT", f"{API}/hired-agents/draft", body)

    return draft("Trader"), draft("Other")


async def finalize_hire(plant: Plant, customer: str) -> Writes:
    hired = await hire(plant.http, customer)
    ok(await add_goal(plant.http, hired, customer))
    path = f"{API}/hired-agents/{hired['hired_instance_id']}/finalize"
    return pair(
        lambda completed: Write(
            "POST", path, {"customer_id": customer, "goals_completed": completed}
        ),
        True,
        False,
    )


async def process_trial_end(plant: Plant, customer: str) -> Writes:
    hired = await hire(plant.http, customer)
    ok(await add_goal(plant.http, hired, customer))
    ok(await finalize(plant.http, hired, customer))
    path = f"{API}/hired-agents/process-trial-end"
    return pair(at_time(path), LATER, LATER + timedelta(days=1))


async def upsert_goal(plant: Plant, customer: str) -> Writes:
    hired = await hire(plant.http, customer)
    path = f"{API}/hired-agents/{hired['hired_instance_id']}/goals"

    def goal(units: int) -> Write:
        settings = {"coin": "BTC", "side": "buy", "units": units}
        body = {
            "customer_id": customer,
            "goal_template_id": "trading.trade_intent_draft.v1",
            "frequency": "on_demand",
            "settings": settings,
        }
        return Write("PUT", path, body)

    return goal(1), goal(2)


async def delete_goal(plant: Plant, customer: str) -> Writes:
    hired = await hire(plant.http, customer)
    for goal_id in ("trade-1", "trade-2"):
        ok(await add_goal(plant.http, hired, customer, goal_instance_id=goal_id))
    path = f"{API}/hired-agents/{hired['hired_instance_id']}/goals"
    return pair(
        lambda goal_id: Write(
            "DELETE", path, params={"customer_id": customer, "goal_instance_id": goal_id}
        ),
        "trade-1",
        "trade-2",
    )


async def draft_deliverable(plant: Plant, customer: str) -> str:
    hired = await hire(plant.http, customer)
    ok(await add_goal(plant.http, hired, customer, goal_instance_id="trade-1"))
    path = f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables"
    [deliverable] = ok(await plant.http.get(path, params={"customer_id": customer}))["deliverables"]
    deliverable_id: str = deliverable["deliverable_id"]
    return deliverable_id


async def review_deliverable(plant: Plant, customer: str) -> Writes:
    deliverable_id = await draft_deliverable(plant, customer)
    path = f"{API}/deliverables/{deliverable_id}/review"
    return pair(
        lambda decision: Write("POST", path, {"customer_id": customer, "decision": decision}),
        "approved",
        "rejected",
    )


async def execute_deliverable(plant: Plant, customer: str) -> Writes:
    deliverable_id = await draft_deliverable(plant, customer)
    review = {"customer_id": customer, "decision": "approved"}
    approval = ok(await plant.http.post(f"{API}/deliverables/{deliverable_id}/review", json=review))
    path = f"{API}/deliverables/{deliverable_id}/execute"
    return pair(
        lambda approval_id: Write(
            "POST", path, {"customer_id": customer, "approval_id": approval_id}
        ),
        approval["approval_id"],
        "APR-other",
    )


async def run_due_drafts(plant: Plant, customer: str) -> Writes:
    hired = await hire(plant.http, customer)
    ok(await add_goal(plant.http, hired, customer, frequency="daily"))
    ok(await finalize(plant.http, hired, customer))
    return pair(at_time(f"{API}/scheduler/goals/run-due"), LATER, LATER + timedelta(days=1))


def at_time(path: str) -> Callable[[datetime], Write]:
    """A processing endpoint's write for a given `now`."""
    return lambda now: Write("POST", path, {"now": now.isoformat()})


# Writes whose request names a customer: their keys are the customer's own.
CUSTOMER_WRITES: dict[str, Case] = {
    "coupon_checkout": coupon_checkout,
    "razorpay_order": razorpay_order,
    "razorpay_confirm": razorpay_confirm,
    "cancel_subscription": cancel_subscription,
    "upsert_draft": upsert_draft,
    "finalize_hire": finalize_hire,
    "upsert_goal": upsert_goal,
    "delete_goal": delete_goal,
    "review_deliverable": review_deliverable,
    "execute_deliverable": execute_deliverable,
}
WRITES: dict[str, Case] = CUSTOMER_WRITES | {
    "put_agent_type": put_agent_type,
    "create_agent_type_version": create_agent_type_version,
    "update_agent_type_version": update_agent_type_version,
    "razorpay_webhook": razorpay_webhook,
    "process_period_end": process_period_end,
    "process_trial_end": process_trial_end,
    "run_due_drafts": run_due_drafts,
}
# Writes that the contract lets a plain repeat do again (a new order, a second event, a new
# timestamp): without a key they must keep doing so.
REPEATABLE_WRITES = [
    "coupon_checkout",
    "razorpay_order",
    "cancel_subscription",
    "upsert_draft",
    "finalize_hire",
    "upsert_goal",
    "review_deliverable",
    "execute_deliverable",
]


def answer(response: httpx.Response) -> tuple[int, bytes]:
    return response.status_code, response.content


@pytest.mark.parametrize("case", WRITES)
async def test_a_key_replays_its_first_answer_and_refuses_another_request(
    plant: Plant, case: str
) -> None:
    write, other = await WRITES[case](plant, "cust-a")
    before = await plant.snapshot()
    first = await write.send(plant, key="key-1")
    assert first.status_code in (200, 201), first.text
    done = await plant.snapshot()
    assert done != before

    assert answer(await write.send(plant, key="key-1")) == answer(first)
    # Surrounding whitespace is not part of the key.
    assert answer(await write.send(plant, key="  key-1 ")) == answer(first)
    refused = await other.send(plant, key="key-1")
    assert (refused.status_code, refused.json()) == (409, REUSED)
    assert await plant.snapshot() == done


@pytest.mark.parametrize("case", CUSTOMER_WRITES)
async def test_another_customers_same_key_is_their_own(plant: Plant, case: str) -> None:
    mine, _ = await CUSTOMER_WRITES[case](plant, "cust-a")
    theirs, _ = await CUSTOMER_WRITES[case](plant, "cust-b")
    first = await mine.send(plant, key="shared")
    assert first.status_code == 200, first.text
    before = await plant.snapshot()
    second = await theirs.send(plant, key="shared")
    assert second.status_code == 200, second.text
    done = await plant.snapshot()
    assert done != before
    # Each customer's key still answers its own first request.
    assert answer(await mine.send(plant, key="shared")) == answer(first)
    assert answer(await theirs.send(plant, key="shared")) == answer(second)
    assert await plant.snapshot() == done


@pytest.mark.parametrize("case", REPEATABLE_WRITES)
async def test_without_a_key_a_repeat_does_the_work_again(plant: Plant, case: str) -> None:
    write, _ = await WRITES[case](plant, "cust-a")
    ok(await write.send(plant))
    before = await plant.snapshot()
    ok(await write.send(plant))
    assert await plant.snapshot() != before


async def test_executing_again_without_a_key_overwrites_executed_at(plant: Plant) -> None:
    write, _ = await execute_deliverable(plant, "cust-a")
    first = ok(await write.send(plant))
    again = ok(await write.send(plant))
    assert again["executed_at"] > first["executed_at"]


async def test_a_retry_with_another_correlation_id_is_the_same_request(plant: Plant) -> None:
    write, _ = await execute_deliverable(plant, "cust-a")
    first = await write.send(plant, key="k", **{"X-Correlation-ID": "first"})
    done = await plant.snapshot()
    again = await write.send(plant, key="k", **{"X-Correlation-ID": "retry"})
    assert answer(again) == answer(first)
    assert await plant.snapshot() == done


async def test_a_retried_razorpay_order_creates_no_second_razorpay_order(plant: Plant) -> None:
    write, _ = await razorpay_order(plant, "cust-a")
    first = await write.send(plant, key="k")
    again = await write.send(plant, key="k")
    assert answer(again) == answer(first)
    assert plant.razorpay_api.created == 1


Snapshot = tuple[int, dict[str, list[str]]]
DAY_COUNTERS = frozenset({"number_sequences", "number_day_starts"})


def row_growth(before: Snapshot, after: Snapshot) -> dict[str, int]:
    """New rows per table; a day's number counter (SQLite) or start (PostgreSQL) is one row
    however many numbers it gave (the receipts and invoices count those)."""
    return {
        name: len(rows) - len(before[1][name])
        for name, rows in after[1].items()
        if name not in DAY_COUNTERS
    }


async def growth_of(plant: Plant, work: Awaitable[Any]) -> dict[str, int]:
    before = await plant.snapshot()
    await work
    return row_growth(before, await plant.snapshot())


@pytest.mark.parametrize("case", ["coupon_checkout", "finalize_hire", "execute_deliverable"])
async def test_concurrent_repeats_do_the_work_once(plant: Plant, case: str) -> None:
    single, _ = await WRITES[case](plant, "cust-a")
    one_request = await growth_of(plant, single.send(plant))

    write, _ = await WRITES[case](plant, "cust-b")
    answers: list[httpx.Response] = []

    async def repeats() -> None:
        answers.extend(await asyncio.gather(*(write.send(plant, key="same") for _ in range(4))))

    assert await growth_of(plant, repeats()) == one_request
    assert answers[0].status_code == 200
    assert {answer(response) for response in answers} == {answer(answers[0])}


async def test_an_overlong_key_is_a_validation_error(plant: Plant) -> None:
    write, _ = await coupon_checkout(plant, "cust-a")
    response = await write.send(plant, key="k" * 256)
    assert response.status_code == 422
    assert response.json()["violations"] == [
        "header -> Idempotency-Key: String should have at most 255 characters"
    ]
    assert (await write.send(plant, key="k" * 255)).status_code == 200


async def test_a_blank_key_is_no_key(plant: Plant) -> None:
    write, _ = await coupon_checkout(plant, "cust-a")
    first = ok(await write.send(plant, key=" "))
    assert ok(await write.send(plant, key="")) != first


async def test_a_refusal_that_left_a_trace_is_replayed_not_repeated(plant: Plant) -> None:
    approved, _ = await execute_deliverable(plant, "cust-a")
    denied = dataclasses.replace(approved, json={"customer_id": "cust-a"})
    first = await denied.send(plant, key="k", **{"X-Correlation-ID": "cid-1"})
    assert (first.status_code, first.json()["reason"]) == (403, "approval_required")
    done = await plant.snapshot()
    assert answer(await denied.send(plant, key="k", **{"X-Correlation-ID": "cid-1"})) == answer(
        first
    )
    assert await plant.snapshot() == done  # one enforcement denial on record
    refused = await approved.send(plant, key="k")
    assert (refused.status_code, refused.json()) == (409, REUSED)


async def test_a_replayed_bad_signature_emits_no_second_failure_event(plant: Plant) -> None:
    confirm, _ = await razorpay_confirm(plant, "cust-a")
    forged = dataclasses.replace(confirm, json=confirm.json | {"razorpay_signature": "bad"})
    first = await forged.send(plant, key="k")
    assert (first.status_code, first.json()) == (400, {"detail": "Invalid Razorpay signature"})
    done = await plant.snapshot()
    assert answer(await forged.send(plant, key="k")) == answer(first)
    assert await plant.snapshot() == done  # one payment_failed event


async def test_every_write_operation_documents_the_header(plant: Plant) -> None:
    paths = ok(await plant.http.get("/openapi.json"))["paths"]
    writes = [
        (method, path, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in ("post", "put", "delete")
    ]
    assert len(writes) == 17
    for method, path, operation in writes:
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in [p["name"] for p in headers], (method, path)


async def test_a_key_is_kept_for_the_retention_and_then_forgotten(database_url: str) -> None:
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    async with stack(database_url, clock=lambda: start) as plant:
        maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(plant.channel)
        subscription_id = await subscribe(plant.http, "cust-a")
        path = f"{API}/payments/subscriptions/{subscription_id}/cancel"

        async def cancel() -> tuple[int, bytes]:
            headers = {"Idempotency-Key": "k"}
            return answer(
                await plant.http.post(path, params={"customer_id": "cust-a"}, headers=headers)
            )

        async def purge(hours_later: int) -> None:
            later = timestamp(start + timedelta(hours=hours_later))
            await maintenance.PurgeIdempotencyRecords(PurgeIdempotencyRecordsRequest(now=later))

        first = await cancel()
        await purge(47)  # within the default IDEMPOTENCY_RETENTION_HOURS (48)
        assert await cancel() == first
        assert len(await plant.events(event_type="cancel_scheduled")) == 1
        await purge(49)
        assert await cancel() == first  # the same subscription answers the same again ...
        assert len(await plant.events(event_type="cancel_scheduled")) == 2  # ... as new work
