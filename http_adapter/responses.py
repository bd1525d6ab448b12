"""JSON responses rendered with orjson, keeping the key order the contract documents."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class JsonResponse(JSONResponse):
    # A JSONResponse, so the OpenAPI document shows each route's response model.
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
