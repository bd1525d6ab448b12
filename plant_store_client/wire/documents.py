"""JSON documents (config, settings, payloads, metadata) as exact JSON text: the one parser and
the one writer that the store, the adapter and other clients share."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

import orjson

# The deepest nesting a document may have; the document object itself is level 1.
MAX_DEPTH = 64
# An integer literal with more digits than this cannot be a double.
MAX_INTEGER_DIGITS = len(str(int(sys.float_info.max)))

Document = dict[str, Any]


class InvalidDocument(ValueError):
    """Text that is not a JSON object the store keeps: the message says why."""


def _integer_parser(text: str) -> Callable[[str], int]:
    def parse(literal: str) -> int:
        # Checked before int() converts it: past 4300 digits Python refuses with a ValueError
        # that would not say where the number is.
        if len(literal.lstrip("-")) <= MAX_INTEGER_DIGITS:
            number = int(literal)
            if abs(number) <= sys.float_info.max:
                return number
        raise json.JSONDecodeError("number out of range", text, text.find(literal))

    return parse


def parse_json(text: str | bytes) -> Any:
    """Strict JSON (RFC 8259) with exact values: integers exact up to the range of a double,
    floats as doubles, keys in order (a repeated key keeps its last value, as JavaScript's
    JSON.parse does).

    Raises json.JSONDecodeError, with the standard parser's position (the one the contract's
    422 shows), for what is not JSON, and also for what Python's parser lets through and no
    store can hold: text that is not UTF-8/16/32, NaN, Infinity, numbers beyond the range of a
    double and unpaired surrogates.
    """
    if isinstance(text, str):
        source = text
    else:
        try:
            source = text.decode(json.detect_encoding(text), "surrogatepass")
        except UnicodeDecodeError as undecodable:
            raise json.JSONDecodeError("invalid text", repr(text), undecodable.start) from None
    value = json.loads(source, parse_int=_integer_parser(source))
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
