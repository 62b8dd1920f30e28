"""Answers with a JSON body made from a response schema."""

from __future__ import annotations

from aiohttp import web


def json_response(model, status: int = 200) -> web.Response:
    return web.json_response(model.model_dump(mode="json"), status=status)
