"""DATABASE_URL: which URLs the store accepts, and how one is shown with its password masked."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from plant_store_client.settings_parsing import InvalidSetting, text

# The URL schemes the store has drivers for; plain ones get the async driver (config.py).
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "sqlite", "sqlite+aiosqlite")
# `user:password@` inside a URL that does not parse as one (what masking must still cover).
_USER_PASSWORD = re.compile(r"(?<=[/:@])([^/:@]*):[^/@]*@")


def masked(url: str) -> str:
    """A URL as it may be shown: its password, parsable or not, replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _USER_PASSWORD.sub(r"\1:***@", url)


def database_url(env: Mapping[str, str], name: str, default: str) -> str:
    """A SQLAlchemy URL for one of DATABASE_SCHEMES (the password is masked if refused)."""
    value = text(env, name, default)
    accepted = "a URL starting " + ", ".join(f"{scheme}://" for scheme in DATABASE_SCHEMES)
    try:
        scheme = make_url(value).drivername
    except ArgumentError:
        raise InvalidSetting(name, repr(masked(value)), accepted) from None
    if scheme not in DATABASE_SCHEMES:
        raise InvalidSetting(name, repr(masked(value)), accepted)
    return value
