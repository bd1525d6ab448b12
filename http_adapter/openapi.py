"""The OpenAPI document, describing the error bodies the adapter really sends."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from http_adapter.schemas.responses import ValidationProblem


def install_openapi(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            # FastAPI documents every 422 as HTTPValidationError; ours is the contract's envelope.
            components["HTTPValidationError"] = ValidationProblem.model_json_schema()
            components.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
