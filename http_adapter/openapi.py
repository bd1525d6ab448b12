"""The OpenAPI document, describing each operation and the error bodies the adapter really sends.

Each operation lists the errors the contract gives it (http_adapter/operation_docs.py), with
the contract's `detail` as an example, and the answers any operation can get besides: a value
the store refuses, a lost race, an unexpected error, a store that cannot answer, and for a body
past its limit, 413.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from http_adapter.errors import (
    CONFLICT,
    ERRORS_BASE,
    IN_PROGRESS,
    INTERNAL,
    INVALID_VALUE,
    POLICY_DENIAL,
    TIMEOUT,
    UNAVAILABLE,
    Problem,
)
from http_adapter.operation_docs import OPERATIONS, Failure
from http_adapter.schemas.responses import PlainError, PolicyProblem, ValidationProblem
from http_adapter.schemas.responses import Problem as ProblemBody

ERROR_BODIES: tuple[type[BaseModel], ...] = (PlainError, ProblemBody, PolicyProblem)
# Answers any operation can get, whatever the contract lists for it.
EVERY_OPERATION = (INTERNAL, CONFLICT, UNAVAILABLE, TIMEOUT)
# Every write takes an Idempotency-Key (docs/idempotency.md): reused for another request, or
# still running under its first request.
WRITES = frozenset({"POST", "PUT", "DELETE"})
KEY_REUSED = Failure(409, "Idempotency-Key reuse with different payload.")
TOO_LARGE = Problem(413, "content-too-large", "Content Too Large", "The request body is too large.")
# The `details` of each policy denial, keys in the contract's order (§5.14).
DENIAL_DETAILS = {
    "approval_required": {
        "action": "publish",
        "message": "External action requires customer approval_id",
        "deliverable_id": "DEL-7d1c…",
        "decision_id": "4c2d9a70-…",
    },
    "approval_invalid": {
        "deliverable_id": "DEL-7d1c…",
        "action": "publish",
        "message": "Invalid approval_id for execution",
    },
}

Answer = tuple[str, dict[str, Any], dict[str, Any]]


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
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    describe(operation, method.upper(), path)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def describe(operation: dict[str, Any], method: str, path: str) -> None:
    """Adds what the contract says of one operation: its purpose and every error answer."""
    documented = OPERATIONS[(method, path)]
    operation["summary"] = documented.summary
    operation["description"] = documented.description
    answers: dict[int, list[Answer]] = {}
    failures = (
        *documented.failures,
        Failure(INVALID_VALUE.status, INVALID_VALUE.detail),
        *((KEY_REUSED,) if method in WRITES else ()),
    )
    for failure in failures:
        answers.setdefault(failure.status, []).append(_contract_answer(failure, path))
    problems = [
        *EVERY_OPERATION,
        *((IN_PROGRESS,) if method in WRITES else ()),
        *((TOO_LARGE,) if "requestBody" in operation else ()),
    ]
    for rule in problems:
        answers.setdefault(rule.status, []).append(
            (rule.title, _ref(ProblemBody), _problem_body(rule, path))
        )
    responses = operation.setdefault("responses", {})
    for status, listed in answers.items():
        responses[str(status)] = _response(status, listed)
    operation["responses"] = dict(sorted(responses.items()))


def _contract_answer(failure: Failure, path: str) -> Answer:
    if failure.policy:
        body = _problem_body(POLICY_DENIAL, path) | {
            "reason": failure.detail,
            "details": DENIAL_DETAILS[failure.detail],
        }
        return failure.detail, _ref(PolicyProblem), body
    return failure.detail, _ref(PlainError), {"detail": failure.shown}


def _response(status: int, listed: list[Answer]) -> dict[str, Any]:
    schemas = list({str(schema): schema for _, schema, _ in listed}.values())
    examples: dict[str, Any] = {}
    for summary, _, body in listed:
        examples.setdefault(summary, {"summary": summary, "value": body})
    return {
        "description": HTTPStatus(status).phrase,
        "content": {
            "application/json": {
                "schema": schemas[0] if len(schemas) == 1 else {"anyOf": schemas},
                "examples": examples,
            }
        },
    }


def _problem_body(rule: Problem, path: str) -> dict[str, Any]:
    return {
        "type": ERRORS_BASE + rule.slug,
        "title": rule.title,
        "status": rule.status,
        "detail": rule.detail,
        "instance": path,
        "correlation_id": "cid-123",
    }


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}
