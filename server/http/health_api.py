"""Liveness, readiness and metrics."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from server.app_keys import DRAIN, ENGINE, REGISTRY, SIGNALING
from server.db.engine import ping
from server.errors import LiveStateUnavailable
from server.http.problems import problem, problem_of


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    if request.app[DRAIN].draining:
        return problem(503, "draining", "This server is shutting down.")
    try:
        await ping(request.app[ENGINE])
    except Exception:
        return problem(503, "database_unavailable", "The database cannot be reached.")
    try:
        await request.app[SIGNALING].live.ping()
    except Exception:
        return problem_of(LiveStateUnavailable())
    return web.json_response({"status": "ready"})


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
