"""A reused Idempotency-Key as the adapter renders it (the key still in progress is one of the
retryable answers of tests/unit/test_error_mapping.py)."""

from __future__ import annotations

import httpx
from google.rpc import code_pb2

from http_adapter.config import AdapterSettings
from store_service.rpc.status import build_status
from tests.support.harness import adapter_client
from tests.support.stand_in_store import StandIn, aborting_with


async def answer_to(reason: str) -> httpx.Response:
    store = StandIn()
    store.behavior = aborting_with(build_status(code_pb2.ABORTED, reason, "text"))
    await store.server.start()
    try:
        settings = AdapterSettings(store_target=f"127.0.0.1:{store.port}")
        async with adapter_client(settings) as http:
            return await http.get("/api/v1/agent-types")
    finally:
        await store.server.stop(0)


async def test_a_reused_key_is_the_contracts_409() -> None:
    response = await answer_to("IDEMPOTENCY_KEY_REUSED")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Idempotency-Key reuse with different payload."},
    )
