"""Billing records -> BillingService messages."""

from __future__ import annotations

from plant.store.v1 import billing_pb2 as pb

from plant_store_client.wire.enums import (
    ORDER_STATUS,
    PAYMENT_PROVIDER,
    SUBSCRIPTION_STATUS,
    TAX_TYPE,
)
from plant_store_client.wire.values import timestamp
from store_service.domain.records import InvoiceRow, OrderRow, ReceiptRow, SubscriptionRow


def order_message(row: OrderRow) -> pb.Order:
    return pb.Order(
        order_id=row["order_id"],
        payment_provider=PAYMENT_PROVIDER.value(row["payment_provider"]),
        subscription_id=row["subscription_id"],
        amount=row["amount"],
        currency=row["currency"],
        agent_id=row["agent_id"],
        duration=row["duration"],
        customer_id=row["customer_id"],
        gstin=row["gstin"],
        status=ORDER_STATUS.value(row["status"]),
        created_at=timestamp(row["created_at"]),
        paid_at=timestamp(row["paid_at"]),
        razorpay_order_id=row["razorpay_order_id"],
    )


def subscription_message(row: SubscriptionRow) -> pb.Subscription:
    return pb.Subscription(
        subscription_id=row["subscription_id"],
        agent_id=row["agent_id"],
        duration=row["duration"],
        customer_id=row["customer_id"],
        status=SUBSCRIPTION_STATUS.value(row["status"]),
        current_period_start=timestamp(row["current_period_start"]),
        current_period_end=timestamp(row["current_period_end"]),
        cancel_at_period_end=row["cancel_at_period_end"],
        ended_at=timestamp(row["ended_at"]),
    )


def _items(row: ReceiptRow | InvoiceRow) -> list[pb.LineItem]:
    return [pb.LineItem(**item) for item in row["items"]]


def receipt_message(row: ReceiptRow) -> pb.Receipt:
    return pb.Receipt(
        receipt_id=row["receipt_id"],
        receipt_number=row["receipt_number"],
        created_at=timestamp(row["created_at"]),
        customer_id=row["customer_id"],
        order_id=row["order_id"],
        subscription_id=row["subscription_id"],
        currency=row["currency"],
        total_amount=row["total_amount"],
        payment_status=row["payment_status"],
        items=_items(row),
    )


def invoice_message(row: InvoiceRow) -> pb.Invoice:
    return pb.Invoice(
        invoice_id=row["invoice_id"],
        invoice_number=row["invoice_number"],
        customer_id=row["customer_id"],
        order_id=row["order_id"],
        subscription_id=row["subscription_id"],
        currency=row["currency"],
        seller_legal_name=row["seller_legal_name"],
        seller_gstin=row["seller_gstin"],
        seller_state_code=row["seller_state_code"],
        customer_business_name=row["customer_business_name"],
        customer_business_address=row["customer_business_address"],
        customer_gstin=row["customer_gstin"],
        customer_state_code=row["customer_state_code"],
        subtotal_amount=row["subtotal_amount"],
        cgst_amount=row["cgst_amount"],
        sgst_amount=row["sgst_amount"],
        igst_amount=row["igst_amount"],
        total_amount=row["total_amount"],
        tax_regime=row["tax_regime"],
        created_at=timestamp(row["created_at"]),
        tax_type=TAX_TYPE.value(row["tax_type"]),
        items=_items(row),
    )
