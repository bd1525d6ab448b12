"""Garbage-collector settings for the long-running processes (store and adapter).

Start-up (imports, the schema, routes) makes hundreds of thousands of objects that live as long
as the process: collecting while it runs only slows a restart down (~12 % of the store's
import time), so the collector waits until start-up is over. Then that heap is frozen out of the
collector's view, and the young generation is collected less often: a request makes hundreds
of short-lived objects, and with CPython's default threshold (700) a collection ran every few
requests. Together ~5 % of the adapter's CPU per request (docs/performance.md); memory stays
flat (bench.memory_soak).
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 20_000


def pause_during_start_up() -> None:
    """Call first thing in a serving process, before its heavy imports."""
    gc.disable()


def settle_after_start_up() -> None:
    """Call once the process has built everything it keeps for its lifetime."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
    gc.enable()
