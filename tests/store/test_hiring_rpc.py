"""HiringService called directly, as schedulers and other components do: same rules."""

from __future__ import annotations

from datetime import timedelta

import grpc
from plant.store.v1 import billing_pb2, billing_pb2_grpc, common_pb2, hiring_pb2, hiring_pb2_grpc

from http_adapter.errors import error_info
from plant_store_client.wire.documents import to_json
from plant_store_client.wire.values import instant, timestamp
from tests.store.test_catalog_rpc import expect_error


async def checkout(channel: grpc.aio.Channel) -> str:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    response = await billing.CheckoutWithCoupon(
        billing_pb2.CheckoutWithCouponRequest(
            coupon_code="WAOOAW100", agent_id="agent-1", duration="monthly", customer_id="c"
        )
    )
    subscription_id: str = response.subscription.subscription_id
    return subscription_id


async def no_instance(hiring: hiring_pb2_grpc.HiringServiceStub, subscription_id: str) -> None:
    """The refused draft left no instance behind."""
    await expect_error(
        hiring.GetHiredAgentBySubscription(
            hiring_pb2.GetHiredAgentBySubscriptionRequest(
                subscription_id=subscription_id, customer_id="c"
            )
        ),
        grpc.StatusCode.NOT_FOUND,
        "HIRED_AGENT_NOT_FOUND",
    )


async def test_a_raw_secret_is_refused_without_the_adapter(channel: grpc.aio.Channel) -> None:
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    subscription_id = await checkout(channel)
    request = hiring_pb2.UpsertDraftHiredAgentRequest(
        subscription_id=subscription_id,
        agent_id="agent-1",
        customer_id="c",
        config_json=to_json({"exchange": {"keys": [{"API_SECRET": "s3cr3t"}]}}),
    )
    try:
        await hiring.UpsertDraftHiredAgent(request)
        raise AssertionError("a raw secret was accepted")
    except grpc.aio.AioRpcError as refused:
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
        info = error_info(refused)
        assert info is not None and info.reason == "RAW_SECRET_IN_CONFIG"
        assert info.metadata["path"] == "config.exchange.keys[0].API_SECRET"
        assert "s3cr3t" not in (refused.details() or "")
    await no_instance(hiring, subscription_id)


async def test_trial_transitions_are_recorded_with_their_cause(channel: grpc.aio.Channel) -> None:
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    subscription_id = await checkout(channel)
    drafted = await hiring.UpsertDraftHiredAgent(
        hiring_pb2.UpsertDraftHiredAgentRequest(
            subscription_id=subscription_id,
            agent_id="agent-1",
            customer_id="c",
            nickname="n",
            theme="dark",
        )
    )
    hired_instance_id = drafted.hired_agent.hired_instance_id
    finalized = await hiring.FinalizeHiredAgent(
        hiring_pb2.FinalizeHiredAgentRequest(
            hired_instance_id=hired_instance_id, customer_id="c", goals_completed=True
        )
    )
    end = instant(finalized.hired_agent.trial_end_at)
    ended = await hiring.ProcessTrialEnd(
        hiring_pb2.ProcessTrialEndRequest(now=timestamp(end + timedelta(days=1)))
    )
    assert ended.processed == 1
    history = await hiring.ListTrialTransitions(
        hiring_pb2.ListTrialTransitionsRequest(hired_instance_id=hired_instance_id)
    )
    assert [(t.from_status, t.to_status, t.cause) for t in history.transitions] == [
        (common_pb2.TRIAL_STATUS_NOT_STARTED, common_pb2.TRIAL_STATUS_ACTIVE, "finalize"),
        (
            common_pb2.TRIAL_STATUS_ACTIVE,
            common_pb2.TRIAL_STATUS_ENDED_CONVERTED,
            "process_trial_end",
        ),
    ]
    assert instant(history.transitions[1].occurred_at) == end + timedelta(days=1)


async def test_a_draft_is_refused_on_another_customers_subscription(
    channel: grpc.aio.Channel,
) -> None:
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    subscription_id = await checkout(channel)
    await expect_error(
        hiring.UpsertDraftHiredAgent(
            hiring_pb2.UpsertDraftHiredAgentRequest(
                subscription_id=subscription_id, agent_id="agent-1", customer_id="intruder"
            )
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "SUBSCRIPTION_CUSTOMER_MISMATCH",
    )
    await no_instance(hiring, subscription_id)
