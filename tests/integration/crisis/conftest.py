"""Fixtures shared by the crisis tests."""

from __future__ import annotations

import pytest
from aiohttp import web


@pytest.fixture
async def webhook(aiohttp_server):
    """A real HTTP endpoint standing in for an SMS gateway: (its URL, what it received as (headers, body))."""
    received: list[tuple[dict, bytes]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", receive)
    server = await aiohttp_server(app)
    return str(server.make_url("/hook")), received
