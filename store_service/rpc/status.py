"""Turns domain and wire errors into gRPC statuses with google.rpc.ErrorInfo."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from plant_store_client.reasons import Reason
from plant_store_client.wire.errors import InvalidWireValue
from store_service.domain.errors import DomainError, ErrorKind, invalid

ERROR_DOMAIN = "plant.store.v1"

CODES = {
    ErrorKind.INVALID_ARGUMENT: code_pb2.INVALID_ARGUMENT,
    ErrorKind.NOT_FOUND: code_pb2.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    ErrorKind.FAILED_PRECONDITION: code_pb2.FAILED_PRECONDITION,
    ErrorKind.PERMISSION_DENIED: code_pb2.PERMISSION_DENIED,
    ErrorKind.ABORTED: code_pb2.ABORTED,
    ErrorKind.UNAVAILABLE: code_pb2.UNAVAILABLE,
    ErrorKind.INTERNAL: code_pb2.INTERNAL,
}

# Error details travel in trailing metadata, which gRPC caps at 16 KiB: echo at most this much of
# any client-supplied value.
MAX_METADATA_VALUE = 256


def build_status(
    code: int, reason: str, message: str, metadata: dict[str, str] | None = None
) -> grpc.Status:
    clipped = {key: value[:MAX_METADATA_VALUE] for key, value in (metadata or {}).items()}
    info = error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=clipped)
    detail = any_pb2.Any()
    detail.Pack(info)
    return rpc_status.to_status(status_pb2.Status(code=code, message=message, details=[detail]))


def domain_status(error: DomainError) -> grpc.Status:
    return build_status(CODES[error.kind], error.reason, error.message, error.metadata)


def wire_status(error: InvalidWireValue) -> grpc.Status:
    """A value the wire conversions refused: the caller's to fix, like any invalid argument."""
    return domain_status(invalid(error.reason, error.message, **error.metadata))


def internal_status() -> grpc.Status:
    return build_status(code_pb2.INTERNAL, Reason.INTERNAL, "Internal error")
