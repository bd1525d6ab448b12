"""The adapter's one mapping from store statuses to HTTP, over every gRPC status code.

A stand-in CatalogService on a real local port answers with the status under test; the real
adapter turns it into the contract's envelope.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import httpx
import pytest
from google.rpc import code_pb2
from plant.store.v1 import catalog_pb2 as pb

from http_adapter.config import AdapterSettings
from http_adapter.errors import CODES, GRPC_ONLY, REASONS, Problem
from plant_store_client.reasons import Reason
from store_service.rpc.status import build_status
from tests.harness import adapter_client

Behavior = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]

EXPECTED_STATUS = {
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 503,
}
TITLES = {
    409: "Conflict",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class StandIn:
    """A gRPC server whose ListAgentTypes does whatever the test sets."""

    def __init__(self) -> None:
        self.behavior: Behavior | None = None
        self.server = grpc.aio.server()
        handler = grpc.unary_unary_rpc_method_handler(
            self._call,
            request_deserializer=pb.ListAgentTypesRequest.FromString,
            response_serializer=pb.ListAgentTypesResponse.SerializeToString,
        )
        self.server.add_generic_rpc_handlers(
            (
                grpc.method_handlers_generic_handler(
                    "plant.store.v1.CatalogService", {"ListAgentTypes": handler}
                ),
            )
        )
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    async def _call(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        assert self.behavior is not None
        return await self.behavior(request, context)


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    server = StandIn()
    await server.server.start()
    yield server
    await server.server.stop(0)


@pytest.fixture
async def http(stand_in: StandIn) -> AsyncIterator[httpx.AsyncClient]:
    settings = AdapterSettings(store_target=f"127.0.0.1:{stand_in.port}", store_deadline_seconds=2)
    async with adapter_client(settings) as client:
        yield client


def aborting_with(status: grpc.Status) -> Behavior:
    async def behavior(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await context.abort_with_status(status)

    return behavior


def test_the_table_covers_all_seventeen_codes() -> None:
    assert set(CODES) == set(grpc.StatusCode)
    assert len(CODES) == 17


@pytest.mark.parametrize(
    "code", [code for code in grpc.StatusCode if code is not grpc.StatusCode.OK], ids=str
)
async def test_a_status_without_a_known_reason_maps_by_code(
    stand_in: StandIn, http: httpx.AsyncClient, code: grpc.StatusCode
) -> None:
    stand_in.behavior = aborting_with(
        build_status(code.value[0], "SOMETHING_NEW", "boom: internal text")
    )
    response = await http.get("/api/v1/agent-types", headers={"X-Correlation-ID": "cid-7"})
    status = EXPECTED_STATUS.get(code, 500)
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status
    assert body["title"] == TITLES[status]
    assert body["instance"] == "/api/v1/agent-types"
    assert body["correlation_id"] == "cid-7"
    assert "boom" not in response.text


async def test_an_ok_status_is_never_an_error_body(
    stand_in: StandIn, http: httpx.AsyncClient
) -> None:
    async def answer(_request: Any, _context: Any) -> pb.ListAgentTypesResponse:
        return pb.ListAgentTypesResponse()

    stand_in.behavior = answer
    response = await http.get("/api/v1/agent-types")
    assert (response.status_code, response.json()) == (200, [])


async def test_the_internal_envelope_is_exactly_the_contracts(
    stand_in: StandIn, http: httpx.AsyncClient
) -> None:
    stand_in.behavior = aborting_with(build_status(code_pb2.INTERNAL, "INTERNAL", "x"))
    response = await http.get("/api/v1/agent-types", headers={"X-Correlation-ID": "zz"})
    assert response.json() == {
        "type": "https://waooaw.com/errors/internal-server-error",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred. Please try again later.",
        "instance": "/api/v1/agent-types",
        "correlation_id": "zz",
    }


async def test_known_reasons_win_over_codes(stand_in: StandIn, http: httpx.AsyncClient) -> None:
    stand_in.behavior = aborting_with(
        build_status(code_pb2.NOT_FOUND, "AGENT_TYPE_NOT_FOUND", "no such thing")
    )
    response = await http.get("/api/v1/agent-types")
    assert (response.status_code, response.json()) == (404, {"detail": "Agent type not found"})


async def test_reason_metadata_fills_the_detail(stand_in: StandIn, http: httpx.AsyncClient) -> None:
    stand_in.behavior = aborting_with(
        build_status(
            code_pb2.ALREADY_EXISTS,
            "AGENT_TYPE_VERSION_EXISTS",
            "x",
            {"agent_type_id": "a.v1", "version": "2"},
        )
    )
    response = await http.get("/api/v1/agent-types")
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Agent type a.v1 version 2 already exists"},
    )


async def test_policy_denials_use_the_rfc7807_403(
    stand_in: StandIn, http: httpx.AsyncClient
) -> None:
    metadata = {
        "deliverable_id": "DEL-1",
        "decision_id": "4c2d",
        "action": "publish",
        "message": "External action requires customer approval_id",
    }
    stand_in.behavior = aborting_with(
        build_status(code_pb2.PERMISSION_DENIED, "APPROVAL_REQUIRED", "denied", metadata)
    )
    response = await http.get("/api/v1/agent-types", headers={"X-Correlation-ID": "cid-missing-1"})
    assert response.status_code == 403
    assert response.json() == {
        "type": "https://waooaw.com/errors/policy-enforcement-denied",
        "title": "Policy Enforcement Denied",
        "status": 403,
        "detail": "Policy denied deliverable execution",
        "instance": "/api/v1/agent-types",
        "correlation_id": "cid-missing-1",
        "reason": "approval_required",
        "details": {
            "action": "publish",
            "message": "External action requires customer approval_id",
            "deliverable_id": "DEL-1",
            "decision_id": "4c2d",
        },
    }
    assert list(response.json()["details"]) == [
        "action",
        "message",
        "deliverable_id",
        "decision_id",
    ]


async def test_a_passed_deadline_is_504_not_a_hang(stand_in: StandIn) -> None:
    # The stand-in never answers while the request is open, so only the adapter's deadline
    # can produce an answer, however slow the machine; the bound below only stops a hang.
    released = asyncio.Event()
    carried: list[float | None] = []

    async def never(_request: Any, context: Any) -> pb.ListAgentTypesResponse:
        carried.append(context.time_remaining())
        await released.wait()
        return pb.ListAgentTypesResponse()

    stand_in.behavior = never
    settings = AdapterSettings(store_target=f"127.0.0.1:{stand_in.port}", store_deadline_seconds=1)
    async with adapter_client(settings) as client:
        try:
            response = await asyncio.wait_for(client.get("/api/v1/agent-types"), 120)
        finally:
            released.set()
    assert response.status_code == 504
    assert response.json()["type"] == "https://waooaw.com/errors/gateway-timeout"
    # The call carried the configured deadline (a value of the request, not a measurement).
    assert len(carried) == 1 and carried[0] is not None and carried[0] <= 1, carried


async def test_an_unreachable_store_is_503(caplog: pytest.LogCaptureFixture) -> None:
    settings = AdapterSettings(store_target="127.0.0.1:1", store_deadline_seconds=2)
    async with adapter_client(settings) as client:
        with caplog.at_level(logging.WARNING, logger="http_adapter.errors"):
            response = await client.get("/api/v1/agent-types", headers={"X-Correlation-ID": "c"})
    [warning] = [r for r in caplog.records if r.name == "http_adapter.errors"]
    assert warning.levelno == logging.WARNING
    assert warning.getMessage().startswith("store call answered 503: UNAVAILABLE")
    assert response.status_code == 503
    assert response.json() == {
        "type": "https://waooaw.com/errors/service-unavailable",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The service is temporarily unavailable. Please try again later.",
        "instance": "/api/v1/agent-types",
        "correlation_id": "c",
    }


def test_every_reason_is_mapped_or_grpc_only() -> None:
    # The store raises only Reason members (mypy checks every raise site); each has an answer.
    assert {
        Reason.TRANSACTION_CONFLICT,
        Reason.IDEMPOTENT_REQUEST_IN_PROGRESS,
        Reason.INVALID_VALUE,
    } <= set(REASONS)
    assert set(REASONS).isdisjoint(GRPC_ONLY)
    assert sorted(set(Reason) - set(REASONS) - GRPC_ONLY) == []


RETRYABLE = sorted(
    reason
    for reason, rule in REASONS.items()
    if isinstance(rule, Problem) and rule.retry_after_seconds is not None
)


def test_the_retryable_reasons_are_the_known_ones() -> None:
    assert {
        "TRANSACTION_CONFLICT",
        "IDEMPOTENT_REQUEST_IN_PROGRESS",
        "DATABASE_UNAVAILABLE",
    } <= set(RETRYABLE)


@pytest.mark.parametrize("reason", RETRYABLE)
async def test_retryable_reasons_ask_for_a_retry_in_the_problem_envelope(
    stand_in: StandIn, http: httpx.AsyncClient, reason: Reason
) -> None:
    rule = REASONS[reason]
    assert isinstance(rule, Problem)
    stand_in.behavior = aborting_with(build_status(code_pb2.ABORTED, reason, "internal text"))
    response = await http.get("/api/v1/agent-types", headers={"X-Correlation-ID": "cid-r"})
    assert response.status_code in (409, 503)
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json() == {
        "type": f"https://waooaw.com/errors/{rule.slug}",
        "title": rule.title,
        "status": response.status_code,
        "detail": rule.detail,
        "instance": "/api/v1/agent-types",
        "correlation_id": "cid-r",
    }


async def test_a_transaction_conflict_is_409_with_retry_after(
    stand_in: StandIn, http: httpx.AsyncClient
) -> None:
    stand_in.behavior = aborting_with(
        build_status(code_pb2.ABORTED, "TRANSACTION_CONFLICT", "Concurrent update; retry")
    )
    response = await http.get("/api/v1/agent-types")
    assert (response.status_code, response.headers["Retry-After"]) == (409, "1")
    assert response.json()["type"] == "https://waooaw.com/errors/conflict"
