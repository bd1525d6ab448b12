"""schemathesis hooks (loaded by tests/rest/test_schemathesis.py): hostile values in bodies and
query strings, of the kinds tests/support/hostile.py generates, as far as schemathesis can send them
(it refuses to serialise NaN and Infinity; tests/rest/test_hostile_properties.py sends those)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st

HOSTILE_VALUES = st.one_of(
    st.sampled_from(
        [
            "\ud800",
            "a\udfffb",
            "a\x00b",
            "x" * 100_000,
            10**400,
            -(10**320),
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+05:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ]
    ),
    st.integers(-(10**30), 10**30),
)
HOSTILE_QUERY_VALUES = st.sampled_from(
    [
        "a\x00b",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59Z",
        "-99999999999999999999",
        "1e400",
    ]
)


def _with(document: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**document, key: value}


def _hostile_variants(document: Any, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    if not isinstance(document, dict) or not document:
        return st.just(document)
    hostile = st.builds(_with, st.just(document), st.sampled_from(sorted(document)), values)
    return st.one_of(st.just(document), hostile)


@schemathesis.hook
def flatmap_body(_context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    return _hostile_variants(body, HOSTILE_VALUES)


@schemathesis.hook
def flatmap_query(_context: schemathesis.HookContext, query: Any) -> st.SearchStrategy[Any]:
    return _hostile_variants(query, HOSTILE_QUERY_VALUES)
