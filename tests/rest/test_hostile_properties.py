"""Hostile values in every kind of REST input get a 4xx, never a 5xx, and a refusal writes nothing.

Texts (lone surrogates, NUL, 1 MB), numbers (NaN/Infinity literals, past a double, huge
integers), instants (years 1 and 9999 with offsets, epoch numbers) and path/query parameters,
against a store with a hired agent, a goal and a deliverable, on both databases.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.flows import (
    API,
    TRADE_GOAL,
    TRADING_AGENT,
    TRADING_CONFIG,
    add_goal,
    finalize,
    hire,
    ok,
)
from tests.support.harness import Stack, stack
from tests.support.hostile import (
    SLOT,
    check_property,
    database_contents,
    hostile_instants,
    hostile_number_literals,
    hostile_text_literals,
    json_with,
    on_loop,
    representable,
)

OWNER = "owner"
PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Seeded:
    stack: Stack
    database_url: str
    subscription_id: str
    hired_instance_id: str
    deliverable_id: str


@pytest.fixture
async def seeded(database_url: str) -> AsyncIterator[Seeded]:
    async with stack(database_url) as plant:
        hired = await hire(plant.http, OWNER)
        ok(await add_goal(plant.http, hired, OWNER))
        ok(await finalize(plant.http, hired, OWNER))
        listed = ok(
            await plant.http.get(
                f"{API}/hired-agents/{hired['hired_instance_id']}/deliverables",
                params={"customer_id": OWNER},
            )
        )
        yield Seeded(
            plant,
            database_url,
            hired["subscription_id"],
            hired["hired_instance_id"],
            listed["deliverables"][0]["deliverable_id"],
        )


def body_targets(seeded: Seeded) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, body with a SLOT) for the JSON fields a hostile value can go into: plain
    fields, then (DOCUMENT_TARGETS of them) places inside a document."""
    hired = seeded.hired_instance_id
    draft = {"subscription_id": seeded.subscription_id, "agent_id": TRADING_AGENT}
    draft |= {"customer_id": OWNER}
    goal = {"customer_id": OWNER, "goal_template_id": "trading.trade_intent_draft.v1"}
    goal |= {"frequency": "on_demand"}
    checkout = {"coupon_code": "WAOOAW100", "duration": "monthly", "customer_id": OWNER}
    return [
        ("POST", f"{API}/payments/coupon/checkout", checkout | {"agent_id": SLOT}),
        ("PUT", f"{API}/hired-agents/draft", draft | {"nickname": SLOT}),
        (
            "POST",
            f"{API}/deliverables/{seeded.deliverable_id}/review",
            {"customer_id": OWNER, "decision": "approved", "notes": SLOT},
        ),
        ("POST", f"{API}/hired-agents/{hired}/finalize", {"customer_id": SLOT}),
        ("PUT", f"{API}/hired-agents/draft", draft | {"config": TRADING_CONFIG | {"x": SLOT}}),
        ("PUT", f"{API}/hired-agents/draft", draft | {"config": {"n": [{"deep": SLOT}]}}),
        ("PUT", f"{API}/hired-agents/{hired}/goals", goal | {"settings": TRADE_GOAL | {"u": SLOT}}),
    ]


# The last body targets put the value inside a document, which keeps any character as data.
DOCUMENT_TARGETS = 3


async def refused_cleanly(seeded: Seeded, method: str, path: str, **request: Any) -> int:
    """Sends the request; asserts no 5xx, and that a refusal left every table as it was."""
    before = await database_contents(seeded.database_url)
    response = await seeded.stack.http.request(method, path, **request)
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert await database_contents(seeded.database_url) == before, path
    return response.status_code


async def body_property(
    seeded: Seeded,
    targets: list[tuple[str, str, dict[str, Any]]],
    literals: st.SearchStrategy[str],
    expected: Callable[[str], int | None],
) -> None:
    """Each literal in each target body: no 5xx, nothing written on refusal, the expected status."""
    loop = asyncio.get_running_loop()

    @PROPERTY
    @given(target=st.sampled_from(targets), literal=literals)
    def check(target: tuple[str, str, dict[str, Any]], literal: str) -> None:
        method, path, document = target
        content = json_with(document, literal)
        status = on_loop(loop, refused_cleanly(seeded, method, path, content=content, headers=JSON))
        wanted = expected(literal)
        assert wanted is None or status == wanted, (path, literal[:40], status)

    await check_property(check)


def _lone_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(character) <= 0xDFFF for character in text)


def text_refusal(literal: str) -> int | None:
    """Lone surrogates are not JSON a store can hold (422); NUL is a value no column keeps (400)."""
    text = json.loads(literal)
    if _lone_surrogate(text):
        return 422
    return 400 if "\x00" in text else None


def document_text_refusal(literal: str) -> int | None:
    """Inside a document (kept as JSON text) every character is data, NUL included; lone
    surrogates are still not JSON (422)."""
    return 422 if _lone_surrogate(json.loads(literal)) else None


async def test_hostile_texts_in_bodies(seeded: Seeded) -> None:
    targets = body_targets(seeded)
    plain, documents = targets[:-DOCUMENT_TARGETS], targets[-DOCUMENT_TARGETS:]
    await body_property(seeded, plain, hostile_text_literals, text_refusal)
    await body_property(seeded, documents, hostile_text_literals, document_text_refusal)


async def test_hostile_numbers_in_bodies(seeded: Seeded) -> None:
    finalize_path = f"{API}/hired-agents/{seeded.hired_instance_id}/finalize"
    targets = [
        *body_targets(seeded),
        ("POST", f"{API}/scheduler/goals/run-due", {"now": SLOT}),
        ("POST", finalize_path, {"goals_completed": SLOT}),
    ]
    await body_property(seeded, targets, hostile_number_literals, lambda _literal: 422)


async def test_hostile_instants_in_bodies_and_queries(seeded: Seeded) -> None:
    loop = asyncio.get_running_loop()
    hired = seeded.hired_instance_id
    queries = [
        f"{API}/hired-agents/by-subscription/{seeded.subscription_id}",
        f"{API}/hired-agents/{hired}/deliverables",
    ]
    bodies = [
        f"{API}/hired-agents/process-trial-end",
        f"{API}/payments/subscriptions/process-period-end",
        f"{API}/scheduler/goals/run-due",
    ]

    @PROPERTY
    @given(instant=hostile_instants, path=st.sampled_from(queries + bodies))
    def check(instant: str, path: str) -> None:
        if path in queries:
            request: dict[str, Any] = {"params": {"customer_id": OWNER, "as_of": instant}}
            method = "GET"
        else:
            literal = instant if "T" not in instant else json.dumps(instant)
            request = {"content": json_with({"now": SLOT}, literal), "headers": JSON}
            method = "POST"
        status = on_loop(loop, refused_cleanly(seeded, method, path, **request))
        if "T" in instant:
            assert status == (200 if representable(instant) else 422), (path, instant)

    await check_property(check)


texts = st.one_of(
    st.text(max_size=20),
    st.text(max_size=5).map(lambda text: text + "\x00"),
    st.just("\ud800"),
    st.just("x" * 60_000),
)


def encoded(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


async def test_hostile_path_and_query_parameters(seeded: Seeded) -> None:
    loop = asyncio.get_running_loop()
    paths = [
        f"{API}/payments/subscriptions/{{}}",
        f"{API}/payments/subscriptions/by-customer/{{}}",
        f"{API}/hired-agents/by-subscription/{{}}?customer_id={OWNER}",
        f"{API}/hired-agents/{{}}/deliverables?customer_id={OWNER}",
        f"{API}/invoices/{{}}?customer_id={OWNER}",
        f"{API}/receipts/{{}}/html?customer_id={OWNER}",
        f"{API}/trial-status?customer_id={{}}",
        f"{API}/invoices?customer_id={{}}",
        f"{API}/agent-types/{{}}",
        f"{API}/hired-agents/{seeded.hired_instance_id}/goals?customer_id={{}}",
    ]

    @PROPERTY
    @given(path=st.sampled_from(paths), text=texts)
    def check(path: str, text: str) -> None:
        url = path.format(encoded(text))
        on_loop(loop, refused_cleanly(seeded, "GET", url))

    await check_property(check)


async def test_the_seeded_data_is_readable_afterwards(seeded: Seeded) -> None:
    """The properties above ran against live data; it answers as before (a sanity anchor)."""
    http: httpx.AsyncClient = seeded.stack.http
    response = await http.get(
        f"{API}/hired-agents/by-subscription/{seeded.subscription_id}",
        params={"customer_id": OWNER},
    )
    assert ok(response)["hired_instance_id"] == seeded.hired_instance_id
