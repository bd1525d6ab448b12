"""The adapter's call to Razorpay's Orders API: https only, one deadline, a bounded answer, and
no proxy taken from the environment."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from http_adapter.config import AdapterSettings
from plant_store_client.configuration import UnsafeConfiguration
from tests.databases import TestDatabases
from tests.harness import Stack, stack
from tests.processes import free_port, run_cli
from tests.razorpay_stand_in import RazorpayStandIn, razorpay_stand_in

ORDER = "/api/v1/payments/razorpay/order"
INVALID = (502, {"detail": "Razorpay order create returned invalid response"})


@asynccontextmanager
async def razorpay_plant(
    test_databases: TestDatabases, tmp_path: Path, **adapter: Any
) -> AsyncIterator[tuple[Stack, RazorpayStandIn]]:
    """A stack in Razorpay mode in front of a stand-in (what is tested here is the edge alone,
    so one database backend is enough)."""
    database_url = await test_databases.sqlite(tmp_path / "store.db")
    with razorpay_stand_in() as api:
        settings = {
            "payments_mode": "razorpay",
            "razorpay_key_id": "rzp_test_key",
            "razorpay_key_secret": "key-secret",
            "razorpay_api_base": api.base_url,
        }
        async with stack(database_url, adapter=settings | adapter) as plant:
            yield plant, api


async def order_answer(plant: Stack, customer_id: str) -> tuple[int, Any]:
    body = {"agent_id": "AGT-1", "duration": "monthly", "customer_id": customer_id}
    response = await plant.http.post(ORDER, json=body)
    return response.status_code, response.json()


async def stored_subscriptions(plant: Stack, customer_id: str) -> Any:
    path = f"/api/v1/payments/subscriptions/by-customer/{customer_id}"
    return (await plant.http.get(path)).json()


async def test_a_dripping_answer_is_cut_off_by_one_deadline_for_the_call(
    test_databases: TestDatabases, tmp_path: Path
) -> None:
    """Each byte arrives well within httpx's per-read timeout; the whole answer does not arrive
    within the call's deadline."""
    async with razorpay_plant(test_databases, tmp_path, razorpay_timeout_seconds=2.0) as (
        plant,
        api,
    ):
        api.drip_seconds = 0.5
        status, answer = await order_answer(plant, "dripped")
        assert (status, answer["title"]) == (500, "Internal Server Error")
        assert await stored_subscriptions(plant, "dripped") == []


async def test_an_oversized_answer_is_an_invalid_response(
    test_databases: TestDatabases, tmp_path: Path
) -> None:
    async with razorpay_plant(test_databases, tmp_path) as (plant, api):
        api.body = json.dumps({"id": "order_big", "notes": "x" * 200_000}).encode()
        assert await order_answer(plant, "flooded") == INVALID
        assert await stored_subscriptions(plant, "flooded") == []
        api.body = json.dumps({"id": "order_fits", "notes": "x" * 1_000}).encode()
        status, answer = await order_answer(plant, "fits")
        assert (status, answer["razorpay_order_id"]) == (200, "order_fits")


async def test_proxies_named_in_the_environment_are_not_used(
    test_databases: TestDatabases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, nowhere)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    # gRPC honours the same variables; its own exemption keeps the adapter's store calls direct.
    monkeypatch.setenv("no_grpc_proxy", "127.0.0.1")
    async with razorpay_plant(test_databases, tmp_path) as (plant, api):
        status, answer = await order_answer(plant, "direct")
        assert (status, answer["razorpay_order_id"]) == (200, "order_rzp1")
        assert len(api.received) == 1


@pytest.mark.parametrize(
    "api_base", ["https://api.razorpay.com", "http://127.0.0.1:9000", "http://localhost:9000"]
)
def test_https_or_loopback_api_bases_are_accepted(api_base: str) -> None:
    assert AdapterSettings.from_env({"RAZORPAY_API_BASE": api_base}).razorpay_api_base == api_base


@pytest.mark.parametrize(
    "api_base", ["http://api.razorpay.com", "http://10.0.0.5:8080", "ftp://api.razorpay.com"]
)
def test_other_api_bases_are_refused(api_base: str) -> None:
    with pytest.raises(UnsafeConfiguration, match="RAZORPAY_API_BASE must be an https URL"):
        AdapterSettings.from_env({"RAZORPAY_API_BASE": api_base})


async def test_the_adapter_refuses_to_start_with_a_plain_http_api_base() -> None:
    env = {
        "RAZORPAY_API_BASE": "http://api.razorpay.com",
        "PLANT_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
    }
    code, output = await run_cli("http", env=env)
    assert code == 2
    [line] = output.strip().splitlines()
    assert line.startswith("plant-store http: RAZORPAY_API_BASE must be an https URL")
