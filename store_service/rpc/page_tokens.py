"""Opaque keyset page tokens: the order keys of the row a page ended at."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from store_service.services.pages import invalid_page_token


def encode(created_at: datetime, key: str) -> str:
    raw = f"{created_at.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode(token: str) -> tuple[datetime, str] | None:
    if not token:
        return None
    try:
        moment, _, key = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        return datetime.fromisoformat(moment), key
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_page_token() from None


def encode_values(values: Sequence[Any]) -> str:
    """Instants travel as ISO 8601 text, everything else as JSON."""
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode()


def decode_values(token: str) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error):
        raise invalid_page_token() from None
    if not isinstance(values, list):
        raise invalid_page_token()
    return values
