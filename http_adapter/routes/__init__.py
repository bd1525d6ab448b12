"""One router module per REST resource."""

from __future__ import annotations

from fastapi import APIRouter

from http_adapter.json_body import StrictJsonRoute
from http_adapter.responses import JsonResponse


def api_router(prefix: str, tag: str) -> APIRouter:
    """A resource's router. Its routes are registered on the app directly (http_adapter/app.py),
    so it carries the response class `include_router` would have given them. Its bodies are
    parsed strictly (http_adapter/json_body.py)."""
    return APIRouter(
        prefix=prefix, tags=[tag], default_response_class=JsonResponse, route_class=StrictJsonRoute
    )
