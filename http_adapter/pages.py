"""Whole lists from the store's paged list RPCs: the contract's lists are complete, while each
store answer is bounded (a page stays far below gRPC's message size limit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from plant_store_client.client import StoreClient


async def every_page(
    store: StoreClient, method: Callable[..., Awaitable[Any]], request: Any, field: str
) -> list[Any]:
    """The items under `field` of every page, in order, following next_page_token."""
    items: list[Any] = []
    while True:
        response = await store.call(method, request)
        items.extend(getattr(response, field))
        if not response.next_page_token:
            return items
        request.page_token = response.next_page_token
