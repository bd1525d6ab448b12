"""The one place REST bodies are decoded: JSON that the store and its databases can hold.

Python's json module accepts what RFC 8259 does not (NaN and Infinity literals, numbers beyond a
double, lone surrogates); those reached the store as values nothing could write and answered
500. A body holding one is refused like malformed JSON: 422 `body -> {position}: JSON decode
error`. The stdlib still does the decoding, so malformed JSON keeps the positions the contract
shows, and integers within a double's range keep every digit.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

# An integer literal with more digits than this cannot be a double (nor, past 4300 digits,
# even a Python int by default).
MAX_INTEGER_DIGITS = len(str(int(sys.float_info.max)))


def _integer_parser(text: str) -> Callable[[str], int]:
    def parse(literal: str) -> int:
        if len(literal.lstrip("-")) <= MAX_INTEGER_DIGITS:
            number = int(literal)
            if abs(number) <= sys.float_info.max:
                return number
        raise json.JSONDecodeError("number out of range", text, text.find(literal))

    return parse


def json_document(body: bytes) -> Any:
    """The JSON value of `body`; json.JSONDecodeError when it is not JSON a store can hold."""
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except UnicodeDecodeError as undecodable:
        raise json.JSONDecodeError("invalid text", repr(body), undecodable.start) from None
    value = json.loads(text, parse_int=_integer_parser(text))
    # RFC 8259 strictly: no NaN/Infinity, no number beyond a double, no lone surrogate; its
    # error is a JSONDecodeError with the offending position.
    orjson.loads(body)
    return value


class JsonBodyRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json_document(await self.body())
        return self._json


class JsonBodyRoute(APIRoute):
    """A route whose handler reads its JSON body through json_document."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def decoding(request: Request) -> Response:
            return await handler(JsonBodyRequest(request.scope, request.receive))

        return decoding
