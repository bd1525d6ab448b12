"""X-Correlation-ID: echoed verbatim in the envelopes (contract 2.6); the store and the logs get a
bounded, printable form, so no header value can fail a request or flood a log."""

from __future__ import annotations

import logging

import httpx
import pytest

from plant_store_client.logging_context import MAX_CORRELATION_ID

HOSTILE_IDS = [b"caf\xe9", "\u00e9\u00e8".encode("latin-1"), b"a" * 20_000, b"x" * 1_000_000]


@pytest.mark.parametrize("header", HOSTILE_IDS, ids=["latin-1", "accents", "20 KB", "1 MB"])
async def test_any_header_value_reaches_the_store_and_is_echoed_verbatim(
    http: httpx.AsyncClient, header: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    listed = await http.get("/api/v1/agent-types", headers={b"X-Correlation-ID": header})
    assert listed.status_code == 200
    assert "x-correlation-id" not in listed.headers
    refused = await http.get(
        "/api/v1/hired-agents/HAI-1/deliverables",
        params={"customer_id": "c", "as_of": "x"},
        headers={b"X-Correlation-ID": header},
    )
    assert refused.status_code == 422
    assert refused.json()["correlation_id"] == header.decode("latin-1")
    logged = [getattr(record, "correlation_id", "-") for record in caplog.records]
    assert {"plant.http.access", "plant.store.access"} <= {record.name for record in caplog.records}
    assert all(len(cid) <= MAX_CORRELATION_ID and cid.isascii() for cid in logged)
    assert all(cid.isprintable() for cid in logged)


async def test_a_plain_correlation_id_is_forwarded_unchanged(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await http.get("/api/v1/agent-types", headers={"X-Correlation-ID": "cid-42"})
    store_lines = [record for record in caplog.records if record.name == "plant.store.access"]
    assert [getattr(record, "correlation_id", None) for record in store_lines] == ["cid-42"]
