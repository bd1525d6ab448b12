"""JSON documents (config, settings, payloads, metadata) as exact JSON text: the one parser and
the one writer that the store, the adapter and other clients share."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

# The deepest nesting a document may have; the document object itself is level 1.
MAX_DEPTH = 64

Document = dict[str, Any]


class InvalidDocument(ValueError):
    """Text that is not a JSON object the store keeps: the message says why."""


def parse_json(text: str | bytes) -> Any:
    """Strict JSON (RFC 8259) with exact values: integers of any size, floats as doubles, keys
    in order (a repeated key keeps its last value, as JavaScript's JSON.parse does).

    Raises json.JSONDecodeError, with the standard parser's position, for what is not JSON,
    and also for NaN, Infinity, numbers beyond the range of a double and unpaired surrogates,
    which that parser lets through.
    """
    source = (
        text if isinstance(text, str) else text.decode(json.detect_encoding(text), "surrogatepass")
    )
    value = json.loads(source)
    orjson.loads(source)
    return value


def deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (iterative: input depth is hostile)."""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(limit):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def require_shallow(document: Document) -> Document:
    if deeper_than(document, MAX_DEPTH):
        raise InvalidDocument(f"nested deeper than {MAX_DEPTH} levels")
    return document


def from_json(text: str) -> Document:
    """The document a JSON text holds; InvalidDocument unless it is an object of at most
    MAX_DEPTH levels."""
    try:
        value = parse_json(text)
    except RecursionError:
        raise InvalidDocument(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise InvalidDocument(f"not JSON: {error}") from None
    if not isinstance(value, dict):
        raise InvalidDocument("not a JSON object")
    return require_shallow(value)


def to_json(document: Mapping[str, Any]) -> str:
    """The canonical JSON text of a document: compact, keys in order, integers exact, floats in
    their shortest round-trip form (3.0 stays 3.0), every character as itself."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            raise InvalidDocument("holds an unpaired surrogate, which is no character") from None
    return text


def from_stored_json(text: str) -> Document:
    """A document as the store stored it (checked when it came in, so parsed as it is)."""
    document: Document = json.loads(text)
    return document
