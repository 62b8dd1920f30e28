"""The edge's map of ``handoff`` domain errors to HTTP problems: invalid input → 422, unknown
records → 404, state conflicts → 409. Each keeps the domain's stable ``code`` and message."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from handoff.errors import (
    ConsentRequired, GrantNotFound, HandoffError, PlanInvalid, PlanVersionNotFound, ResourceImportFailed,
    TemplateMismatch,
)

from .errors import Conflict, InvalidInput, NotFound, SteadylineError

_NOT_FOUND = (PlanVersionNotFound, GrantNotFound)
_CONFLICT = (ConsentRequired, TemplateMismatch)


def _issues(exc: HandoffError) -> list[dict]:
    if isinstance(exc, PlanInvalid):
        return [{"field": i.section + (f".{i.item}" if i.item is not None else ""), "message": i.message,
                 "problem": i.problem} for i in exc.issues]
    if isinstance(exc, ResourceImportFailed):
        return [{"field": f"row {e['row']}" + (f".{e['column']}" if e.get("column") else ""),
                 "message": e["message"]} for e in exc.row_errors]
    return []


def as_problem(exc: HandoffError) -> SteadylineError:
    if isinstance(exc, _NOT_FOUND):
        error: SteadylineError = NotFound(exc.message)
    elif isinstance(exc, _CONFLICT):
        error = Conflict(exc.message)
    else:
        error = InvalidInput(exc.message, errors=_issues(exc))
    error.code = exc.code
    return error


@contextlib.contextmanager
def domain_errors() -> Iterator[None]:
    """Run domain logic; a ``HandoffError`` leaves as the matching HTTP problem."""
    try:
        yield
    except HandoffError as exc:
        raise as_problem(exc) from None
