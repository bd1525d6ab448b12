"""Every RPC refuses malformed or out-of-range input cleanly, writes nothing, and is guarded."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf import timestamp_pb2
from plant.store.v1 import billing_pb2, billing_pb2_grpc, hiring_pb2, hiring_pb2_grpc

from http_adapter.errors import error_info
from store_service.db.models import Order, Subscription
from store_service.server import API_MODULES, StoreServer
from tests.support.harness import running_store, store_settings
from tests.support.row_counts import count_rows

METHODS = [
    f"/{service.full_name}/{method.name}"
    for module in API_MODULES
    for service in module.DESCRIPTOR.services_by_name.values()
    for method in service.methods
]


@pytest.mark.unit
def test_every_service_has_methods() -> None:
    assert len(METHODS) > 40


async def test_malformed_bytes_are_invalid_argument_for_every_rpc(
    channel: grpc.aio.Channel,
) -> None:
    for method in METHODS:
        call = channel.unary_unary(method)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call(b"\x0a\xff\xff\xff\xff\x0f")
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, method
        info = error_info(refused.value)
        assert info is not None and info.reason == "MALFORMED_REQUEST", method


async def test_out_of_range_values_are_invalid_argument(
    channel: grpc.aio.Channel, database_url: str
) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    far = timestamp_pb2.Timestamp(seconds=10**12)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await billing.ProcessPeriodEnd(billing_pb2.ProcessPeriodEndRequest(now=far))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    hiring = hiring_pb2_grpc.HiringServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as too_long:
        await hiring.UpsertDraftHiredAgent(
            hiring_pb2.UpsertDraftHiredAgentRequest(
                subscription_id="S" * 100_000, agent_id="a", customer_id="c"
            )
        )
    assert too_long.value.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND)
    checkout = billing_pb2.CheckoutWithCouponRequest(
        coupon_code="WAOOAW100", agent_id="a\x00b", duration="monthly", customer_id="c"
    )
    try:
        await billing.CheckoutWithCoupon(checkout)
    except grpc.aio.AioRpcError as refused_nul:
        assert refused_nul.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert await count_rows(database_url, Order) == 0
        assert await count_rows(database_url, Subscription) == 0


async def test_no_rpc_but_health_answers_without_the_token(database_url: str) -> None:
    async with (
        running_store(store_settings(database_url, auth_token="t0ken")) as store,
        grpc.aio.insecure_channel(f"127.0.0.1:{store.port}") as channel,
    ):
        for method in METHODS:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await channel.unary_unary(method)(b"")
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED, method


async def test_cancelled_calls_give_their_connections_back(
    store: StoreServer, channel: grpc.aio.Channel
) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    request = billing_pb2.CheckoutWithCouponRequest(
        coupon_code="WAOOAW100", agent_id="a", duration="monthly", customer_id="c"
    )

    async def impatient() -> None:
        try:
            await billing.CheckoutWithCoupon(request, timeout=0.002)
        except grpc.aio.AioRpcError as error:
            assert error.code() in (
                grpc.StatusCode.DEADLINE_EXCEEDED,
                grpc.StatusCode.CANCELLED,
            )

    await asyncio.gather(*(impatient() for _ in range(60)))
    for _ in range(50):
        if store.database.checked_out() == 0:
            break
        await asyncio.sleep(0.1)
    assert store.database.checked_out() == 0
    answer = await billing.CheckoutWithCoupon(request, timeout=10)
    assert answer.order.order_id.startswith("ORDER-")
