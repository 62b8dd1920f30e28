"""Crisis errors at the HTTP edge: the ``handoff`` crisis errors mapped to problem statuses (unknown
crisis → 404, role → 403, version/closed/exists → 409, illegal step → 422), and the edge's own
``CrisisActive`` (a session cannot end while a crisis holds it open)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from handoff.errors import (
    CrisisAlreadyExists, CrisisClosed, CrisisNotFound, HandoffError, RoleNotPermitted, VersionConflict,
)

from .errors import Conflict, Forbidden, NotFound, SteadylineError
from .handoff_errors import as_problem


class CrisisActive(Conflict):
    code = "crisis_active"
    message = "A crisis is still open in this session: close the crisis before ending the session."


_STATUS: tuple[tuple[type[HandoffError], type[SteadylineError]], ...] = (
    (CrisisNotFound, NotFound),
    (RoleNotPermitted, Forbidden),
    (VersionConflict, Conflict),
    (CrisisClosed, Conflict),
    (CrisisAlreadyExists, Conflict),
)


def crisis_problem(exc: HandoffError) -> SteadylineError:
    for domain, edge in _STATUS:
        if isinstance(exc, domain):
            return edge(exc.message, code=exc.code)
    return as_problem(exc)


@contextlib.contextmanager
def crisis_errors() -> Iterator[None]:
    """Run crisis logic; a ``HandoffError`` leaves as the matching HTTP problem."""
    try:
        yield
    except HandoffError as exc:
        raise crisis_problem(exc) from None
