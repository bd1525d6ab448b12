"""Calls and checks for tests that talk to the store over gRPC directly, as schedulers do."""

from __future__ import annotations

import grpc
import pytest
from plant.store.v1 import billing_pb2, billing_pb2_grpc, hiring_pb2, hiring_pb2_grpc
from plant.store.v1 import catalog_pb2 as pb

from http_adapter.errors import error_info


def definition(agent_type_id: str, version: str = "1") -> pb.AgentTypeDefinition:
    return pb.AgentTypeDefinition(
        agent_type_id=agent_type_id,
        version=version,
        config_schema=pb.JsonSchemaDefinition(
            fields=[
                pb.SchemaFieldDefinition(
                    key="k",
                    label="K",
                    type=pb.FIELD_TYPE_ENUM,
                    options=pb.StringList(values=["a", "b"]),
                )
            ]
        ),
    )


async def expect_error(call: object, code: grpc.StatusCode, reason: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call  # type: ignore[misc]
    assert raised.value.code() == code
    info = error_info(raised.value)
    assert info is not None and info.reason == reason and info.domain == "plant.store.v1"


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
