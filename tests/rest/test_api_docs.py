"""The API documentation pages work without any outside network: every asset is served here."""

from __future__ import annotations

import re

import httpx
import pytest

# Anything a page would fetch: scripts, style sheets, fonts, images.
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']|url\(["']?([^"')]+)""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_documentation_pages_load_only_assets_the_adapter_serves(
    http: httpx.AsyncClient, page: str
) -> None:
    answer = await http.get(page)
    assert answer.status_code == 200
    assets = [next(filter(None, found)) for found in ASSET.findall(answer.text)]
    assert any(asset.endswith(".js") for asset in assets), assets
    assert not [asset for asset in assets if "//" in asset], "an asset from another host"
    for asset in assets:
        fetched = await http.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 1000, asset
    assert "/openapi.json" in answer.text
