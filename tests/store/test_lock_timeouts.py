"""On SQLite too, a write behind a held write lock answers UNAVAILABLE LOCK_TIMEOUT within the
store's bound instead of running into its caller's deadline, and goes through after release."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import grpc
import pytest
from plant.store.v1 import billing_pb2, billing_pb2_grpc

from http_adapter.errors import error_info
from tests.support.databases import TestDatabases
from tests.support.harness import running_store, store_settings

CHECKOUT = billing_pb2.CheckoutWithCouponRequest(
    coupon_code="WAOOAW100", agent_id="agent-1", duration="monthly", customer_id="c"
)


async def test_a_write_behind_a_held_sqlite_write_lock_is_a_lock_timeout(
    test_databases: TestDatabases, tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    url = await test_databases.sqlite(path)
    async with (
        running_store(store_settings(url, lock_wait_seconds=0.5)) as store,
        grpc.aio.insecure_channel(f"127.0.0.1:{store.port}") as channel,
    ):
        billing = billing_pb2_grpc.BillingServiceStub(channel)
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await billing.CheckoutWithCoupon(CHECKOUT, timeout=10)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
            info = error_info(refused.value)
            assert info is not None and info.reason == "LOCK_TIMEOUT"
        finally:
            holder.rollback()
            holder.close()
        assert (await billing.CheckoutWithCoupon(CHECKOUT, timeout=10)).order.order_id
