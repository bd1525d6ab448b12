"""Hypothesis strategies for hostile input: texts, numbers and instants no store should choke on.

JSON literals are generated as raw text (a `NaN` or a lone `\\ud800` cannot come out of
json.dumps), to be spliced into request bodies by `json_with`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import strategies as st
from sqlalchemy import select

from plant_store_client.instants import EARLIEST, LATEST
from store_service.db.engine import create_engine
from store_service.db.models import Base

T = TypeVar("T")

SLOT = "\x00slot\x00"

LONE_SURROGATES = st.integers(0xD800, 0xDFFF).map(lambda code: f'"\\u{code:04x}"')
# Text around a lone surrogate, escaped as JSON allows.
SURROGATE_TEXTS = st.tuples(st.text(max_size=5), LONE_SURROGATES, st.text(max_size=5)).map(
    lambda parts: json.dumps(parts[0])[:-1] + parts[1][1:-1] + json.dumps(parts[2])[1:]
)
NUL_TEXTS = st.tuples(st.text(max_size=5), st.text(max_size=5)).map(
    lambda parts: json.dumps(parts[0] + "\x00" + parts[1])
)
HUGE_TEXT = json.dumps("x" * 1_000_000)

# Raw JSON literals for string fields.
hostile_text_literals = st.one_of(SURROGATE_TEXTS, NUL_TEXTS, st.just(HUGE_TEXT))

# Raw JSON literals for number fields: Python's extensions, numbers past a double, huge integers.
hostile_number_literals = st.one_of(
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1E999"]),
    st.integers(310, 5_000).map(lambda digits: "9" * digits),
    st.integers(310, 400).map(lambda digits: "-" + "1" * digits),
)

OFFSETS = st.integers(-23 * 60, 23 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


def _edge_instants(year: int) -> st.SearchStrategy[str]:
    first = datetime(year, 1, 1) if year == 1 else datetime(year, 12, 30)
    moments = st.datetimes(min_value=first, max_value=first + timedelta(days=1, seconds=-1))
    return st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(), moments, OFFSETS)


# Instants as clients write them (ISO text or epoch numbers), at or past the calendar's ends.
hostile_instants = st.one_of(
    _edge_instants(1),
    _edge_instants(9999),
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-12-31T00:00:00Z"]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


def representable(instant: str) -> bool:
    """Whether the adapter should accept `instant` (ISO text in the representable range)."""
    try:
        moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
        utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return False
    return EARLIEST <= utc <= LATEST


def json_with(document: Any, literal: str) -> bytes:
    """`document` as JSON text with its SLOT string replaced by the raw `literal`."""
    return json.dumps(document).replace(json.dumps(SLOT), literal).encode("utf-8", "surrogatepass")


async def database_contents(database_url: str) -> dict[str, list[str]]:
    """Every row of every table, to show that a refused request wrote nothing."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: sorted(
                    repr(tuple(row)) for row in await connection.execute(select(table))
                )
                for table in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()


def on_loop(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
    """Runs `work` on the test's event loop from the thread hypothesis runs in."""
    return asyncio.run_coroutine_threadsafe(work, loop).result()


async def check_property(test: Callable[[], None]) -> None:
    """Runs a @given test (sync, as hypothesis wants) beside the event loop its stack lives on."""
    await asyncio.to_thread(test)
