"""One server interceptor: caller authentication, correlation ids, and error-to-status mapping.

Every servicer raises plain domain errors (and the wire conversions their own); this is the one
place they become gRPC statuses.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError
from google.rpc import code_pb2

from plant_store_client.logging_context import correlation_id, failure, printable_correlation_id
from plant_store_client.reasons import Reason
from plant_store_client.wire.errors import InvalidWireValue
from store_service.deadlines import call_deadline
from store_service.domain.errors import DomainError
from store_service.metrics import RPC_DURATION, RPC_REQUESTS
from store_service.rpc.request_values import refusal
from store_service.rpc.status import build_status, domain_status, internal_status, wire_status

logger = logging.getLogger(__name__)
# One line per RPC: method, status code and duration (and the correlation id, like every line).
access = logging.getLogger("plant.store.access")
# Probes ask every few seconds: their access lines only at DEBUG.
HEALTH_PREFIX = "/grpc.health.v1.Health/"

CORRELATION_HEADER = "x-correlation-id"
AUTHORIZATION_HEADER = "authorization"
HEALTH_SERVICE = "grpc.health.v1.Health"

Behavior = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


def _unauthenticated() -> grpc.Status:
    return build_status(
        code_pb2.UNAUTHENTICATED, Reason.UNAUTHENTICATED, "Missing or invalid store credentials"
    )


class Malformed:
    """Stands in for a request whose bytes did not parse, so the handler can refuse it."""


MALFORMED = Malformed()


def _lenient(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except DecodeError:
            return MALFORMED

    return parse


def _malformed() -> grpc.Status:
    return build_status(
        code_pb2.INVALID_ARGUMENT, Reason.MALFORMED_REQUEST, "The request is not a valid message"
    )


def _outcome(status: grpc.Status) -> str:
    return str(status.code.name)


def _guard(behavior: Behavior, method: str, cid: str, denied: bool) -> Behavior:
    async def guarded(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        started = time.perf_counter()
        token = correlation_id.set(cid)
        code = "OK"
        try:
            status = (
                _unauthenticated() if denied else _malformed() if request is MALFORMED else None
            )
            refused = refusal(request) if status is None else None
            if refused is not None:
                status = domain_status(refused)
            if status is None:
                try:
                    with call_deadline(context.time_remaining()):
                        return await behavior(request, context)
                except DomainError as error:
                    status = domain_status(error)
                except InvalidWireValue as error:
                    status = wire_status(error)
                except grpc.aio.AbortError:
                    raise
                except Exception as error:
                    logger.error("unexpected error in %s", method, extra=failure(error))
                    status = internal_status()
            code = _outcome(status)
            await context.abort_with_status(status)
        finally:
            elapsed = time.perf_counter() - started
            RPC_REQUESTS.labels(method, code).inc()
            RPC_DURATION.labels(method).observe(elapsed)
            level = logging.DEBUG if method.startswith(HEALTH_PREFIX) else logging.INFO
            if access.isEnabledFor(level):
                access.log(
                    level,
                    "rpc",
                    extra={"rpc": method, "code": code, "duration_ms": round(elapsed * 1e3, 3)},
                )
            correlation_id.reset(token)

    return guarded


async def _deny(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    await context.abort_with_status(_unauthenticated())


class StoreInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, auth_token: str | None) -> None:
        self._expected = f"Bearer {auth_token}".encode() if auth_token else None

    def _denied(self, metadata: dict[str, str], method: str) -> bool:
        if self._expected is None or method.startswith(f"/{HEALTH_SERVICE}/"):
            return False
        offered = metadata.get(AUTHORIZATION_HEADER, "").encode()
        return not hmac.compare_digest(offered, self._expected)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        metadata = {
            key: value
            for key, value in handler_call_details.invocation_metadata or ()
            if isinstance(value, str)
        }
        denied = self._denied(metadata, handler_call_details.method)
        options = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            cid = printable_correlation_id(metadata.get(CORRELATION_HEADER, "-"))
            return grpc.unary_unary_rpc_method_handler(
                _guard(handler.unary_unary, handler_call_details.method, cid, denied),
                request_deserializer=_lenient(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        if not denied:
            return handler
        # Streaming RPCs (health watch, reflection) need no mapping; only the gate applies.
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(_deny, **options)
        return grpc.stream_stream_rpc_method_handler(_deny, **options)
