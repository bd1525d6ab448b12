"""/api/v1/payments: coupon checkout, Razorpay, and subscriptions (contract 4.3)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request
from plant.store.v1 import billing_pb2 as pb

from http_adapter import razorpay, rendering
from http_adapter.config import AdapterSettings
from http_adapter.dependencies import IdempotencyKey, Settings, Store
from http_adapter.errors import ContractError
from http_adapter.pages import every_page
from http_adapter.payments_mode import require_mode
from http_adapter.responses import JsonResponse
from http_adapter.routes import api_router
from http_adapter.schemas import responses
from http_adapter.schemas.payments import (
    CouponCheckoutRequest,
    ProcessAtRequest,
    RazorpayConfirmRequest,
    RazorpayOrderRequest,
)
from http_adapter.times import client_timestamp
from plant_store_client.client import StoreClient

router = api_router("/api/v1/payments", "payments")
WEBHOOK = "/razorpay/webhook"

RAZORPAY_DISABLED = "Razorpay {} is disabled when PAYMENTS_MODE is not 'razorpay'."


@router.post("/coupon/checkout", response_model=responses.CouponCheckout)
async def coupon_checkout(
    body: CouponCheckoutRequest,
    store: Store,
    settings: Settings,
    key: IdempotencyKey,
) -> JsonResponse:
    require_mode(
        settings, "coupon", "Coupon checkout is disabled when PAYMENTS_MODE is not 'coupon'."
    )
    request = pb.CheckoutWithCouponRequest(
        coupon_code=body.coupon_code,
        agent_id=body.agent_id,
        duration=body.duration,
        customer_id=body.customer_id,
        gstin=body.gstin,
        request_id=key,
    )
    response = await store.call(store.billing.CheckoutWithCoupon, request)
    return JsonResponse(rendering.coupon_checkout(response))


async def _create_razorpay_order(
    request: Request,
    store: StoreClient,
    settings: AdapterSettings,
    quote: pb.QuoteRazorpayOrderResponse,
    purchase: dict[str, Any],
) -> pb.CreateRazorpayOrderResponse:
    razorpay_order_id = await razorpay.create_order(
        request.app.state.http, settings, quote.amount, quote.order_id
    )
    created = pb.CreateRazorpayOrderRequest(
        order_id=quote.order_id,
        subscription_id=quote.subscription_id,
        razorpay_order_id=razorpay_order_id,
        **purchase,
    )
    return await store.call(store.billing.CreateRazorpayOrder, created)


@router.post("/razorpay/order", response_model=responses.RazorpayOrder)
async def razorpay_order(
    body: RazorpayOrderRequest,
    request: Request,
    store: Store,
    settings: Settings,
    key: IdempotencyKey,
) -> JsonResponse:
    require_mode(settings, "razorpay", RAZORPAY_DISABLED.format("checkout"))
    # What the client asks for; quote and creation carry the same, under the same key.
    purchase: dict[str, Any] = {
        "agent_id": body.agent_id,
        "duration": body.duration,
        "customer_id": body.customer_id,
        "request_id": key,
    }
    quote = await store.call(
        store.billing.QuoteRazorpayOrder, pb.QuoteRazorpayOrderRequest(**purchase)
    )
    # A retry of a key whose order exists replays it: no second Razorpay order.
    created = (
        quote.created
        if quote.HasField("created")
        else await _create_razorpay_order(request, store, settings, quote, purchase)
    )
    return JsonResponse(
        {
            "order_id": created.order.order_id,
            "subscription_id": created.subscription.subscription_id,
            "payment_provider": "razorpay",
            "currency": created.order.currency,
            "amount": created.order.amount,
            "razorpay_key_id": settings.razorpay_key_id,
            "razorpay_order_id": created.order.razorpay_order_id,
        }
    )


@router.post("/razorpay/confirm", response_model=responses.RazorpayConfirmation)
async def razorpay_confirm(
    body: RazorpayConfirmRequest, store: Store, settings: Settings, key: IdempotencyKey
) -> JsonResponse:
    require_mode(settings, "razorpay", RAZORPAY_DISABLED.format("confirm"))
    response = await store.call(
        store.billing.ConfirmRazorpayPayment,
        pb.ConfirmRazorpayPaymentRequest(
            order_id=body.order_id,
            customer_id=body.customer_id,
            razorpay_order_id=body.razorpay_order_id,
            razorpay_payment_id=body.razorpay_payment_id,
            razorpay_signature=body.razorpay_signature,
            request_id=key,
        ),
    )
    return JsonResponse(
        {
            "order_id": response.order.order_id,
            "subscription_id": response.subscription.subscription_id,
            "payment_provider": "razorpay",
            # Always the literal, even on a replay for a subscription canceled since (quirk 21).
            "subscription_status": "active",
        }
    )


WEBHOOK_ANSWERS = {
    pb.WEBHOOK_OUTCOME_PAID: {"ok": True},
    pb.WEBHOOK_OUTCOME_ALREADY_PAID: {"ok": True, "already_paid": True},
    pb.WEBHOOK_OUTCOME_IGNORED: {"ok": True, "ignored": True},
}


@router.post(WEBHOOK, response_model=responses.WebhookAnswer)
async def razorpay_webhook(
    request: Request,
    store: Store,
    settings: Settings,
    key: IdempotencyKey,
    signature: Annotated[str | None, Header(alias="X-Razorpay-Signature")] = None,
) -> JsonResponse:
    require_mode(settings, "razorpay", RAZORPAY_DISABLED.format("webhook"))
    if not signature:
        raise ContractError(400, "Missing X-Razorpay-Signature")
    response = await store.call(
        store.billing.ApplyRazorpayWebhook,
        pb.ApplyRazorpayWebhookRequest(
            body=await request.body(), signature=signature, request_id=key
        ),
    )
    return JsonResponse(WEBHOOK_ANSWERS[response.outcome])


@router.get("/subscriptions/by-customer/{customer_id}", response_model=list[responses.Subscription])
async def customer_subscriptions(customer_id: str, store: Store) -> JsonResponse:
    request = pb.ListCustomerSubscriptionsRequest(customer_id=customer_id)
    listed = await every_page(
        store, store.billing.ListCustomerSubscriptions, request, "subscriptions"
    )
    return JsonResponse([rendering.subscription(item) for item in listed])


@router.post("/subscriptions/process-period-end", response_model=responses.Processed)
async def process_period_end(
    body: ProcessAtRequest, store: Store, key: IdempotencyKey
) -> JsonResponse:
    request = pb.ProcessPeriodEndRequest(now=client_timestamp(body.now), request_id=key)
    response = await store.call(store.billing.ProcessPeriodEnd, request)
    return JsonResponse(rendering.processed(response, body.now))


@router.get("/subscriptions/{subscription_id}", response_model=responses.Subscription)
async def get_subscription(subscription_id: str, store: Store) -> JsonResponse:
    request = pb.GetSubscriptionRequest(subscription_id=subscription_id)
    response = await store.call(store.billing.GetSubscription, request)
    return JsonResponse(rendering.subscription(response.subscription))


@router.post("/subscriptions/{subscription_id}/cancel", response_model=responses.Subscription)
async def cancel_subscription(
    subscription_id: str, store: Store, key: IdempotencyKey, customer_id: str | None = None
) -> JsonResponse:
    request = pb.CancelSubscriptionRequest(
        subscription_id=subscription_id, customer_id=customer_id, request_id=key
    )
    response = await store.call(store.billing.CancelSubscription, request)
    return JsonResponse(rendering.subscription(response.subscription))
