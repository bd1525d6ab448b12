"""REST contract 4.2: /api/v1/agent-types-db in fallback and in DB mode."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator

import httpx
import pytest

from store_service.server import StoreServer
from tests.support.agent_types import MARKETING, SEEDS, TRADING, with_defaults
from tests.support.harness import adapter_client, adapter_settings

NOT_ENABLED = "DB-backed agent types not enabled. Set USE_AGENT_TYPE_DB=true"


@pytest.fixture
async def db_mode(store: StoreServer) -> AsyncIterator[httpx.AsyncClient]:
    async with adapter_client(adapter_settings(store, use_agent_type_db=True)) as client:
        yield client


async def test_fallback_mirrors_the_current_catalog_including_edits(
    http: httpx.AsyncClient,
) -> None:
    assert (await http.get("/api/v1/agent-types-db")).json() == SEEDS
    edited = copy.deepcopy(TRADING) | {"version": "2.0.0"}
    await http.put("/api/v1/agent-types/trading.delta_futures.v1", json=edited)
    assert (await http.get("/api/v1/agent-types-db/")).json() == [MARKETING, edited]
    one = await http.get("/api/v1/agent-types-db/trading.delta_futures.v1")
    assert (one.status_code, one.json()) == (200, edited)


async def test_fallback_refuses_writes(http: httpx.AsyncClient) -> None:
    created = await http.post("/api/v1/agent-types-db/", json=with_defaults("custom.v1"))
    assert created.status_code == 400
    assert "not enabled" in created.json()["detail"].lower()
    updated = await http.put("/api/v1/agent-types-db/%20", json=MARKETING)
    assert (updated.status_code, updated.json()) == (400, {"detail": NOT_ENABLED})


async def test_fallback_get_errors(http: httpx.AsyncClient) -> None:
    blank = await http.get("/api/v1/agent-types-db/%20")
    assert (blank.status_code, blank.json()) == (400, {"detail": "agent_type_id is required"})
    unknown = await http.get("/api/v1/agent-types-db/nope")
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Agent type not found"})


async def test_post_without_trailing_slash_is_method_not_allowed(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/agent-types-db", json=with_defaults("custom.v1"))
    assert (response.status_code, response.json()) == (405, {"detail": "Method Not Allowed"})


async def test_db_mode_creates_versions_and_lists_the_latest_per_id(
    db_mode: httpx.AsyncClient,
) -> None:
    first = await db_mode.post("/api/v1/agent-types-db/", json=with_defaults("aaa.v1", "1"))
    assert (first.status_code, first.json()) == (201, with_defaults("aaa.v1", "1"))
    second = await db_mode.post("/api/v1/agent-types-db/", json=with_defaults("aaa.v1", "2"))
    assert second.status_code == 201
    listed = (await db_mode.get("/api/v1/agent-types-db")).json()
    assert [(d["agent_type_id"], d["version"]) for d in listed] == [
        ("aaa.v1", "2"),
        ("marketing.healthcare.v1", "1.0.0"),
        ("trading.delta_futures.v1", "1.0.0"),
    ]
    latest = await db_mode.get("/api/v1/agent-types-db/aaa.v1")
    assert latest.json() == with_defaults("aaa.v1", "2")


async def test_db_mode_refuses_a_duplicate_version(db_mode: httpx.AsyncClient) -> None:
    duplicate = await db_mode.post("/api/v1/agent-types-db/", json=MARKETING)
    assert duplicate.status_code == 400
    assert "marketing.healthcare.v1" in duplicate.json()["detail"]


async def test_db_mode_updates_an_existing_version_only(db_mode: httpx.AsyncClient) -> None:
    edited = copy.deepcopy(MARKETING)
    edited["goal_templates"] = []
    updated = await db_mode.put("/api/v1/agent-types-db/marketing.healthcare.v1", json=edited)
    assert (updated.status_code, updated.json()) == (200, edited)
    assert (await db_mode.get("/api/v1/agent-types-db/marketing.healthcare.v1")).json() == edited

    new_version = edited | {"version": "9.9.9"}
    missing = await db_mode.put("/api/v1/agent-types-db/marketing.healthcare.v1", json=new_version)
    assert (missing.status_code, missing.json()) == (404, {"detail": "Agent type not found"})
    mismatch = await db_mode.put("/api/v1/agent-types-db/trading.delta_futures.v1", json=edited)
    assert (mismatch.status_code, mismatch.json()) == (400, {"detail": "agent_type_id mismatch"})


async def test_db_mode_does_not_touch_the_current_catalog(db_mode: httpx.AsyncClient) -> None:
    await db_mode.post("/api/v1/agent-types-db/", json=with_defaults("zzz.v1"))
    assert (await db_mode.get("/api/v1/agent-types")).json() == SEEDS
