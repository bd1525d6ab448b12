"""What the wire conversions raise: a value they cannot carry, with the store's reason for it."""

from __future__ import annotations

from plant_store_client.reasons import Reason


class InvalidWireValue(ValueError):
    """A value the wire cannot carry (an instant past year 9999, a definition missing a type).

    The store answers it as INVALID_ARGUMENT with `reason` and `metadata` in its ErrorInfo, as it
    answers its own refusals (store_service/rpc/status.py)."""

    def __init__(self, reason: Reason, message: str, **metadata: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.metadata = metadata
