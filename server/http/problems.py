"""The one table from an error's kind to its HTTP status, and the ``application/problem+json`` answer
built from any domain error (``handoff``'s, the server features', signalling's)."""

from __future__ import annotations

from aiohttp import web

from handoff.errors import DomainError, ErrorKind, PlanInvalid, ResourceImportFailed

STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.GONE: 410,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.INTERNAL: 500,
}


RETRY_AFTER_SECONDS = 5  # what an "unavailable" answer asks the client to wait


def problem(status: int, code: str, message: str, **extra: object) -> web.Response:
    body = {"type": f"about:blank#{code}", "title": message, "status": status, "code": code, **extra}
    return web.json_response(body, status=status, content_type="application/problem+json")


def field_errors(error: DomainError) -> list[dict]:
    """Where an invalid request went wrong, field by field (empty when the error does not say)."""
    if isinstance(error, PlanInvalid):
        return [{"field": i.section + (f".{i.item}" if i.item is not None else ""), "message": i.message,
                 "problem": i.problem} for i in error.issues]
    if isinstance(error, ResourceImportFailed):
        return [{"field": f"row {e['row']}" + (f".{e['column']}" if e.get("column") else ""),
                 "message": e["message"]} for e in error.row_errors]
    return list(getattr(error, "errors", []))


def problem_of(error: DomainError) -> web.Response:
    """The answer for ``error``: its kind's status, its code and message; invalid input lists its fields."""
    extra = {"errors": field_errors(error)} if error.kind is ErrorKind.INVALID else {}
    response = problem(STATUS[error.kind], error.code, error.message, **extra)
    if error.kind is ErrorKind.UNAVAILABLE:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
