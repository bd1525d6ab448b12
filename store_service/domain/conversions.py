"""Python's int() and float() as the contract uses them on JSON values (section 1.7)."""

from __future__ import annotations

import math
import re
import sys
from typing import Any

INT_TEXT = re.compile(r"\s*[+-]?\d+(_\d+)*\s*")
# Parsed numbers go back into JSON documents, which hold integers exactly up to the range of a
# double (plant_store_client/wire/documents.py): a value past it counts as unparsable, like text
# Python refuses. Checking the digit count first keeps int() from ever seeing text past its
# conversion limit (4300 digits), which it refuses with an error.
LARGEST_INT = int(sys.float_info.max)
MAX_INT_DIGITS = len(str(LARGEST_INT))


def _in_range(number: int) -> int | None:
    return number if abs(number) <= LARGEST_INT else None


def python_int(value: Any) -> int | None:
    """int(value) for JSON values, or None where Python would raise or the result is past the
    range of a double."""
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
    """float(value) for JSON values, or None where Python would raise or the number is not
    finite ("inf", "1e999", "nan"): it would go into a JSON document, which holds no such number."""
    if isinstance(value, bool | int | float | str):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    return None
