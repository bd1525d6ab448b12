"""BillingService: payments, subscriptions, receipts and invoices."""

from __future__ import annotations

from typing import Any

import grpc
from plant.store.v1 import billing_pb2 as pb
from plant.store.v1 import billing_pb2_grpc, common_pb2

from plant_store_client.wire.enums import WEBHOOK_OUTCOME
from plant_store_client.wire.values import optional_instant, optional_text, timestamp
from store_service.config import StoreSettings
from store_service.domain.records import SubscriptionRow
from store_service.rpc.billing_messages import (
    invoice_message,
    order_message,
    receipt_message,
    subscription_message,
)
from store_service.rpc.paging import page_query, paged
from store_service.services import billing_documents, payments, subscriptions
from store_service.services.batches import batch_size, max_batches
from store_service.services.payments import (
    CouponCheckout,
    CouponPurchase,
    Purchase,
    RazorpayConfirmation,
    RazorpayOrder,
    RazorpayPurchase,
)
from store_service.services.subscriptions import PeriodsEnded
from store_service.services.units_of_work import Reply, UnitsOfWork


def _razorpay_purchase(
    request: pb.QuoteRazorpayOrderRequest | pb.CreateRazorpayOrderRequest,
) -> RazorpayPurchase:
    return RazorpayPurchase(
        agent_id=request.agent_id,
        duration=request.duration,
        customer_id=optional_text(request, "customer_id"),
        request_id=request.request_id,
    )


class BillingServicer(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self, units: UnitsOfWork, settings: StoreSettings) -> None:
        self.units = units
        self.settings = settings

    async def CheckoutWithCoupon(
        self, request: pb.CheckoutWithCouponRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CheckoutWithCouponResponse:
        checkout = CouponCheckout(
            coupon_code=request.coupon_code,
            agent_id=request.agent_id,
            duration=request.duration,
            customer_id=optional_text(request, "customer_id"),
            gstin=optional_text(request, "gstin"),
        )

        def answer(purchase: CouponPurchase) -> pb.CheckoutWithCouponResponse:
            return pb.CheckoutWithCouponResponse(
                order=order_message(purchase.order),
                subscription=subscription_message(purchase.subscription),
                coupon_code=purchase.coupon_code,
                trial_status=common_pb2.TRIAL_STATUS_NOT_STARTED,
            )

        return await payments.checkout_with_coupon(
            self.units,
            self.settings,
            checkout,
            request.request_id,
            Reply(
                "BillingService.CheckoutWithCoupon", request, pb.CheckoutWithCouponResponse, answer
            ),
        )

    async def QuoteRazorpayOrder(
        self, request: pb.QuoteRazorpayOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.QuoteRazorpayOrderResponse:
        quote = await payments.quote_razorpay_order(
            self.units, _razorpay_purchase(request), pb.CreateRazorpayOrderResponse
        )
        return pb.QuoteRazorpayOrderResponse(
            order_id=quote.order_id,
            subscription_id=quote.subscription_id,
            amount=quote.amount,
            currency="INR",
            created=quote.created,
        )

    async def CreateRazorpayOrder(
        self, request: pb.CreateRazorpayOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CreateRazorpayOrderResponse:
        def answer(purchase: Purchase) -> pb.CreateRazorpayOrderResponse:
            return pb.CreateRazorpayOrderResponse(
                order=order_message(purchase.order),
                subscription=subscription_message(purchase.subscription),
            )

        return await payments.create_razorpay_order(
            self.units,
            _razorpay_purchase(request),
            RazorpayOrder(
                order_id=request.order_id,
                subscription_id=request.subscription_id,
                razorpay_order_id=request.razorpay_order_id,
            ),
            Reply(
                "BillingService.CreateRazorpayOrder",
                request,
                pb.CreateRazorpayOrderResponse,
                answer,
            ),
        )

    async def ConfirmRazorpayPayment(
        self, request: pb.ConfirmRazorpayPaymentRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ConfirmRazorpayPaymentResponse:
        def answer(purchase: Purchase) -> pb.ConfirmRazorpayPaymentResponse:
            return pb.ConfirmRazorpayPaymentResponse(
                order=order_message(purchase.order),
                subscription=subscription_message(purchase.subscription),
            )

        return await payments.confirm_razorpay_payment(
            self.units,
            self.settings,
            RazorpayConfirmation(
                order_id=request.order_id,
                customer_id=optional_text(request, "customer_id"),
                razorpay_order_id=request.razorpay_order_id,
                razorpay_payment_id=request.razorpay_payment_id,
                razorpay_signature=request.razorpay_signature,
            ),
            Reply(
                "BillingService.ConfirmRazorpayPayment",
                request,
                pb.ConfirmRazorpayPaymentResponse,
                answer,
            ),
        )

    async def ApplyRazorpayWebhook(
        self, request: pb.ApplyRazorpayWebhookRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ApplyRazorpayWebhookResponse:
        def answer(outcome: str) -> pb.ApplyRazorpayWebhookResponse:
            return pb.ApplyRazorpayWebhookResponse(outcome=WEBHOOK_OUTCOME.value(outcome))

        return await payments.apply_razorpay_webhook(
            self.units,
            self.settings,
            request.body,
            request.signature,
            Reply(
                "BillingService.ApplyRazorpayWebhook",
                request,
                pb.ApplyRazorpayWebhookResponse,
                answer,
            ),
        )

    async def GetSubscription(
        self, request: pb.GetSubscriptionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetSubscriptionResponse:
        row = await subscriptions.get_subscription(self.units, request.subscription_id)
        return pb.GetSubscriptionResponse(subscription=subscription_message(row))

    async def ListCustomerSubscriptions(
        self,
        request: pb.ListCustomerSubscriptionsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.ListCustomerSubscriptionsResponse:
        query = page_query(request)
        rows = await subscriptions.list_customer_subscriptions(
            self.units, request.customer_id, query
        )
        page = paged(query, rows, subscription_message)
        return pb.ListCustomerSubscriptionsResponse(
            subscriptions=page.items, next_page_token=page.next_page_token
        )

    async def CancelSubscription(
        self, request: pb.CancelSubscriptionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CancelSubscriptionResponse:
        def answer(row: SubscriptionRow) -> pb.CancelSubscriptionResponse:
            return pb.CancelSubscriptionResponse(subscription=subscription_message(row))

        return await subscriptions.cancel_at_period_end(
            self.units,
            request.subscription_id,
            optional_text(request, "customer_id"),
            Reply(
                "BillingService.CancelSubscription", request, pb.CancelSubscriptionResponse, answer
            ),
        )

    async def ProcessPeriodEnd(
        self, request: pb.ProcessPeriodEndRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ProcessPeriodEndResponse:
        def answer(ended: PeriodsEnded) -> pb.ProcessPeriodEndResponse:
            return pb.ProcessPeriodEndResponse(
                processed=ended.processed, now=timestamp(ended.now), more=ended.more
            )

        size = batch_size(request.batch_size)
        return await subscriptions.end_due_periods(
            self.units,
            optional_instant(request, "now"),
            size,
            max_batches(request.max_batches),
            Reply("BillingService.ProcessPeriodEnd", request, pb.ProcessPeriodEndResponse, answer),
        )

    async def ListReceipts(
        self, request: pb.ListReceiptsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListReceiptsResponse:
        query = page_query(request)
        rows = await billing_documents.list_receipts(self.units, request.customer_id, query)
        page = paged(query, rows, receipt_message)
        return pb.ListReceiptsResponse(receipts=page.items, next_page_token=page.next_page_token)

    async def GetReceipt(
        self, request: pb.GetReceiptRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetReceiptResponse:
        row = await billing_documents.get_receipt(
            self.units, request.customer_id, receipt_id=request.receipt_id
        )
        return pb.GetReceiptResponse(receipt=receipt_message(row))

    async def GetReceiptByOrder(
        self, request: pb.GetReceiptByOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetReceiptByOrderResponse:
        row = await billing_documents.get_receipt(
            self.units, request.customer_id, order_id=request.order_id
        )
        return pb.GetReceiptByOrderResponse(receipt=receipt_message(row))

    async def ListInvoices(
        self, request: pb.ListInvoicesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListInvoicesResponse:
        query = page_query(request)
        rows = await billing_documents.list_invoices(self.units, request.customer_id, query)
        page = paged(query, rows, invoice_message)
        return pb.ListInvoicesResponse(invoices=page.items, next_page_token=page.next_page_token)

    async def GetInvoice(
        self, request: pb.GetInvoiceRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetInvoiceResponse:
        row = await billing_documents.get_invoice(
            self.units, request.customer_id, invoice_id=request.invoice_id
        )
        return pb.GetInvoiceResponse(invoice=invoice_message(row))

    async def GetInvoiceByOrder(
        self, request: pb.GetInvoiceByOrderRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetInvoiceByOrderResponse:
        row = await billing_documents.get_invoice(
            self.units, request.customer_id, order_id=request.order_id
        )
        return pb.GetInvoiceByOrderResponse(invoice=invoice_message(row))
