"""Pages of list RPCs: `page_size` items at most, within a byte budget, with a next_page_token.

Without a page_size a caller gets the first page of the largest size (AIP-158), so an old client
that knows no paging still sees lists that fit one page whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from google.protobuf.message import Message

from plant_store_client.reasons import Reason
from store_service.domain.errors import invalid
from store_service.rpc import page_tokens
from store_service.services.pages import PageQuery, Rows

M = TypeVar("M", bound=Message)
T = TypeVar("T")

MAX_PAGE_SIZE = 1_000
# gRPC refuses messages over 4 MiB: a page stops growing past half of that, however large its
# items (it always holds at least one, so every page makes progress).
MAX_PAGE_BYTES = 2 * 1024 * 1024


class PageRequest(Protocol):
    page_size: int
    page_token: str


def page_size(requested: int) -> int:
    if requested < 0:
        raise invalid(
            Reason.INVALID_PAGE_SIZE, "page_size must not be negative", page_size=str(requested)
        )
    # Larger sizes are served at the maximum (AIP-158), not refused.
    return min(requested, MAX_PAGE_SIZE) if requested else MAX_PAGE_SIZE


def page_query(request: PageRequest) -> PageQuery:
    """What a list request asks for: its size, and the order keys its token carries."""
    size = page_size(request.page_size)
    token = request.page_token
    return PageQuery(page_tokens.decode_values(token) if token else None, size)


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    items: list[M]
    next_page_token: str


def within_budget(messages: Iterable[M]) -> list[M]:
    """The leading messages that fit in one page's bytes (at least one)."""
    kept: list[M] = []
    used = 0
    for message in messages:
        used += message.ByteSize()
        if kept and used > MAX_PAGE_BYTES:
            break
        kept.append(message)
    return kept


def paged(query: PageQuery, rows: Rows[T], message: Callable[[T], M]) -> Page[M]:
    """The page made of `rows` (read with one more than the query's size, to know whether
    more follow)."""
    items = within_budget(message(row) for row in rows.items[: query.size])
    if len(items) == len(rows.items):
        return Page(items, "")
    return Page(items, page_tokens.encode_values(rows.cursor_of(rows.items[len(items) - 1])))
