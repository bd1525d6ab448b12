"""The contract's value-normalisation helpers (section 1.7), shared by every rule."""

from __future__ import annotations

from typing import Any


def trim(value: Any) -> str:
    """Python str() of the value after mapping falsy values to "", stripped."""
    if not value:
        return ""
    return str(value).strip()


def nonblank(value: Any) -> bool:
    return trim(value) != ""


def optional_trimmed(value: str | None) -> str | None:
    """The trimmed text, or None when blank."""
    return trim(value) or None
