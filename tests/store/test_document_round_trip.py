"""Documents through the gRPC API (issue 13 §2): JSON text in, the same JSON text out, on both
databases; the deprecated Struct fields are still read from older clients."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from hypothesis import assume, example, given
from plant.store.v1 import hiring_pb2, hiring_pb2_grpc

from plant_store_client.wire.documents import to_json
from store_service.domain.hiring import find_raw_secret
from tests.json_text import documents, json_text, member_text, round_trips
from tests.rest.test_document_round_trip import EXACT
from tests.store.test_catalog_rpc import expect_error
from tests.store.test_hiring_rpc import checkout, no_instance


def draft(
    subscription_id: str, agent_id: str = "agent-1", **document: Any
) -> hiring_pb2.UpsertDraftHiredAgentRequest:
    return hiring_pb2.UpsertDraftHiredAgentRequest(
        subscription_id=subscription_id, agent_id=agent_id, customer_id="c", **document
    )


async def stored_config(hiring: hiring_pb2_grpc.HiringServiceStub, subscription_id: str) -> str:
    read = await hiring.GetHiredAgentBySubscription(
        hiring_pb2.GetHiredAgentBySubscriptionRequest(
            subscription_id=subscription_id, customer_id="c"
        )
    )
    text: str = read.hired_agent.config_json
    return text


@round_trips
@given(config=documents)
@example(config=EXACT)
async def test_a_config_comes_back_as_sent(
    channel: grpc.aio.Channel, config: dict[str, Any]
) -> None:
    assume(find_raw_secret(config) is None)
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    subscription_id = await checkout(channel)
    stored = await hiring.UpsertDraftHiredAgent(draft(subscription_id, config_json=to_json(config)))
    assert member_text(stored.hired_agent.config_json) == json_text(config)
    assert member_text(await stored_config(hiring, subscription_id)) == json_text(config)


@round_trips
@given(settings=documents)
@example(settings=EXACT)
async def test_goal_settings_come_back_as_sent(
    channel: grpc.aio.Channel, settings: dict[str, Any]
) -> None:
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    hired = await hiring.UpsertDraftHiredAgent(draft(await checkout(channel), "AGT-TRD-1"))
    instance = hired.hired_agent.hired_instance_id
    goal = await hiring.UpsertGoal(
        hiring_pb2.UpsertGoalRequest(
            hired_instance_id=instance,
            customer_id="c",
            goal_template_id="trading.guardrail_report.v1",
            frequency="daily",
            settings_json=to_json(settings),
        )
    )
    assert member_text(goal.goal.settings_json) == json_text(settings)
    listed = await hiring.ListGoals(
        hiring_pb2.ListGoalsRequest(hired_instance_id=instance, customer_id="c")
    )
    assert member_text(listed.goals[0].settings_json) == json_text(settings)


async def test_the_deprecated_struct_is_still_read(channel: grpc.aio.Channel) -> None:
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    subscription_id = await checkout(channel)
    old = struct_pb2.Struct()
    # One key: a Struct has no key order to keep.
    old.update({"limits": [300, 0.5, {"nested": "x"}]})
    stored = await hiring.UpsertDraftHiredAgent(draft(subscription_id, config=old))
    assert stored.hired_agent.config_json == '{"limits":[300,0.5,{"nested":"x"}]}'
    # The JSON text wins over the Struct when a client sends both.
    both = await hiring.UpsertDraftHiredAgent(draft(subscription_id, config=old, config_json="{}"))
    assert both.hired_agent.config_json == "{}"


def nested(levels: int) -> str:
    return '{"n":' * (levels - 1) + "{}" + "}" * (levels - 1)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "3",
        "",
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": 1e400}',
        '{"a": "\\ud800"}',
        '{"a": 1',
        nested(65),
        nested(5000),
    ],
)
async def test_what_is_not_a_document_is_refused(channel: grpc.aio.Channel, text: str) -> None:
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    subscription_id = await checkout(channel)
    await expect_error(
        hiring.UpsertDraftHiredAgent(draft(subscription_id, config_json=text)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_DOCUMENT",
    )
    await no_instance(hiring, subscription_id)


async def test_a_document_of_64_levels_is_kept(channel: grpc.aio.Channel) -> None:
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    subscription_id = await checkout(channel)
    stored = await hiring.UpsertDraftHiredAgent(draft(subscription_id, config_json=nested(64)))
    assert stored.hired_agent.config_json == nested(64)
