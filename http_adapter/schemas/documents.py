"""Free-form JSON objects in request bodies (config, settings)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

# Documents travel to the store as google.protobuf.Struct, which protobuf parses to a bounded
# depth (each JSON level is two message levels); deeper input is refused here, as a 422.
MAX_DEPTH = 32


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (iterative: input depth is hostile)."""
    level: list[Any] = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not any(isinstance(item, dict | list) for item in level):
            return False
    return True


def _shallow_enough(document: dict[str, Any]) -> dict[str, Any]:
    if _deeper_than(document, MAX_DEPTH):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return document


JsonObject = Annotated[dict[str, Any], AfterValidator(_shallow_enough)]
