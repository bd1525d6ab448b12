"""REST contract 4.1: /api/v1/agent-types, end to end through adapter, store and database."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.support.agent_types import MARKETING, SEEDS, TRADING, with_defaults


def definition(agent_type_id: str, version: str = "1.0.0") -> dict[str, Any]:
    return {"agent_type_id": agent_type_id, "version": version}


async def test_lists_exactly_the_seed_definitions_in_order(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/agent-types")
    assert response.status_code == 200
    assert response.json() == SEEDS
    assert (await http.get("/api/v1/agent-types/")).json() == SEEDS


async def test_gets_one_definition(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/agent-types/trading.delta_futures.v1")
    assert response.status_code == 200
    assert response.json() == TRADING


async def test_get_trims_the_id_and_rejects_blank_and_unknown(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v1/agent-types/%20marketing.healthcare.v1%20")).json() == MARKETING
    blank = await http.get("/api/v1/agent-types/%20")
    assert (blank.status_code, blank.json()) == (400, {"detail": "agent_type_id is required"})
    unknown = await http.get("/api/v1/agent-types/nope.v1")
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Agent type not found"})


async def test_put_replaces_in_place_and_changes_what_get_returns(
    http: httpx.AsyncClient,
) -> None:
    edited = copy.deepcopy(MARKETING)
    edited["version"] = "1.0.1"
    response = await http.put("/api/v1/agent-types/marketing.healthcare.v1", json=edited)
    assert (response.status_code, response.json()) == (200, edited)
    assert (await http.get("/api/v1/agent-types/marketing.healthcare.v1")).json()[
        "version"
    ] == "1.0.1"
    listed = (await http.get("/api/v1/agent-types")).json()
    assert [d["agent_type_id"] for d in listed] == [
        "marketing.healthcare.v1",
        "trading.delta_futures.v1",
    ]


async def test_put_of_a_new_id_appends_it_with_defaults(http: httpx.AsyncClient) -> None:
    response = await http.put("/api/v1/agent-types/custom.v1", json=definition("custom.v1"))
    assert (response.status_code, response.json()) == (200, with_defaults("custom.v1"))
    listed = (await http.get("/api/v1/agent-types")).json()
    assert listed == [*SEEDS, with_defaults("custom.v1")]


async def test_put_stores_the_body_verbatim_under_the_trimmed_path_id(
    http: httpx.AsyncClient,
) -> None:
    body = definition("  spaced.v1 ")
    response = await http.put("/api/v1/agent-types/%20spaced.v1", json=body)
    assert response.status_code == 200
    stored = (await http.get("/api/v1/agent-types/spaced.v1")).json()
    assert stored["agent_type_id"] == "  spaced.v1 "


async def test_put_rejects_mismatched_and_blank_ids(http: httpx.AsyncClient) -> None:
    mismatch = await http.put("/api/v1/agent-types/marketing.healthcare.v1", json=TRADING)
    assert (mismatch.status_code, mismatch.json()) == (400, {"detail": "agent_type_id mismatch"})
    blank = await http.put("/api/v1/agent-types/%20", json=TRADING)
    assert (blank.status_code, blank.json()) == (400, {"detail": "agent_type_id is required"})
    assert (await http.get("/api/v1/agent-types")).json() == SEEDS


async def test_put_validates_the_body_with_the_contract_envelope(
    http: httpx.AsyncClient,
) -> None:
    body = definition("custom.v1") | {
        "config_schema": {"fields": [{"key": "k", "label": "L", "type": "colour"}]}
    }
    response = await http.put(
        "/api/v1/agent-types/custom.v1", json=body, headers={"X-Correlation-ID": "cid-422"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "type": "https://waooaw.com/errors/validation-error",
        "title": "Request Validation Error",
        "status": 422,
        "detail": "Request validation failed: 1 error(s)",
        "instance": "/api/v1/agent-types/custom.v1",
        "correlation_id": "cid-422",
        "violations": [
            "body -> config_schema -> fields -> 0 -> type: Input should be 'text', 'enum', "
            "'list', 'object', 'boolean' or 'number'"
        ],
    }
    assert (await http.get("/api/v1/agent-types/custom.v1")).status_code == 404


async def test_validation_without_correlation_header_uses_an_epoch_fallback(
    http: httpx.AsyncClient,
) -> None:
    response = await http.put(
        "/api/v1/agent-types/x",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    body = response.json()
    assert response.status_code == 422
    assert float(body["correlation_id"]) > 1_700_000_000
    assert body["violations"][0].startswith("body -> 1: JSON decode error")


async def test_unknown_path_and_wrong_method_use_plain_bodies(http: httpx.AsyncClient) -> None:
    missing = await http.get("/api/v1/nowhere")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    wrong = await http.delete("/api/v1/agent-types/marketing.healthcare.v1")
    assert (wrong.status_code, wrong.json()) == (405, {"detail": "Method Not Allowed"})
