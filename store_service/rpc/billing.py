"""BillingService: payments, subscriptions, receipts and invoices."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import grpc
from plant.store.v1 import billing_pb2 as pb
from plant.store.v1 import billing_pb2_grpc, common_pb2

from plant_store_client.wire.enums import WEBHOOK_OUTCOME
from plant_store_client.wire.values import optional_instant, optional_text, timestamp
from store_service.config import StoreSettings
from store_service.db.sql import Transaction
from store_service.rpc import paging
from store_service.rpc.billing_messages import (
    invoice_message,
    order_message,
    receipt_message,
    subscription_message,
)
from store_service.services import billing_documents, payments, subscriptions
from store_service.services.batches import batch_size
from store_service.services.idempotency import IdempotencyKey
from store_service.services.units_of_work import Reply, UnitsOfWork, as_is


def _purchase_key(
    request: pb.QuoteRazorpayOrderRequest | pb.CreateRazorpayOrderRequest,
) -> IdempotencyKey | None:
    return payments.razorpay_order_key(
        request.agent_id,
        request.duration,
        optional_text(request, "customer_id"),
        request.request_id,
    )


class BillingServicer(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.settings = settings

    async def CheckoutWithCoupon(
        self, request: pb.CheckoutWithCouponRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CheckoutWithCouponResponse:
        checkout = payments.prepare_coupon_checkout(
            request.coupon_code,
            request.agent_id,
            request.duration,
            optional_text(request, "customer_id"),
            optional_text(request, "gstin"),
        )

        async def work(tx: Transaction, now: datetime) -> pb.CheckoutWithCouponResponse:
            purchase = await payments.checkout_with_coupon(tx, self.settings, checkout, now)
            return pb.CheckoutWithCouponResponse(
                order=order_message(purchase.order),
                subscription=subscription_message(purchase.subscription),
                coupon_code=checkout.coupon_code,
                trial_status=common_pb2.TRIAL_STATUS_NOT_STARTED,
            )

        return await self.units.write(
            Reply(
                "BillingService.CheckoutWithCoupon", request, pb.CheckoutWithCouponResponse, as_is
            ),
            work,
            key=checkout.idempotency_key(request.request_id),
        )

    async def QuoteRazorpayOrder(
        self, request: pb.QuoteRazorpayOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.QuoteRazorpayOrderResponse:
        quote = payments.quote_razorpay_order(request.duration)
        key = _purchase_key(request)
        created = await self.units.answered(key, pb.CreateRazorpayOrderResponse)
        return pb.QuoteRazorpayOrderResponse(
            order_id=quote.order_id,
            subscription_id=quote.subscription_id,
            amount=quote.amount,
            currency="INR",
            created=created,
        )

    async def CreateRazorpayOrder(
        self, request: pb.CreateRazorpayOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CreateRazorpayOrderResponse:
        async def work(tx: Transaction, now: datetime) -> pb.CreateRazorpayOrderResponse:
            purchase = await payments.create_razorpay_order(
                tx,
                order_id=request.order_id,
                subscription_id=request.subscription_id,
                agent_id=request.agent_id,
                duration=request.duration,
                customer_id=optional_text(request, "customer_id"),
                razorpay_order_id=request.razorpay_order_id,
                now=now,
            )
            return pb.CreateRazorpayOrderResponse(
                order=order_message(purchase.order),
                subscription=subscription_message(purchase.subscription),
            )

        key = _purchase_key(request)
        return await self.units.write(
            Reply(
                "BillingService.CreateRazorpayOrder", request, pb.CreateRazorpayOrderResponse, as_is
            ),
            work,
            key=key,
        )

    async def ConfirmRazorpayPayment(
        self, request: pb.ConfirmRazorpayPaymentRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ConfirmRazorpayPaymentResponse:
        async def work(tx: Transaction, now: datetime) -> pb.ConfirmRazorpayPaymentResponse:
            purchase = await payments.confirm_razorpay_payment(
                tx,
                self.settings,
                order_id=request.order_id,
                customer_id=optional_text(request, "customer_id"),
                razorpay_order_id=request.razorpay_order_id,
                razorpay_payment_id=request.razorpay_payment_id,
                razorpay_signature=request.razorpay_signature,
                now=now,
            )
            return pb.ConfirmRazorpayPaymentResponse(
                order=order_message(purchase.order),
                subscription=subscription_message(purchase.subscription),
            )

        return await self.units.write(
            Reply(
                "BillingService.ConfirmRazorpayPayment",
                request,
                pb.ConfirmRazorpayPaymentResponse,
                as_is,
            ),
            work,
        )

    async def ApplyRazorpayWebhook(
        self, request: pb.ApplyRazorpayWebhookRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ApplyRazorpayWebhookResponse:
        async def work(tx: Transaction, now: datetime) -> pb.ApplyRazorpayWebhookResponse:
            outcome = await payments.apply_razorpay_webhook(
                tx, self.settings, request.body, request.signature, now
            )
            return pb.ApplyRazorpayWebhookResponse(outcome=WEBHOOK_OUTCOME.value(outcome))

        return await self.units.write(
            Reply(
                "BillingService.ApplyRazorpayWebhook",
                request,
                pb.ApplyRazorpayWebhookResponse,
                as_is,
            ),
            work,
        )

    async def GetSubscription(
        self, request: pb.GetSubscriptionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetSubscriptionResponse:
        async def work(tx: Transaction) -> pb.GetSubscriptionResponse:
            row = await subscriptions.get_subscription(tx, request.subscription_id)
            return pb.GetSubscriptionResponse(subscription=subscription_message(row))

        return await self.units.read(work)

    async def ListCustomerSubscriptions(
        self,
        request: pb.ListCustomerSubscriptionsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.ListCustomerSubscriptionsResponse:
        async def work(tx: Transaction) -> pb.ListCustomerSubscriptionsResponse:
            page = await paging.read_page(
                subscriptions.CUSTOMER_SUBSCRIPTIONS,
                request,
                partial(subscriptions.list_customer_subscriptions, tx, request.customer_id),
                subscription_message,
            )
            return pb.ListCustomerSubscriptionsResponse(
                subscriptions=page.items, next_page_token=page.next_page_token
            )

        return await self.units.read(work)

    async def CancelSubscription(
        self, request: pb.CancelSubscriptionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CancelSubscriptionResponse:
        async def work(tx: Transaction, now: datetime) -> pb.CancelSubscriptionResponse:
            row = await subscriptions.cancel_at_period_end(
                tx, request.subscription_id, optional_text(request, "customer_id"), now
            )
            return pb.CancelSubscriptionResponse(subscription=subscription_message(row))

        return await self.units.write(
            Reply(
                "BillingService.CancelSubscription", request, pb.CancelSubscriptionResponse, as_is
            ),
            work,
        )

    async def ProcessPeriodEnd(
        self, request: pb.ProcessPeriodEndRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ProcessPeriodEndResponse:
        size = batch_size(request.batch_size)
        effective = optional_instant(request, "now")

        async def run(clock: datetime) -> pb.ProcessPeriodEndResponse:
            now = effective or clock
            processed = 0
            while True:
                batch = await self.units.in_transaction(
                    lambda tx: subscriptions.end_due_periods(tx, now, size)
                )
                if batch == 0:
                    return pb.ProcessPeriodEndResponse(processed=processed, now=timestamp(now))
                processed += batch

        return await self.units.job(
            Reply("BillingService.ProcessPeriodEnd", request, pb.ProcessPeriodEndResponse, as_is),
            run,
        )

    async def ListReceipts(
        self, request: pb.ListReceiptsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListReceiptsResponse:
        async def work(tx: Transaction) -> pb.ListReceiptsResponse:
            page = await paging.read_page(
                billing_documents.CUSTOMER_RECEIPTS,
                request,
                partial(billing_documents.list_receipts, tx, request.customer_id),
                receipt_message,
            )
            return pb.ListReceiptsResponse(
                receipts=page.items, next_page_token=page.next_page_token
            )

        return await self.units.read(work)

    async def GetReceipt(
        self, request: pb.GetReceiptRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetReceiptResponse:
        async def work(tx: Transaction) -> pb.GetReceiptResponse:
            row = await billing_documents.get_receipt(
                tx, request.customer_id, receipt_id=request.receipt_id
            )
            return pb.GetReceiptResponse(receipt=receipt_message(row))

        return await self.units.read(work)

    async def GetReceiptByOrder(
        self, request: pb.GetReceiptByOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetReceiptByOrderResponse:
        async def work(tx: Transaction) -> pb.GetReceiptByOrderResponse:
            row = await billing_documents.get_receipt(
                tx, request.customer_id, order_id=request.order_id
            )
            return pb.GetReceiptByOrderResponse(receipt=receipt_message(row))

        return await self.units.read(work)

    async def ListInvoices(
        self, request: pb.ListInvoicesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListInvoicesResponse:
        async def work(tx: Transaction) -> pb.ListInvoicesResponse:
            page = await paging.read_page(
                billing_documents.CUSTOMER_INVOICES,
                request,
                partial(billing_documents.list_invoices, tx, request.customer_id),
                invoice_message,
            )
            return pb.ListInvoicesResponse(
                invoices=page.items, next_page_token=page.next_page_token
            )

        return await self.units.read(work)

    async def GetInvoice(
        self, request: pb.GetInvoiceRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetInvoiceResponse:
        async def work(tx: Transaction) -> pb.GetInvoiceResponse:
            row = await billing_documents.get_invoice(
                tx, request.customer_id, invoice_id=request.invoice_id
            )
            return pb.GetInvoiceResponse(invoice=invoice_message(row))

        return await self.units.read(work)

    async def GetInvoiceByOrder(
        self, request: pb.GetInvoiceByOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetInvoiceByOrderResponse:
        async def work(tx: Transaction) -> pb.GetInvoiceByOrderResponse:
            row = await billing_documents.get_invoice(
                tx, request.customer_id, order_id=request.order_id
            )
            return pb.GetInvoiceByOrderResponse(invoice=invoice_message(row))

        return await self.units.read(work)
