"""The contract's status strings <-> the API's enums, one table per enum."""

from __future__ import annotations

from typing import Generic, TypeVar

from plant.store.v1 import billing_pb2, common_pb2, deliverables_pb2

E = TypeVar("E", bound=int)


class EnumTable(Generic[E]):
    def __init__(self, values: dict[str, E]) -> None:
        self._values = values
        self._names: dict[int, str] = {value: name for name, value in values.items()}

    def value(self, name: str) -> E:
        return self._values[name]

    def name(self, value: int) -> str:
        return self._names[value]

    def optional_name(self, value: int) -> str | None:
        return self._names.get(value)


SUBSCRIPTION_STATUS = EnumTable(
    {
        "pending_payment": common_pb2.SUBSCRIPTION_STATUS_PENDING_PAYMENT,
        "active": common_pb2.SUBSCRIPTION_STATUS_ACTIVE,
        "canceled": common_pb2.SUBSCRIPTION_STATUS_CANCELED,
    }
)
TRIAL_STATUS = EnumTable(
    {
        "not_started": common_pb2.TRIAL_STATUS_NOT_STARTED,
        "active": common_pb2.TRIAL_STATUS_ACTIVE,
        "ended_converted": common_pb2.TRIAL_STATUS_ENDED_CONVERTED,
        "ended_not_converted": common_pb2.TRIAL_STATUS_ENDED_NOT_CONVERTED,
    }
)
PAYMENT_PROVIDER = EnumTable(
    {
        "coupon": billing_pb2.PAYMENT_PROVIDER_COUPON,
        "razorpay": billing_pb2.PAYMENT_PROVIDER_RAZORPAY,
    }
)
ORDER_STATUS = EnumTable(
    {"created": billing_pb2.ORDER_STATUS_CREATED, "paid": billing_pb2.ORDER_STATUS_PAID}
)
TAX_TYPE = EnumTable(
    {
        "none": billing_pb2.TAX_TYPE_NONE,
        "cgst_sgst": billing_pb2.TAX_TYPE_CGST_SGST,
        "igst": billing_pb2.TAX_TYPE_IGST,
    }
)
WEBHOOK_OUTCOME = EnumTable(
    {
        "paid": billing_pb2.WEBHOOK_OUTCOME_PAID,
        "already_paid": billing_pb2.WEBHOOK_OUTCOME_ALREADY_PAID,
        "ignored": billing_pb2.WEBHOOK_OUTCOME_IGNORED,
    }
)
REVIEW_STATUS = EnumTable(
    {
        "pending_review": deliverables_pb2.REVIEW_STATUS_PENDING_REVIEW,
        "approved": deliverables_pb2.REVIEW_STATUS_APPROVED,
        "rejected": deliverables_pb2.REVIEW_STATUS_REJECTED,
    }
)
REVIEW_DECISION = EnumTable(
    {
        "approved": deliverables_pb2.REVIEW_DECISION_APPROVED,
        "rejected": deliverables_pb2.REVIEW_DECISION_REJECTED,
    }
)
EXECUTION_STATUS = EnumTable(
    {
        "not_executed": deliverables_pb2.EXECUTION_STATUS_NOT_EXECUTED,
        "executed": deliverables_pb2.EXECUTION_STATUS_EXECUTED,
    }
)
