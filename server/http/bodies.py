"""Parsing request bodies into typed models; every failure is a clear 422, never a 500."""

from __future__ import annotations

import json
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from server.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)
MAX_BODY_BYTES = 256 * 1024


async def read_body(request: web.Request, model: type[M]) -> M:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise InvalidInput("The request body is too large.")
    raw = await request.read()
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, huge numbers, absurd nesting
        raise InvalidInput("The request body must be JSON.") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidInput("Some fields are not valid.", errors=errors) from None
