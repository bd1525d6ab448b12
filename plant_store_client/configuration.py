"""The error of a process that refuses its settings (the store's and the adapter's alike)."""

from __future__ import annotations


class UnsafeConfiguration(ValueError):
    """Settings a process refuses to start with; the message is one line naming the fix."""
