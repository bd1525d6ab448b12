"""Asks a running store whether it is SERVING (for container health checks and operators)."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from plant_store_client.tls import ClientTls


async def health_status(
    channel: grpc.aio.Channel, service: str = "", deadline_seconds: float = 3.0
) -> str:
    """The status name the store behind `channel` reports; NOT_FOUND for a service it does not
    know; UNREACHABLE when it does not answer within the deadline."""
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        response = await stub.Check(
            health_pb2.HealthCheckRequest(service=service), timeout=deadline_seconds
        )
    except grpc.aio.AioRpcError as error:
        return "NOT_FOUND" if error.code() == grpc.StatusCode.NOT_FOUND else "UNREACHABLE"
    name: str = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    return name


async def check_health(target: str, service: str = "", deadline_seconds: float = 3.0) -> str:
    """`health_status` over a channel of its own, with the TLS settings of the environment."""
    tls = ClientTls.from_env()
    channel = (
        grpc.aio.secure_channel(target, tls.credentials())
        if tls is not None
        else grpc.aio.insecure_channel(target)
    )
    async with channel:
        return await health_status(channel, service, deadline_seconds)


def probe(target: str, service: str = "") -> bool:
    status = asyncio.run(check_health(target, service))
    print(status)
    return status == "SERVING"
