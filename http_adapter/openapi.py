"""The OpenAPI document, describing the error bodies the adapter really sends."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from http_adapter.errors import ERRORS_BASE, INTERNAL, TIMEOUT, UNAVAILABLE
from http_adapter.errors import Problem as ProblemRule
from http_adapter.operation_docs import OPERATIONS, Failure
from http_adapter.schemas.responses import PlainError, PolicyProblem, Problem, ValidationProblem

SCHEMAS: tuple[type[BaseModel], ...] = (PlainError, Problem, PolicyProblem)
# Every operation calls the store: these envelopes can answer any of them.
EVERY_OPERATION = (INTERNAL, UNAVAILABLE, TIMEOUT)
DENIAL = ProblemRule(
    403,
    "policy-enforcement-denied",
    "Policy Enforcement Denied",
    "Policy denied deliverable execution",
)
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


def install_openapi(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            # FastAPI documents every 422 as HTTPValidationError; ours is the contract's envelope.
            components["HTTPValidationError"] = ValidationProblem.model_json_schema()
            components.pop("ValidationError", None)
            for model in SCHEMAS:
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
    responses = operation.setdefault("responses", {})
    answers: dict[int, list[tuple[str, dict[str, Any], dict[str, Any]]]] = {}
    for failure in documented.failures:
        answers.setdefault(failure.status, []).append(_contract_answer(failure, path))
    for rule in EVERY_OPERATION:
        answers.setdefault(rule.status, []).append(
            (rule.title, _ref(Problem), _problem_body(rule, path))
        )
    for status, listed in answers.items():
        responses[str(status)] = _response(status, listed)
    operation["responses"] = dict(sorted(responses.items()))


def _contract_answer(failure: Failure, path: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    if failure.policy:
        body = _problem_body(DENIAL, path) | {
            "reason": failure.detail,
            "details": DENIAL_DETAILS[failure.detail],
        }
        return failure.detail, _ref(PolicyProblem), body
    return failure.detail, _ref(PlainError), {"detail": failure.shown}


def _response(
    status: int, answers: Iterable[tuple[str, dict[str, Any], dict[str, Any]]]
) -> dict[str, Any]:
    listed = list(answers)
    schemas = list({str(schema): schema for _, schema, _ in listed}.values())
    examples: dict[str, Any] = {}
    for summary, _, body in listed:
        examples.setdefault(summary, {"summary": summary, "value": body})
    return {
        "description": HTTPStatus(status).phrase,
        "content": {
            "application/json": {
                "schema": schemas[0] if len(schemas) == 1 else {"oneOf": schemas},
                "examples": examples,
            }
        },
    }


def _problem_body(rule: ProblemRule, path: str) -> dict[str, Any]:
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
