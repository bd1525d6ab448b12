"""The idempotency reasons the store may answer, as the adapter renders them."""

from __future__ import annotations

import pytest
from google.rpc import code_pb2

from http_adapter.config import AdapterSettings
from store_service.rpc.status import build_status
from tests.harness import adapter_client
from tests.rest.test_error_mapping import StandIn, aborting_with


@pytest.mark.parametrize(
    ("reason", "detail"),
    [
        ("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key reuse with different payload."),
        (
            "IDEMPOTENT_REQUEST_IN_PROGRESS",
            "A request with this Idempotency-Key is still in progress; retry later.",
        ),
    ],
)
async def test_idempotency_refusals_are_409s_with_their_detail(reason: str, detail: str) -> None:
    store = StandIn()
    store.behavior = aborting_with(build_status(code_pb2.ABORTED, reason, "text"))
    await store.server.start()
    try:
        settings = AdapterSettings(store_target=f"127.0.0.1:{store.port}")
        async with adapter_client(settings) as http:
            response = await http.get("/api/v1/agent-types")
    finally:
        await store.server.stop(0)
    assert (response.status_code, response.json()) == (409, {"detail": detail})
