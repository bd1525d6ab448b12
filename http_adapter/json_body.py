"""Request bodies parsed by the strict JSON parser the store uses too
(plant_store_client/wire/documents.py)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from plant_store_client.wire.documents import parse_json

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class StrictJsonRequest(Request):
    """A request whose JSON body refuses NaN, Infinity, out-of-range numbers and unpaired
    surrogates as malformed (422 `JSON decode error`), where Python's parser takes them."""

    async def json(self) -> Any:
        if not hasattr(self, "_strict_json"):
            self._strict_json = parse_json(await self.body())
        return self._strict_json


class StrictJsonRoute(APIRoute):
    """A route that hands FastAPI a StrictJsonRequest (FastAPI parses bodies with `json()`)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict
