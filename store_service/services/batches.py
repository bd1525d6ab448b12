"""Batch sizes of the scheduler-facing jobs."""

from __future__ import annotations

from plant_store_client.reasons import Reason
from store_service.domain.errors import invalid

DEFAULT_BATCH_SIZE = 500
MAX_BATCH_SIZE = 10_000


def batch_size(requested: int) -> int:
    if requested == 0:
        return DEFAULT_BATCH_SIZE
    if not 0 < requested <= MAX_BATCH_SIZE:
        raise invalid(
            Reason.INVALID_BATCH_SIZE,
            f"batch_size must be between 1 and {MAX_BATCH_SIZE}",
            batch_size=str(requested),
        )
    return requested
