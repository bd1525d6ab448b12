"""Benchmark: the store's own overhead, as hot RPCs over typed stubs next to their SQL run
directly with asyncpg in the same run.

Reads: `GetSubscription` vs `SELECT … FROM subscriptions WHERE subscription_id = $1`.
Writes: `CheckoutWithCoupon` (with a customer: order, subscription, event, receipt, invoice) vs
the same inserts, in the statements the store sends, in one asyncpg transaction. Both sides run
at the same concurrency.

    .venv/bin/python -m bench.rpc_overhead --seconds 10 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from plant.store.v1 import billing_pb2

from bench.harness import heading, scratch_database, store_process
from plant_store_client.client import StoreClient

Operation = Callable[[], Awaitable[object]]


async def measure(operation: Operation, seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            await operation()
            latencies.append(time.perf_counter() - started)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "ops_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
    }


# The statements CheckoutWithCoupon sends, in the same shape (store_service/db/sql.py defers
# the inserts nobody reads into the next statement as CTEs): BEGIN, the subscription, order and
# event with both document numbers drawn, the receipt with the invoice, COMMIT.
CHECKOUT_SQL = (
    """WITH later_0 AS (INSERT INTO subscriptions (subscription_id, agent_id, duration,
           customer_id, status, current_period_start, current_period_end, cancel_at_period_end,
           ended_at)
         VALUES ($1, 'AGT-1', 'monthly', $2, 'active', $3, $4, false, NULL)),
       later_1 AS (INSERT INTO orders (order_id, payment_provider, subscription_id, amount,
           currency, agent_id, duration, customer_id, gstin, status, created_at, paid_at,
           razorpay_order_id)
         VALUES ($5, 'coupon', $1, 0, 'INR', 'AGT-1', 'monthly', $2, NULL, 'paid', $3, $3, NULL)),
       later_2 AS (INSERT INTO notification_events (created_at, event_type, customer_id,
           subscription_id, order_id, hired_instance_id, metadata)
         VALUES ($3, 'payment_success', $2, $1, $5, NULL, '{}'::jsonb))
     INSERT INTO number_sequences (kind, day, last_value) VALUES ($6, $7, 1), ($8, $7, 1)
     ON CONFLICT (kind, day) DO UPDATE SET last_value = number_sequences.last_value + 1
     RETURNING kind, last_value""",
    """WITH later_0 AS (INSERT INTO receipts (receipt_id, receipt_number, order_id, customer_id,
           subscription_id, currency, total_amount, items, created_at, payment_status)
         VALUES ($1, $2, $3, $4, $5, 'INR', 0, '[]'::jsonb, $6, 'paid'))
     INSERT INTO invoices (invoice_id, invoice_number, order_id, customer_id, subscription_id,
         currency, total_amount, items, created_at, seller_legal_name, seller_state_code,
         subtotal_amount, cgst_amount, sgst_amount, igst_amount, tax_regime, tax_type)
     VALUES ($7, $8, $3, $4, $5, 'INR', 0, '[]'::jsonb, $6, 'W', '27', 0, 0, 0, 0, 'GST',
         'none')""",
)


async def direct_checkout(pool: asyncpg.Pool) -> None:
    now = datetime.now(UTC)
    subscription_id, order_id = f"SUB-{uuid.uuid4()}", f"ORDER-{uuid.uuid4()}"
    async with pool.acquire() as connection, connection.transaction():
        drawn = await connection.fetch(
            CHECKOUT_SQL[0],
            subscription_id,
            "c",
            now,
            now + timedelta(30),
            order_id,
            "DRCT",
            now.strftime("%Y%m%d"),
            "DINV",
        )
        numbers = {row["kind"]: row["last_value"] for row in drawn}
        await connection.execute(
            CHECKOUT_SQL[1],
            f"RCT-{uuid.uuid4()}",
            f"DRCT-{numbers['DRCT']}",
            order_id,
            "c",
            subscription_id,
            now,
            f"INV-{uuid.uuid4()}",
            f"DINV-{numbers['DINV']}",
        )


async def main(seconds: float, concurrency: int) -> dict[str, object]:
    async with scratch_database() as url, store_process(url) as store:
        client = StoreClient(store.target, deadline_seconds=30, auth_token=None)
        pool = await asyncpg.create_pool(url, min_size=concurrency, max_size=concurrency)
        try:
            checkout = billing_pb2.CheckoutWithCouponRequest(
                coupon_code="WAOOAW100", agent_id="AGT-1", duration="monthly", customer_id="c"
            )
            seeded = await client.call(client.billing.CheckoutWithCoupon, checkout, "bench")
            subscription_id = seeded.subscription.subscription_id
            get = billing_pb2.GetSubscriptionRequest(subscription_id=subscription_id)

            async def rpc_read() -> object:
                return await client.call(client.billing.GetSubscription, get, "bench")

            async def sql_read() -> object:
                return await pool.fetchrow(
                    "SELECT * FROM subscriptions WHERE subscription_id = $1", subscription_id
                )

            async def rpc_write() -> object:
                return await client.call(client.billing.CheckoutWithCoupon, checkout, "bench")

            async def sql_write() -> object:
                await direct_checkout(pool)
                return None

            results = {
                name: await measure(operation, seconds, concurrency)
                for name, operation in (
                    ("read_rpc", rpc_read),
                    ("read_sql", sql_read),
                    ("write_rpc", rpc_write),
                    ("write_sql", sql_write),
                )
            }
        finally:
            await pool.close()
            await client.close()
    return heading("rpc_overhead") | {
        "seconds": seconds,
        "concurrency": concurrency,
        **results,
        "read_sql_over_rpc_throughput": round(
            results["read_sql"]["ops_per_second"] / results["read_rpc"]["ops_per_second"], 2
        ),
        "write_sql_over_rpc_throughput": round(
            results["write_sql"]["ops_per_second"] / results["write_rpc"]["ops_per_second"], 2
        ),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.seconds, args.concurrency)), indent=2))
