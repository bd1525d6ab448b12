"""Secrets and customers' documents never reach a log line or a settings object's repr."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from http_adapter.config import AdapterSettings
from plant_store_client.logging_context import json_formatter
from store_service.config import StoreSettings
from store_service.db.engine import create_engine
from tests.flows import TRADE_GOAL, add_goal, hire

# Makes the database refuse every new goal with an error of its own (not one the store maps to
# a client error), so the store takes its "database error" path with the goal in flight. The
# PostgreSQL one quotes the row, as many database errors quote the values they refuse.
REFUSE_GOALS = {
    "sqlite": [
        "CREATE TRIGGER refuse_goals BEFORE INSERT ON goal_instances "
        "BEGIN SELECT RAISE(ABORT, 'goals refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_goals() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'goals refused: %', NEW.settings; END $$",
        "CREATE TRIGGER refuse_goals BEFORE INSERT ON goal_instances "
        "FOR EACH ROW EXECUTE FUNCTION refuse_goals()",
    ],
}


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Every record, as the processes write it (JSON lines with all their fields)."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(json_formatter("test"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield output
    root.removeHandler(handler)
    root.setLevel(level)


async def _refuse_goals(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            for statement in REFUSE_GOALS[engine.dialect.name]:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def test_a_failed_write_logs_no_trace_of_the_goal_settings(
    http: httpx.AsyncClient,
    database_url: str,
    log_output: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = f"hunter2-{uuid.uuid4().hex}"
    hired = await hire(http, "c1")
    await _refuse_goals(database_url)
    refused = await add_goal(http, hired, "c1", settings=TRADE_GOAL | {"password": secret})
    assert refused.status_code == 500
    written = log_output.getvalue()
    # The failure is on record, by kind, with where it happened...
    assert "database error" in written and "goals refused" not in written
    # ...and nothing it carried: not the secret, not any other part of the settings.
    for leaked in (secret, "password", "BTC"):
        assert leaked not in written
        assert leaked not in caplog.text


def test_settings_keep_their_secrets_out_of_their_repr() -> None:
    env = {
        "DATABASE_URL": "postgresql://plant:db-pass-1@db/plant",
        "STORE_AUTH_TOKEN": "token-2",
        "RAZORPAY_KEY_SECRET": "key-secret-3",
        "RAZORPAY_WEBHOOK_SECRET": "webhook-secret-4",
        "RAZORPAY_KEY_ID": "rzp_key_id",
    }
    shown = repr(StoreSettings.from_env(env)) + repr(AdapterSettings.from_env(env))
    for secret in ("db-pass-1", "token-2", "key-secret-3", "webhook-secret-4"):
        assert secret not in shown
    # The rest stays visible: a repr is still useful for debugging.
    assert "rzp_key_id" in shown and "issue_gst_invoice=True" in shown
