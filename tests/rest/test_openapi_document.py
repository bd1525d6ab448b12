"""The OpenAPI document describes every operation and every error answer the contract lists."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

import http_adapter
from http_adapter.errors import REASONS, Plain
from http_adapter.operation_docs import OPERATIONS, Failure

ADAPTER = Path(http_adapter.__file__).parent
ENVELOPES = {"500", "503", "504"}


def _shape(text: str) -> str:
    """A message with its variable parts blanked: `{path}` in a template, `{x}` in an f-string."""
    return re.sub(r"\{[^}]*\}", "{}", text)


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    return None


def messages_the_adapter_can_send() -> set[str]:
    """The store's reasons as the adapter renders them, and every string the adapter's own code
    holds (its payments-mode and Razorpay answers), outside the document being checked."""
    shapes = {_shape(rule.detail) for rule in REASONS.values() if isinstance(rule, Plain)}
    for source in ADAPTER.rglob("*.py"):
        if source.name == "operation_docs.py":
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            text = _literal(node)
            if text:
                shapes.add(_shape(text))
    return shapes


async def document(http: httpx.AsyncClient) -> dict[str, Any]:
    answer = await http.get("/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


async def test_every_operation_is_described(http: httpx.AsyncClient) -> None:
    paths = (await document(http))["paths"]
    served = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert served == set(OPERATIONS)
    assert len(served) == 36
    for path, item in paths.items():
        for method, operation in item.items():
            assert operation["description"] == OPERATIONS[(method.upper(), path)].description
            assert set(operation["responses"]) >= ENVELOPES, (method, path)


async def test_every_listed_error_is_documented_with_its_body(http: httpx.AsyncClient) -> None:
    paths = (await document(http))["paths"]
    for (method, path), documented in OPERATIONS.items():
        responses = paths[path][method.lower()]["responses"]
        for failure in documented.failures:
            content = responses[str(failure.status)]["content"]["application/json"]
            bodies = [example["value"] for example in content["examples"].values()]
            expected = {"reason": failure.detail} if failure.policy else {"detail": failure.shown}
            assert any(expected.items() <= body.items() for body in bodies), (method, path)


@pytest.mark.unit
def test_documented_errors_are_ones_the_adapter_sends() -> None:
    # A sendable message's blanks match anything: the variable's name, or a concrete value.
    # Shapes that are mostly blanks (`f"{host}:{port}"`) would match anything: left out.
    sendable = [
        re.compile(".+".join(map(re.escape, shape.split("{}"))))
        for shape in messages_the_adapter_can_send()
        if sum(character.isalpha() for character in shape) >= 10
    ]
    policy_reasons = {reason.lower() for reason in REASONS if reason.startswith("APPROVAL_")}

    def sent(failure: Failure) -> bool:
        if failure.policy:
            return failure.detail in policy_reasons
        return any(pattern.fullmatch(_shape(failure.detail)) for pattern in sendable)

    unsendable = {
        (method, path, failure.detail)
        for (method, path), documented in OPERATIONS.items()
        for failure in documented.failures
        if not sent(failure)
    }
    assert unsendable == set()


async def test_error_schemas_are_in_the_document(http: httpx.AsyncClient) -> None:
    schemas = (await document(http))["components"]["schemas"]
    assert schemas["PlainError"]["required"] == ["detail"]
    assert {"reason", "details", "correlation_id"} <= set(schemas["PolicyProblem"]["properties"])
