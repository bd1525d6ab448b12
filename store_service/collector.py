"""Garbage-collector settings for the long-running processes (store and adapter).

A request makes hundreds of short-lived objects; with CPython's default threshold (700) the
young generation is collected every few requests, and every full collection walks everything
that start-up made (modules, the schema, routes) although none of it ever becomes garbage.
Freezing the start-up heap and collecting the young generation less often took ~5 % of the
adapter's CPU per request off (docs/performance.md); memory stays flat (bench.memory_soak).
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 20_000


def settle_after_start_up() -> None:
    """Call once the process has built everything it keeps for its lifetime."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
