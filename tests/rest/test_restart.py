"""Edits survive restarting both processes: the data lives in the database, not in them."""

from __future__ import annotations

import copy

from tests.support.agent_types import MARKETING
from tests.support.harness import adapter_client, adapter_settings, running_store, store_settings


async def test_agent_type_edit_survives_a_restart_of_store_and_adapter(database_url: str) -> None:
    edited = copy.deepcopy(MARKETING) | {"version": "1.0.1"}
    async with (
        running_store(store_settings(database_url)) as store,
        adapter_client(adapter_settings(store)) as http,
    ):
        response = await http.put("/api/v1/agent-types/marketing.healthcare.v1", json=edited)
        assert response.status_code == 200

    async with (
        running_store(store_settings(database_url)) as store,
        adapter_client(adapter_settings(store)) as http,
    ):
        listed = (await http.get("/api/v1/agent-types")).json()
    assert listed[0] == edited
