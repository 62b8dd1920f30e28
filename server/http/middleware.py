"""Edge middlewares: request ids and access logs, domain errors → problem responses, security headers."""

from __future__ import annotations

import ipaddress
import secrets
import time

import structlog
from aiohttp import web

from handoff.errors import DomainError
from signaling.errors import OUTAGES

from server.app_keys import HTTP_METRICS, SETTINGS
from server.errors import LiveStateUnavailable, SteadylineError
from server.http.problems import problem, problem_of

log = structlog.get_logger("steadyline.http")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self' wss: https:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(self), geolocation=(self)",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def client_address(request: web.Request) -> str:
    """The peer address, or the first X-Forwarded-For hop when the proxy is trusted."""
    if request.app[SETTINGS].trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.remote or "unknown"


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def request_context(request: web.Request, handler) -> web.StreamResponse:
    request_id = secrets.token_hex(8)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        request.app[HTTP_METRICS].requests.labels(method=request.method, status=str(status)).inc()
        if _route_name(request) not in ("/healthz", "/metrics", "/socket.io/"):
            log.info("http_request", method=request.method, route=_route_name(request), status=status,
                     ms=round((time.perf_counter() - started) * 1000, 1))


@web.middleware
async def errors_as_problems(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as exc:
        request.app[HTTP_METRICS].errors.labels(code=exc.code).inc()
        return problem_of(exc)
    except OUTAGES:
        log.warning("live_state_unreachable", route=_route_name(request))
        request.app[HTTP_METRICS].errors.labels(code=LiveStateUnavailable.code).inc()
        return problem_of(LiveStateUnavailable())
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = exc.reason.lower().replace(" ", "_")
        request.app[HTTP_METRICS].errors.labels(code=code).inc()
        return problem(exc.status, code, exc.reason)
    except Exception:
        log.exception("unhandled_error", route=_route_name(request))
        request.app[HTTP_METRICS].errors.labels(code="internal_error").inc()
        return problem(500, "internal_error", SteadylineError.message)


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def drop_server_header(request: web.Request, response: web.StreamResponse) -> None:
    """No ``Server`` header: aiohttp would name Python's and its own version on every response (static
    files and the Socket.IO upgrade too), telling a scanner which known bugs to try."""
    response.headers.popall("Server", None)
