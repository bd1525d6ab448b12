"""Which instants the store accepts: those that stay within years 1-9999 in every time zone.

Python's datetime ends at 0001-01-01 and 9999-12-31; an instant within a day of either end
overflows as soon as it is seen in another offset (a client's `+05:30`, the server's zone). One
day of margin at each end keeps every conversion representable.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def representable(moment: datetime) -> bool:
    """Whether `moment` (naive meaning UTC) lies within [EARLIEST, LATEST]."""
    try:
        utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    except OverflowError:
        return False
    return EARLIEST <= utc <= LATEST
