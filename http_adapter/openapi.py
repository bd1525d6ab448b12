"""The OpenAPI document, describing the error bodies the adapter really sends.

The error answers of every operation are read from the adapter's one error mapping
(http_adapter/errors.py), so the document cannot drift from it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from http_adapter.errors import CODES, EDGE_STATUSES, REASONS, PolicyDenial, Problem
from http_adapter.schemas.responses import PlainError, PolicyProblem, ValidationProblem
from http_adapter.schemas.responses import Problem as ProblemBody

ERROR_BODIES: tuple[type[BaseModel], ...] = (PlainError, ProblemBody, PolicyProblem)


def _error_statuses() -> dict[int, set[str]]:
    """Each status the adapter answers besides 200 and 422, with the bodies it comes in."""
    statuses: dict[int, set[str]] = {}
    for rule in (*REASONS.values(), *CODES.values()):
        body = "PolicyProblem" if isinstance(rule, PolicyDenial) else "PlainError"
        body = "Problem" if isinstance(rule, Problem) else body
        statuses.setdefault(403 if isinstance(rule, PolicyDenial) else rule.status, set()).add(body)
    for status, body in EDGE_STATUSES.items():
        statuses.setdefault(status, set()).add(body)
    return statuses


def _response(bodies: set[str]) -> dict[str, Any]:
    schemas = [{"$ref": f"#/components/schemas/{body}"} for body in sorted(bodies)]
    schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    return {"description": "Error", "content": {"application/json": {"schema": schema}}}


def install_openapi(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            # FastAPI documents every 422 as HTTPValidationError; ours is the contract's envelope.
            components["HTTPValidationError"] = ValidationProblem.model_json_schema()
            components.pop("ValidationError", None)
            for model in ERROR_BODIES:
                components[model.__name__] = model.model_json_schema()
            errors = {
                str(status): _response(bodies) for status, bodies in _error_statuses().items()
            }
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation["responses"] = errors | operation["responses"]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
