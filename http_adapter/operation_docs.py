"""What the OpenAPI document says of each operation: what it does, and every error the REST
contract lists for it (`../shared/contract/rest-v1.md` §4), with the exact `detail` it answers.

http_adapter/openapi.py renders these; tests/rest/test_openapi_document.py checks that every
route has an entry and that the answers named here are the ones the adapter really sends.
"""

from __future__ import annotations

from dataclasses import dataclass

# Contract wording that several operations share.
CUSTOMER_REQUIRED = "customer_id is required"
CUSTOMER_REQUIRED_HIRING = "customer_id is required."
AGENT_TYPE_ID_REQUIRED = "agent_type_id is required"
AGENT_TYPE_NOT_FOUND = "Agent type not found"
DB_MODE_OFF = "DB-backed agent types not enabled. Set USE_AGENT_TYPE_DB=true"
INSTANCE_NOT_FOUND = "Hired agent instance not found."
SUBSCRIPTION_NOT_FOUND = "Subscription not found."
READ_ONLY = "Subscription is not active; hired agent is read-only."
GONE = "Hired agent data is no longer available."
INVALID_MODE = "Invalid PAYMENTS_MODE; expected 'razorpay' or 'coupon'."
COUPON_IN_PRODUCTION = "PAYMENTS_MODE=coupon is not allowed in production."


@dataclass(frozen=True, slots=True)
class Failure:
    """One answer the contract lists: a plain `{"detail": …}` body (`{name}` parts filled as in
    `example`), or (with `policy`) the RFC 7807 policy-denial envelope of §2.3 whose `reason`
    is `detail`."""

    status: int
    detail: str
    example: str | None = None
    policy: bool = False

    @property
    def shown(self) -> str:
        return self.example or self.detail


@dataclass(frozen=True, slots=True)
class Operation:
    summary: str
    description: str
    failures: tuple[Failure, ...] = ()


RAW_SECRET = Failure(
    400,
    "Raw secrets are not allowed in Plant config (found at {path}). Use credential refs only.",
    "Raw secrets are not allowed in Plant config (found at exchange.api_key). "
    "Use credential refs only.",
)


def plain(*answers: tuple[int, str]) -> tuple[Failure, ...]:
    return tuple(Failure(status, detail) for status, detail in answers)


PAYMENTS_MODE = plain((500, INVALID_MODE), (500, COUPON_IN_PRODUCTION))
INSTANCE_OWNER = plain(
    (404, INSTANCE_NOT_FOUND), (400, CUSTOMER_REQUIRED_HIRING), (404, INSTANCE_NOT_FOUND)
)
WRITABLE = plain((404, SUBSCRIPTION_NOT_FOUND), (409, READ_ONLY))
INVOICE = plain(
    (400, CUSTOMER_REQUIRED),
    (404, "Invoice not found"),
    (403, "Invoice does not belong to customer"),
)
RECEIPT = plain((400, CUSTOMER_REQUIRED), (404, "Receipt not found"))

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/agent-types"): Operation(
        "List agent types",
        "Every agent type definition, in insertion order: the two seeds first, definitions "
        "added later appended; replacing a definition keeps its position.",
    ),
    ("GET", "/api/v1/agent-types/{agent_type_id}"): Operation(
        "Get an agent type",
        "The definition with this id (the path value is trimmed).",
        plain((400, AGENT_TYPE_ID_REQUIRED), (404, AGENT_TYPE_NOT_FOUND)),
    ),
    ("PUT", "/api/v1/agent-types/{agent_type_id}"): Operation(
        "Create or replace an agent type",
        "Stores the body under the trimmed path id, replacing an existing definition or "
        "creating one. Goal validation reads these definitions, so a replacement changes which "
        "goal templates and settings are accepted from then on.",
        plain((400, AGENT_TYPE_ID_REQUIRED), (400, "agent_type_id mismatch")),
    ),
    ("GET", "/api/v1/agent-types-db"): Operation(
        "List agent types (versioned registry)",
        "With USE_AGENT_TYPE_DB=true, the latest version of each definition in the registry, "
        "by agent_type_id; otherwise the same list as /api/v1/agent-types.",
    ),
    ("GET", "/api/v1/agent-types-db/{agent_type_id}"): Operation(
        "Get an agent type (versioned registry)",
        "The most recently created version of this definition (in fallback mode, the current "
        "catalog's).",
        plain((400, AGENT_TYPE_ID_REQUIRED), (404, AGENT_TYPE_NOT_FOUND)),
    ),
    ("POST", "/api/v1/agent-types-db/"): Operation(
        "Create an agent type version",
        "Adds a definition version to the registry (USE_AGENT_TYPE_DB=true only); "
        "(agent_type_id, version) is unique. The trailing slash is required.",
        (
            *plain((400, DB_MODE_OFF)),
            Failure(
                400,
                "Agent type {agent_type_id} version {version} already exists",
                "Agent type marketing.healthcare.v1 version 1.0.0 already exists",
            ),
        ),
    ),
    ("PUT", "/api/v1/agent-types-db/{agent_type_id}"): Operation(
        "Replace an agent type version",
        "Replaces the stored definition of this id and the body's version (USE_AGENT_TYPE_DB="
        "true only); it cannot create a new version.",
        plain(
            (400, DB_MODE_OFF),
            (400, AGENT_TYPE_ID_REQUIRED),
            (400, "agent_type_id mismatch"),
            (404, AGENT_TYPE_NOT_FOUND),
        ),
    ),
    ("POST", "/api/v1/payments/coupon/checkout"): Operation(
        "Check out with a coupon",
        "Creates a paid order and an active subscription with a coupon (no money moves), with "
        "a receipt and (when enabled) a GST invoice for a known customer. An Idempotency-Key "
        "header replays the first answer for the same payload.",
        (
            *PAYMENTS_MODE,
            *plain(
                (403, "Coupon checkout is disabled when PAYMENTS_MODE is not 'coupon'."),
                (400, "Invalid coupon code."),
                (400, "Invalid GSTIN."),
                (409, "Idempotency-Key reuse with different payload."),
                (400, "Unsupported duration."),
            ),
        ),
    ),
    ("POST", "/api/v1/payments/razorpay/order"): Operation(
        "Create a Razorpay order",
        "Creates an order with Razorpay's Orders API, then records the order and a subscription "
        "pending payment.",
        (
            *PAYMENTS_MODE,
            *plain(
                (403, "Razorpay checkout is disabled when PAYMENTS_MODE is not 'razorpay'."),
                (400, "Unsupported duration."),
                (500, "Missing required env: RAZORPAY_KEY_ID"),
                (500, "Missing required env: RAZORPAY_KEY_SECRET"),
            ),
            Failure(
                502, "Razorpay order create failed ({status})", "Razorpay order create failed (401)"
            ),
            *plain(
                (502, "Razorpay order create returned invalid response"),
            ),
        ),
    ),
    ("POST", "/api/v1/payments/razorpay/confirm"): Operation(
        "Confirm a Razorpay payment",
        "Client-side confirmation after Razorpay Checkout: verifies the signature over the "
        "order's own Razorpay order id, marks the order paid and activates its subscription, "
        "with a receipt and invoice. A second confirm of a paid order answers the same "
        "subscription; one payment confirms one order only.",
        (
            *PAYMENTS_MODE,
            *plain(
                (403, "Razorpay confirm is disabled when PAYMENTS_MODE is not 'razorpay'."),
                (404, "Order not found."),
                (409, "Order is not a Razorpay order."),
                (403, "Order does not belong to customer"),
                (500, "Missing required env: RAZORPAY_KEY_SECRET"),
                (400, "Invalid Razorpay signature"),
            ),
        ),
    ),
    ("POST", "/api/v1/payments/razorpay/webhook"): Operation(
        "Receive a Razorpay webhook",
        "Server-to-server notification from Razorpay, verified over the exact body bytes: a "
        "captured payment marks its order paid and activates the subscription. Unknown orders "
        'and other events answer {"ok": true, "ignored": true}.',
        (
            *PAYMENTS_MODE,
            *plain(
                (403, "Razorpay webhook is disabled when PAYMENTS_MODE is not 'razorpay'."),
                (400, "Missing X-Razorpay-Signature"),
                (500, "Missing required env: RAZORPAY_WEBHOOK_SECRET"),
                (400, "Invalid webhook signature"),
                (400, "Invalid webhook JSON"),
            ),
        ),
    ),
    ("GET", "/api/v1/payments/subscriptions/{subscription_id}"): Operation(
        "Get a subscription",
        "The subscription with this id (no customer check).",
        plain((404, SUBSCRIPTION_NOT_FOUND)),
    ),
    ("GET", "/api/v1/payments/subscriptions/by-customer/{customer_id}"): Operation(
        "List a customer's subscriptions",
        "Every subscription of the customer (any status), by current_period_end ascending.",
        plain((400, CUSTOMER_REQUIRED)),
    ),
    ("POST", "/api/v1/payments/subscriptions/{subscription_id}/cancel"): Operation(
        "Cancel at period end",
        "Schedules the cancellation at the end of the current period; the subscription stays "
        "active until period-end processing.",
        plain(
            (404, SUBSCRIPTION_NOT_FOUND),
            (403, "Subscription does not belong to customer"),
            (409, "Subscription is not active"),
        ),
    ),
    ("POST", "/api/v1/payments/subscriptions/process-period-end"): Operation(
        "Process period ends",
        "Operational: cancels every active subscription whose cancellation was scheduled and "
        "whose period has ended by `now`, and deactivates its hired agent.",
    ),
    ("PUT", "/api/v1/hired-agents/draft"): Operation(
        "Create or update a hired agent draft",
        "Creates the hired agent instance of a subscription, or updates it (keyed by "
        "subscription_id). Config holds credential references only.",
        (
            *plain(
                (400, "Unsupported theme."),
                (400, CUSTOMER_REQUIRED_HIRING),
                (404, SUBSCRIPTION_NOT_FOUND),
                (403, "Subscription does not belong to customer"),
                (409, READ_ONLY),
                (403, "Hired agent instance does not belong to customer."),
            ),
            RAW_SECRET,
        ),
    ),
    ("GET", "/api/v1/hired-agents/by-subscription/{subscription_id}"): Operation(
        "Resume a hired agent by subscription",
        "The subscription's hired agent instance for its customer; `as_of` sets the time of "
        "the retention check.",
        (*INSTANCE_OWNER, *plain((410, GONE))),
    ),
    ("POST", "/api/v1/hired-agents/{hired_instance_id}/finalize"): Operation(
        "Finalize a hired agent",
        "Completes the hire wizard: records goals_completed and starts the 7-day trial when "
        "the instance is configured and its goals are complete.",
        (*INSTANCE_OWNER, RAW_SECRET, *WRITABLE),
    ),
    ("POST", "/api/v1/hired-agents/process-trial-end"): Operation(
        "Process trial ends",
        "Operational: ends every active trial whose end has passed by `now`, converted while "
        "its subscription is active.",
    ),
    ("GET", "/api/v1/hired-agents/{hired_instance_id}/goals"): Operation(
        "List goals",
        "The instance's goals in creation order.",
        (*INSTANCE_OWNER, *plain((410, GONE))),
    ),
    ("PUT", "/api/v1/hired-agents/{hired_instance_id}/goals"): Operation(
        "Create or update a goal",
        "Creates or replaces one goal of the instance, validated against its agent type's goal "
        "templates and required settings.",
        (
            *INSTANCE_OWNER,
            *WRITABLE,
            *plain(
                (400, "Unsupported frequency."),
                (400, "Unknown agent type; cannot validate goals."),
                (400, "Agent type definition not found."),
                (400, "Unknown goal_template_id for this agent type."),
            ),
            Failure(
                400, "Missing required settings: {keys}", "Missing required settings: coin, side"
            ),
        ),
    ),
    ("DELETE", "/api/v1/hired-agents/{hired_instance_id}/goals"): Operation(
        "Delete a goal",
        'Removes one goal (its deliverables are kept); {"deleted": false} when there is none.',
        (*INSTANCE_OWNER, *WRITABLE, *plain((400, "goal_instance_id is required."))),
    ),
    ("GET", "/api/v1/hired-agents/{hired_instance_id}/deliverables"): Operation(
        "List deliverables",
        "Every deliverable of the instance; generates the drafts that are due at `as_of` (or "
        "now) first.",
        (*INSTANCE_OWNER, *plain((410, GONE))),
    ),
    ("POST", "/api/v1/deliverables/{deliverable_id}/review"): Operation(
        "Review a deliverable",
        "Approves (issuing an approval id) or rejects a deliverable, in any state.",
        (*plain((404, "Deliverable not found.")), *INSTANCE_OWNER, *plain((410, GONE))),
    ),
    ("POST", "/api/v1/deliverables/{deliverable_id}/execute"): Operation(
        "Execute a deliverable",
        "Marks an approved deliverable executed when the caller presents its approval id; "
        "denials are policy errors and are recorded.",
        (
            *plain((404, "Deliverable not found.")),
            *INSTANCE_OWNER,
            *plain((410, GONE), (409, "Deliverable is not approved.")),
            Failure(403, "approval_required", policy=True),
            Failure(403, "approval_invalid", policy=True),
        ),
    ),
    ("POST", "/api/v1/scheduler/goals/run-due"): Operation(
        "Generate due drafts",
        "Operational: generates the deliverable drafts due at `now` for every active, "
        "configured instance with completed goals (or one instance).",
    ),
    ("GET", "/api/v1/trial-status"): Operation(
        "List a customer's trials",
        "The trial state of each of the customer's hired agents.",
        plain((400, CUSTOMER_REQUIRED)),
    ),
    ("GET", "/api/v1/trial-status/by-subscription/{subscription_id}"): Operation(
        "Get a subscription's trial",
        "The trial state of the subscription's hired agent, for its customer.",
        plain((400, CUSTOMER_REQUIRED), (404, "Trial not found")),
    ),
    ("GET", "/api/v1/invoices"): Operation(
        "List a customer's invoices",
        "The customer's GST invoices, oldest first.",
        plain((400, CUSTOMER_REQUIRED)),
    ),
    ("GET", "/api/v1/invoices/by-order/{order_id}"): Operation(
        "Get an order's invoice", "The invoice of an order, for its customer.", INVOICE
    ),
    ("GET", "/api/v1/invoices/{invoice_id}"): Operation(
        "Get an invoice", "The invoice with this id, for its customer.", INVOICE
    ),
    ("GET", "/api/v1/invoices/{invoice_id}/html"): Operation(
        "Download an invoice",
        "The invoice as an HTML attachment (a tax invoice).",
        INVOICE,
    ),
    ("GET", "/api/v1/receipts"): Operation(
        "List a customer's receipts",
        "The customer's receipts, newest first.",
        plain((400, CUSTOMER_REQUIRED)),
    ),
    ("GET", "/api/v1/receipts/by-order/{order_id}"): Operation(
        "Get an order's receipt", "The receipt of an order, for its customer.", RECEIPT
    ),
    ("GET", "/api/v1/receipts/{receipt_id}"): Operation(
        "Get a receipt", "The receipt with this id, for its customer.", RECEIPT
    ),
    ("GET", "/api/v1/receipts/{receipt_id}/html"): Operation(
        "Download a receipt", "The receipt as an HTML attachment.", RECEIPT
    ),
}
