"""Opaque keyset page tokens: the last (created_at, id) a page ended at."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from store_service.domain.errors import invalid


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
        raise invalid("INVALID_PAGE_TOKEN", "page_token is not one this store issued") from None
