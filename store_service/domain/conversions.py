"""Python's int() and float() as the contract uses them on JSON values (section 1.7)."""

from __future__ import annotations

import math
import re
from typing import Any

INT_TEXT = re.compile(r"\s*[+-]?\d+(_\d+)*\s*")
# Parsed numbers go back into JSON documents, whose integers are 64-bit: a value past that range
# counts as unparsable, like text Python refuses. Checking the digit count first keeps int()
# from ever seeing text past its conversion limit (4300 digits), which it refuses with an error.
INT_RANGE = range(-(2**63), 2**63)
MAX_INT_DIGITS = len(str(2**63))


def _in_range(number: int) -> int | None:
    return number if number in INT_RANGE else None


def python_int(value: Any) -> int | None:
    """int(value) for JSON values, or None where Python would raise or the result is not 64-bit."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return _in_range(value)
    if isinstance(value, float):
        return _in_range(int(value)) if math.isfinite(value) else None
    if isinstance(value, str) and INT_TEXT.fullmatch(value):
        digits = value.strip().lstrip("+-").replace("_", "").lstrip("0")
        return _in_range(int(value)) if len(digits) <= MAX_INT_DIGITS else None
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
