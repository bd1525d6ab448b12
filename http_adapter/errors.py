"""Every error the adapter sends, decided in one place.

Store failures arrive as gRPC statuses carrying google.rpc.ErrorInfo. A known `reason` maps to the
contract's HTTP status and detail text (REASONS); otherwise the gRPC code decides (CODES). The
adapter never parses status message text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from google.rpc import error_details_pb2, status_pb2
from starlette.responses import Response

from http_adapter.body_limit import BodyTooLarge
from http_adapter.correlation import correlation_id
from http_adapter.responses import JsonResponse
from http_adapter.violations import violation
from plant_store_client.logging_context import failure
from plant_store_client.reasons import Reason

logger = logging.getLogger(__name__)

ERRORS_BASE = "https://waooaw.com/errors/"
STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True, slots=True)
class Plain:
    """FastAPI's plain `{"detail": ...}` body; `{name}` fields come from ErrorInfo metadata."""

    status: int
    detail: str


@dataclass(frozen=True, slots=True)
class Problem:
    """An RFC 7807 body with the contract's members; retryable ones say when (Retry-After)."""

    status: int
    slug: str
    title: str
    detail: str
    retry_after_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class PolicyDenial:
    """The RFC 7807 403 of a policy denial; `details` keys come from metadata in this order."""

    detail_keys: tuple[str, ...]


# The envelope of every policy denial (§2.3); `reason` and `details` vary.
POLICY_DENIAL = Problem(
    403,
    "policy-enforcement-denied",
    "Policy Enforcement Denied",
    "Policy denied deliverable execution",
)
INTERNAL = Problem(
    500,
    "internal-server-error",
    "Internal Server Error",
    "An unexpected error occurred. Please try again later.",
)
UNAVAILABLE = Problem(
    503,
    "service-unavailable",
    "Service Unavailable",
    "The service is temporarily unavailable. Please try again later.",
    retry_after_seconds=1,
)
TIMEOUT = Problem(504, "gateway-timeout", "Gateway Timeout", "The service did not answer in time.")
# A lost race (serialization failure, deadlock, a unique row inserted meanwhile): the same
# request succeeds or gets its real answer when sent again.
CONFLICT = Problem(
    409,
    "conflict",
    "Conflict",
    "The request conflicted with a concurrent update. Please retry.",
    retry_after_seconds=1,
)
IN_PROGRESS = Problem(
    409,
    "request-in-progress",
    "Request In Progress",
    "A request with this Idempotency-Key is still in progress. Please retry.",
    retry_after_seconds=1,
)
# Refusals of values the REST contract's validation cannot produce (gRPC-level checks).
INVALID_VALUE = Plain(400, "Invalid request value.")

# The answer to each reason the store raises: every Reason is here or in GRPC_ONLY
# (tests/rest/test_error_mapping.py).
REASONS: dict[Reason, Plain | PolicyDenial | Problem] = {
    Reason.AGENT_TYPE_ID_REQUIRED: Plain(400, "agent_type_id is required"),
    Reason.AGENT_TYPE_ID_MISMATCH: Plain(400, "agent_type_id mismatch"),
    Reason.AGENT_TYPE_NOT_FOUND: Plain(404, "Agent type not found"),
    Reason.AGENT_TYPE_VERSION_EXISTS: Plain(
        400, "Agent type {agent_type_id} version {version} already exists"
    ),
    Reason.IDEMPOTENCY_KEY_REUSED: Plain(409, "Idempotency-Key reuse with different payload."),
    Reason.CUSTOMER_ID_REQUIRED: Plain(400, "customer_id is required"),
    Reason.INVALID_COUPON_CODE: Plain(400, "Invalid coupon code."),
    Reason.INVALID_GSTIN: Plain(400, "Invalid GSTIN."),
    Reason.UNSUPPORTED_DURATION: Plain(400, "Unsupported duration."),
    Reason.ORDER_NOT_FOUND: Plain(404, "Order not found."),
    Reason.ORDER_NOT_RAZORPAY: Plain(409, "Order is not a Razorpay order."),
    Reason.ORDER_CUSTOMER_MISMATCH: Plain(403, "Order does not belong to customer"),
    Reason.PAYMENT_SECRET_MISSING: Plain(500, "Missing required env: {variable}"),
    Reason.INVALID_CHECKOUT_SIGNATURE: Plain(400, "Invalid Razorpay signature"),
    Reason.INVALID_WEBHOOK_SIGNATURE: Plain(400, "Invalid webhook signature"),
    Reason.INVALID_WEBHOOK_JSON: Plain(400, "Invalid webhook JSON"),
    Reason.SUBSCRIPTION_NOT_FOUND: Plain(404, "Subscription not found."),
    Reason.SUBSCRIPTION_CUSTOMER_MISMATCH: Plain(403, "Subscription does not belong to customer"),
    Reason.SUBSCRIPTION_NOT_ACTIVE: Plain(409, "Subscription is not active"),
    Reason.RECEIPT_NOT_FOUND: Plain(404, "Receipt not found"),
    Reason.INVOICE_NOT_FOUND: Plain(404, "Invoice not found"),
    Reason.INVOICE_CUSTOMER_MISMATCH: Plain(403, "Invoice does not belong to customer"),
    Reason.UNSUPPORTED_THEME: Plain(400, "Unsupported theme."),
    Reason.HIRED_AGENT_CUSTOMER_ID_REQUIRED: Plain(400, "customer_id is required."),
    Reason.HIRED_AGENT_READ_ONLY: Plain(
        409, "Subscription is not active; hired agent is read-only."
    ),
    Reason.HIRED_AGENT_CUSTOMER_MISMATCH: Plain(
        403, "Hired agent instance does not belong to customer."
    ),
    Reason.RAW_SECRET_IN_CONFIG: Plain(
        400,
        "Raw secrets are not allowed in Plant config (found at {path}). Use credential refs only.",
    ),
    Reason.HIRED_AGENT_NOT_FOUND: Plain(404, "Hired agent instance not found."),
    Reason.HIRED_AGENT_DATA_GONE: Plain(410, "Hired agent data is no longer available."),
    Reason.UNSUPPORTED_FREQUENCY: Plain(400, "Unsupported frequency."),
    Reason.UNKNOWN_AGENT_TYPE: Plain(400, "Unknown agent type; cannot validate goals."),
    Reason.AGENT_TYPE_DEFINITION_MISSING: Plain(400, "Agent type definition not found."),
    Reason.UNKNOWN_GOAL_TEMPLATE: Plain(400, "Unknown goal_template_id for this agent type."),
    Reason.MISSING_REQUIRED_SETTINGS: Plain(400, "Missing required settings: {keys}"),
    Reason.GOAL_INSTANCE_ID_REQUIRED: Plain(400, "goal_instance_id is required."),
    Reason.TRIAL_NOT_FOUND: Plain(404, "Trial not found"),
    Reason.DELIVERABLE_NOT_FOUND: Plain(404, "Deliverable not found."),
    # Values the database refused (too long, NUL bytes, …): the client's to fix.
    Reason.INVALID_VALUE: INVALID_VALUE,
    Reason.INVALID_TIMESTAMP: INVALID_VALUE,
    Reason.INVALID_IDENTIFIER: INVALID_VALUE,
    Reason.INVALID_BATCH_SIZE: INVALID_VALUE,
    Reason.INVALID_MAX_BATCHES: INVALID_VALUE,
    Reason.INVALID_LIMIT: INVALID_VALUE,
    Reason.INVALID_PAGE_TOKEN: INVALID_VALUE,
    Reason.INVALID_PAGE_SIZE: INVALID_VALUE,
    Reason.TOO_MANY_EVENT_IDS: INVALID_VALUE,
    Reason.AGENT_TYPE_INVALID: INVALID_VALUE,
    Reason.RETENTION_TOO_SHORT: INVALID_VALUE,
    # A document that is not a JSON object of at most 64 levels (the adapter refuses those
    # with a 422 before the store sees them).
    Reason.INVALID_DOCUMENT: INVALID_VALUE,
    Reason.DELIVERABLE_NOT_APPROVED: Plain(409, "Deliverable is not approved."),
    Reason.UNSUPPORTED_DECISION: Plain(400, "Unsupported decision."),
    Reason.APPROVAL_REQUIRED: PolicyDenial(("action", "message", "deliverable_id", "decision_id")),
    Reason.APPROVAL_INVALID: PolicyDenial(("deliverable_id", "action", "message")),
    Reason.TRANSACTION_CONFLICT: CONFLICT,
    Reason.ALREADY_EXISTS: CONFLICT,
    Reason.IDEMPOTENT_REQUEST_IN_PROGRESS: IN_PROGRESS,
    Reason.DATABASE_UNAVAILABLE: UNAVAILABLE,
    # Another transaction held a lock longer than the store may wait; nothing was written.
    Reason.LOCK_TIMEOUT: UNAVAILABLE,
    # The adapter's own faults (a message it built badly, a store token it lacks) and the
    # store's: nothing the client can change.
    Reason.MALFORMED_REQUEST: INTERNAL,
    Reason.UNAUTHENTICATED: INTERNAL,
    Reason.DATABASE_ERROR: INTERNAL,
    Reason.INTERNAL: INTERNAL,
}

# Reasons the adapter never answers from REASONS, each with why (the gRPC code decides for them).
# None today: even the reasons of RPCs only the CLI's jobs call (batch sizes, limits, retention,
# event ids) have an answer, the invalid value they are.
GRPC_ONLY: frozenset[Reason] = frozenset()


def _rule(reason: str) -> Plain | PolicyDenial | Problem | None:
    """The answer to a reason; None for one this adapter does not know (a newer store's)."""
    try:
        return REASONS.get(Reason(reason))
    except ValueError:
        return None


# Statuses the adapter answers by itself, besides the store's: edge checks (payments mode,
# Razorpay, missing headers) in the plain body, and the body limit.
EDGE_STATUSES = {
    400: "PlainError",
    403: "PlainError",
    404: "PlainError",
    500: "PlainError",
    502: "PlainError",
    413: "Problem",
}

# What a status without a known reason becomes: unreachable or overloaded stores are 503, a
# passed deadline is 504, an aborted transaction is worth a retry, and anything else is a fault
# the client cannot fix.
CODES: dict[grpc.StatusCode, Problem] = {
    grpc.StatusCode.OK: INTERNAL,
    grpc.StatusCode.CANCELLED: INTERNAL,
    grpc.StatusCode.UNKNOWN: INTERNAL,
    grpc.StatusCode.INVALID_ARGUMENT: INTERNAL,
    grpc.StatusCode.DEADLINE_EXCEEDED: TIMEOUT,
    grpc.StatusCode.NOT_FOUND: INTERNAL,
    grpc.StatusCode.ALREADY_EXISTS: INTERNAL,
    grpc.StatusCode.PERMISSION_DENIED: INTERNAL,
    grpc.StatusCode.RESOURCE_EXHAUSTED: UNAVAILABLE,
    grpc.StatusCode.FAILED_PRECONDITION: INTERNAL,
    grpc.StatusCode.ABORTED: CONFLICT,
    grpc.StatusCode.OUT_OF_RANGE: INTERNAL,
    grpc.StatusCode.UNIMPLEMENTED: INTERNAL,
    grpc.StatusCode.INTERNAL: INTERNAL,
    grpc.StatusCode.UNAVAILABLE: UNAVAILABLE,
    grpc.StatusCode.DATA_LOSS: INTERNAL,
    grpc.StatusCode.UNAUTHENTICATED: INTERNAL,
}


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo | None:
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            for detail in status_pb2.Status.FromString(value).details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info
    return None


def problem_response(request: Request, problem: Problem, **extra: Any) -> Response:
    body = {
        "type": ERRORS_BASE + problem.slug,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
        "correlation_id": correlation_id(request),
        **extra,
    }
    headers = (
        {"Retry-After": str(problem.retry_after_seconds)}
        if problem.retry_after_seconds is not None
        else None
    )
    return JsonResponse(body, status_code=problem.status, headers=headers)


def _policy_response(
    request: Request, reason: str, rule: PolicyDenial, info: error_details_pb2.ErrorInfo
) -> Response:
    details = {key: info.metadata[key] for key in rule.detail_keys if key in info.metadata}
    return problem_response(request, POLICY_DENIAL, reason=reason.lower(), details=details)


def store_error_response(request: Request, error: grpc.aio.AioRpcError) -> Response:
    info = error_info(error)
    rule = _rule(info.reason) if info is not None else None
    if info is not None and isinstance(rule, Plain):
        detail = rule.detail.format_map(dict(info.metadata))
        return JsonResponse({"detail": detail}, status_code=rule.status)
    if info is not None and isinstance(rule, PolicyDenial):
        return _policy_response(request, info.reason, rule, info)
    problem = rule if isinstance(rule, Problem) else CODES[error.code()]
    if problem is INTERNAL:
        logger.error("store call failed: %s %s", error.code().name, error.details())
    else:
        # 409/503/504: the operator's first question is why the store could not answer.
        logger.warning(
            "store call answered %d: %s, reason %s: %s",
            problem.status,
            error.code().name,
            info.reason if info is not None else "-",
            error.details(),
        )
    return problem_response(request, problem)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    violations = [violation(error) for error in exc.errors()]
    problem = Problem(
        422,
        "validation-error",
        "Request Validation Error",
        f"Request validation failed: {len(violations)} error(s)",
    )
    return problem_response(request, problem, violations=violations)


async def _too_deep(request: Request, exc: Exception) -> Response:
    # The JSON parser gives up on absurdly nested bodies before validation can say so.
    problem = Problem(
        422, "validation-error", "Request Validation Error", "Request validation failed: 1 error(s)"
    )
    return problem_response(request, problem, violations=["body: JSON nested too deeply"])


async def _store_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, grpc.aio.AioRpcError)
    return store_error_response(request, exc)


async def _body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return problem_response(
        request, Problem(413, "content-too-large", "Content Too Large", exc.detail)
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error on %s %s", request.method, request.url.path, extra=failure(exc))
    return problem_response(request, INTERNAL)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_exception_handler(ContractError, _contract_error)
    app.add_exception_handler(RecursionError, _too_deep)
    app.add_exception_handler(grpc.aio.AioRpcError, _store_error)
    app.add_exception_handler(Exception, _unexpected_error)


class ContractError(Exception):
    """An error the adapter itself answers with the contract's plain body (edge checks only)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def _contract_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ContractError)
    return JsonResponse({"detail": exc.detail}, status_code=exc.status)
