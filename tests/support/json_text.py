"""Documents compared as JSON text: Python's == says 1 == 1.0 == True and ignores key order, so
a document that lost its order or turned 3.0 into 3 would still compare equal as values."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# A document whose every member a lossy round trip would change.
EXACT = {
    "z": 1,
    "a": 3.0,
    "whole": 3,
    "big": 2**80,
    "negative_big": -(2**70) - 1,
    "past_doubles": 2**53 + 1,
    "text": "漢字 😀 \u0000 \u2028 é",
    "nested": {"b": [1.5, 1e16, -0.0, None, True], "a": {}},
}


class _Members(list[tuple[str, Any]]):
    """A JSON object as written: its members in order, repeated names kept."""


def _text(value: Any) -> str:
    if isinstance(value, _Members | dict):
        members = value.items() if isinstance(value, dict) else value
        return "{" + ",".join(f"{_text(name)}:{_text(item)}" for name, item in members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_text(item) for item in value) + "]"
    # Integers exact, floats in their shortest round-trip form (3.0, not 3), strings as is.
    return json.dumps(value, ensure_ascii=False)


def json_text(value: Any) -> str:
    """The one spelling of a JSON value (as sent): what the API must answer for it."""
    return _text(value)


def member_text(document: str | bytes, *path: str | int) -> str:
    """The spelling of the member at `path` of a JSON text (a response body) as it is written
    there: its key order, number kinds and characters."""
    value: Any = json.loads(document, object_pairs_hook=_Members)
    for step in path:
        value = dict(value)[step] if isinstance(step, str) else value[step]
    return _text(value)


# Characters are every Unicode scalar value: surrogates are not characters (and not JSON text).
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0.0, -0.0, 3.0, 1e16, 2.0**53 + 2, 1e-7, 5e-324])
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=24,
)
documents = st.dictionaries(texts, _values, max_size=6)
"""JSON objects with nested values, integers beyond 2^64, whole floats, any key order."""

# Each example is a request to real servers: a fifth of the profile's examples (conftest).
round_trips = settings(
    max_examples=max(10, settings().max_examples // 5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
