"""HTML pages of the browser client (files in ``static/``)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
PRIVATE_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def page(filename: str, *, private: bool = False):
    async def handler(request: web.Request) -> web.StreamResponse:
        path = STATIC_DIR / filename
        if not path.is_file():
            raise web.HTTPNotFound()
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if private:
            headers.update(PRIVATE_PAGE_HEADERS)
        return web.FileResponse(path, headers=headers)

    return handler
