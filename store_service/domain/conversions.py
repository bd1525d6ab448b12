"""Python's int() and float() as the contract uses them on JSON values (section 1.7)."""

from __future__ import annotations

import math
import re
from typing import Any

INT_TEXT = re.compile(r"\s*[+-]?\d+(_\d+)*\s*")


def python_int(value: Any) -> int | None:
    """int(value) for JSON values, or None where Python would raise."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str) and INT_TEXT.fullmatch(value):
        return int(value)
    return None


def python_float(value: Any) -> float | None:
    """float(value) for JSON values, or None where Python would raise."""
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
