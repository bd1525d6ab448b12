"""A stand-in for the store: a real local gRPC server whose ListAgentTypes does what a test sets,
for the adapter and the client under any status the store could answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from plant.store.v1 import catalog_pb2 as pb

Behavior = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


class StandIn:
    """A gRPC server whose ListAgentTypes does whatever the test sets."""

    def __init__(self) -> None:
        self.behavior: Behavior | None = None
        self.server = grpc.aio.server()
        handler = grpc.unary_unary_rpc_method_handler(
            self._call,
            request_deserializer=pb.ListAgentTypesRequest.FromString,
            response_serializer=pb.ListAgentTypesResponse.SerializeToString,
        )
        self.server.add_generic_rpc_handlers(
            (
                grpc.method_handlers_generic_handler(
                    "plant.store.v1.CatalogService", {"ListAgentTypes": handler}
                ),
            )
        )
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    async def _call(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        assert self.behavior is not None
        return await self.behavior(request, context)


def aborting_with(status: grpc.Status) -> Behavior:
    async def behavior(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await context.abort_with_status(status)

    return behavior
