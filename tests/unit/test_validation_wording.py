"""Every 422 violation the contract shows comes out in its words (pydantic 2.5's), whatever
pydantic is installed. Validation answers before any store call, so no store is needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from http_adapter.config import AdapterSettings
from http_adapter.violations import message
from tests.support.harness import adapter_client

API = "/api/v1"
NO_STORE = AdapterSettings(store_target="127.0.0.1:1", store_deadline_seconds=1)
AGENT_TYPE: dict[str, Any] = {
    "agent_type_id": "t.v1",
    "version": "1",
    "config_schema": {"fields": [{"key": "k", "label": "K", "type": "colour"}]},
}

# (method, path, request keyword arguments, the contract's violations)
CONTRACT_EXAMPLES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    (
        "POST",
        f"{API}/payments/coupon/checkout",
        {"json": {"agent_id": "a", "duration": "", "customer_id": "c"}},
        [
            "body -> coupon_code: Field required",
            "body -> duration: String should have at least 1 character",
        ],
    ),
    (
        "POST",
        f"{API}/deliverables/DEL-1/review",
        {"json": {"customer_id": "c", "decision": "maybe"}},
        ["body -> decision: Input should be 'approved' or 'rejected'"],
    ),
    (
        "GET",
        f"{API}/hired-agents/HAI-1/deliverables",
        {"params": {"customer_id": "c", "as_of": "x"}},
        ["query -> as_of: Input should be a valid datetime, input is too short"],
    ),
    (
        "GET",
        f"{API}/hired-agents/by-subscription/SUB-1",
        {"params": {"customer_id": "c", "as_of": "x"}},
        ["query -> as_of: Input should be a valid datetime, input is too short"],
    ),
    (
        "PUT",
        f"{API}/hired-agents/HAI-1/goals",
        {
            "json": {
                "customer_id": "c",
                "goal_template_id": "g",
                "frequency": "daily",
                "settings": None,
            }
        },
        ["body -> settings: Input should be a valid dictionary"],
    ),
    (
        "PUT",
        f"{API}/agent-types/t.v1",
        {"json": AGENT_TYPE},
        [
            "body -> config_schema -> fields -> 0 -> type: Input should be 'text', 'enum', 'list',"
            " 'object', 'boolean' or 'number'"
        ],
    ),
    ("POST", f"{API}/hired-agents/HAI-1/finalize", {}, ["body: Field required"]),
    (
        "POST",
        f"{API}/hired-agents/HAI-1/finalize",
        {"content": b"{x", "headers": {"Content-Type": "application/json"}},
        ["body -> 1: JSON decode error"],
    ),
    (
        "POST",
        f"{API}/payments/coupon/checkout",
        {"json": {"coupon_code": 1, "agent_id": "a", "duration": "monthly"}},
        ["body -> coupon_code: Input should be a valid string"],
    ),
    (
        "POST",
        f"{API}/payments/coupon/checkout",
        {"json": [1]},
        ["body: Input should be a valid dictionary or object to extract fields from"],
    ),
    (
        "POST",
        f"{API}/hired-agents/process-trial-end",
        {"json": {"now": "2026-02-30T00:00:00Z"}},
        ["body -> now: Input should be a valid datetime, day value is outside expected range"],
    ),
]


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with adapter_client(NO_STORE) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "arguments", "violations"),
    CONTRACT_EXAMPLES,
    ids=[violations[0] for *_, violations in CONTRACT_EXAMPLES],
)
async def test_the_contracts_violations_word_for_word(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    arguments: dict[str, Any],
    violations: list[str],
) -> None:
    response = await http.request(method, path, **arguments)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["violations"] == violations
    assert body["detail"] == f"Request validation failed: {len(violations)} error(s)"


@pytest.mark.parametrize(
    ("error", "wording"),
    [
        # What newer pydantic releases say, rendered as 2.5 did.
        (
            {
                "type": "datetime_from_date_parsing",
                "msg": "Input should be a valid datetime or date, input is too short",
                "ctx": {"error": "input is too short"},
            },
            "Input should be a valid datetime, input is too short",
        ),
        (
            {"type": "string_too_short", "msg": "?", "ctx": {"min_length": 3}},
            "String should have at least 3 characters",
        ),
        # A type the table does not know keeps the installed pydantic's words.
        (
            {"type": "url_parsing", "msg": "Input should be a valid URL"},
            "Input should be a valid URL",
        ),
    ],
)
def test_the_table_renders_from_type_and_context(error: dict[str, Any], wording: str) -> None:
    assert message(error) == wording
